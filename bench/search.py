"""Search benchmark at catalog scale: index build, query latency in-process and over HTTP, RSS.

    .venv/bin/python bench/search.py [--sizes 10000,100000] [--queries 40] [--http-requests 60]

Each figure is printed next to the same figure for the plain approach measured in the same
run: sentence-transformers (PyTorch) for embedding and an exact FAISS scan (IndexFlatIP) for
search. Every loop is bounded; nothing outside a temporary folder is written.

The synthetic catalog: N listings derived from the 160 dev listings (listing i is dev listing
i % 160 with a numbered title). At 100,000 listings embedding every text would take hours on
2 cores, so the build embeds each distinct dev text once and gives every variant its base's
vector plus small normalised noise, and analyses each base once and gives variants its terms
plus their own title terms. The build figure therefore measures the index (BM25 + FAISS +
metadata + atomic save); the embedding throughput is measured separately on the real dev
listings (the re-embedding figure: plain embeds title + description as written, search
embeds the dense text its index stores).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from search_dense import percentiles_ms  # noqa: E402

CATALOG = REPO.parent / "shared" / "catalog" / "dev"  # beside the checkout
if not CATALOG.is_dir():
    CATALOG = REPO / "listings/demo"
NOISE = 0.02  # per-dimension noise on a variant's vector: cosine to its base about 0.93


def load_dev() -> tuple[list[dict], list[dict]]:
    rows = [json.loads(line) for line in (CATALOG / "catalog.jsonl").read_text().splitlines()
            if line.strip()]
    queries_path = CATALOG / "queries.jsonl"
    queries = [json.loads(line) for line in queries_path.read_text().splitlines()
               if line.strip()] if queries_path.exists() else [{"text": r["title"]} for r in rows]
    return rows, queries


def build_index(n: int, rows: list[dict], base_vectors: np.ndarray, base_terms: list,
                model_id: str):
    from search.documents import SearchDocument
    from search.index import SearchIndex
    from search.text import analyze_text

    rng = np.random.default_rng(n)
    index = SearchIndex.empty(dimension=base_vectors.shape[1], model_id=model_id)
    chunk = 5_000
    for start in range(0, n, chunk):
        ids = np.arange(start + 1, min(n, start + chunk) + 1)
        bases = (ids - 1) % len(rows)
        vectors = base_vectors[bases] + rng.normal(0, NOISE, (len(ids), base_vectors.shape[1]))
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        for listing_id, base in zip(ids.tolist(), bases.tolist(), strict=True):
            row, terms = rows[base], base_terms[base]
            extra = {t: 3.0 for t in analyze_text(f"#{listing_id}").terms}  # the title number
            index.bm25.add(listing_id, {**terms.original, **extra}, terms.bridged,
                           terms.length + 3.0)
            index.meta[listing_id] = SearchDocument(
                listing_id, f"B-{listing_id}", f"{row['title']} #{listing_id}", "", "",
                (), row["language"], row["ip_type"], row["region"], row["creator"]).metadata()
        index.vectors.upsert(ids, vectors)
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--http-requests", type=int, default=60)
    parser.add_argument("--embed-sample", type=int, default=160)
    parser.add_argument("--embed-rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    # The synthetic database and index (hundreds of MB at 100,000) go when the script ends.
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    os.environ.update(EXCHANGE_DATA_DIR=str(work / "data"), SEARCH_INDEX_DIR=str(work / "index"),
                      EMBEDDING_DATA_DIR=str(REPO / "data"), SEARCH_RELOAD_INTERVAL_S="3600",
                      LOG_LEVEL="WARNING")
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    import faiss
    from sentence_transformers import SentenceTransformer

    from search import runtime
    from search.documents import SearchDocument, dense_text, lexical_terms
    from search.query import plan_query
    from search.ranking import explain, rank

    print(f"load average at start: {os.getloadavg()}")
    rows, queries = load_dev()
    queries = queries[: args.queries]
    embedder, bridge = runtime.embedder(), runtime.bridge()
    plain = SentenceTransformer(str(embedder.source.folder), device="cpu", local_files_only=True)
    docs = [SearchDocument(i + 1, r["external_id"], r["title"], "", r["description"],
                           tuple(r.get("tags", [])), r["language"], r["ip_type"], r["region"],
                           r["creator"]) for i, r in enumerate(rows)]
    base_terms = [lexical_terms(d, bridge=bridge) for d in docs]
    texts = [dense_text(d, t) for d, t in zip(docs, base_terms, strict=True)]

    plain_rate, fast_rate = reembedding(plain, embedder, bridge, docs, texts, args)
    base_vectors = embedder.embed_passages(texts)

    for n in [int(s) for s in args.sizes.split(",")]:
        print(f"\n== {n:,} listings (variants of the {len(rows)} dev listings)")
        started = time.perf_counter()
        index = build_index(n, rows, base_vectors, base_terms, embedder.model_id)
        index.bm25.doc_ids()  # force the BM25 build
        manifest = index.save(runtime.index_dir())
        seconds = time.perf_counter() - started
        print(f"  index build (vectors reused, terms reused, + save): "
              f"{n / seconds:,.0f} listings/s ({seconds:.1f} s); embedding them at the "
              f"rates above would take "
              f"{n / fast_rate / 60:.0f} min (plain {n / plain_rate / 60:.0f} min)")
        flat = faiss.IndexFlatIP(base_vectors.shape[1])
        flat.add(np.stack([index.vectors.vector(i) for i in range(1, n + 1)]))
        fast, slow = [], []
        for q in queries:
            started = time.perf_counter()
            planned = plan_query(q["text"])
            ranking = rank(index, terms=planned.terms, vector=planned.vector, top=20)
            explain(index, planned.terms, planned.vector, ranking.items)
            fast.append(time.perf_counter() - started)
            started = time.perf_counter()
            vector = plain.encode([q["text"]], normalize_embeddings=True)
            flat.search(vector, 20)
            slow.append(time.perf_counter() - started)
        print(f"  in-process query, hybrid (embed + BM25 + scan + fuse + explain): "
              f"{percentiles_ms(fast)}")
        print(f"  in-process query, plain (sentence-transformers + exact scan):    "
              f"{percentiles_ms(slow)}")
        http_bench(n, rows, queries, args.http_requests, work, manifest.version, slow)
    print(f"\nload average at end: {os.getloadavg()}")


def reembedding(plain, embedder, bridge, docs, texts, args) -> tuple[float, float]:
    """Listings embedded per second, each side embedding what it embeds for a listing.

    plain: sentence-transformers on title + description as written (what a plain system
    embeds; a Korean description is 256 word pieces of jamo noise to MiniLM's tokenizer).
    search: `embed_passages` on `dense_text` as the index stores it (English listings: title +
    description; Korean ones: their Latin words + bridged English). Both sides are warmed up
    and alternate round by round on the shared machine; the ratio is taken within each round.
    """
    from search.documents import lexical_terms

    count = min(args.embed_sample, len(docs))
    raw = [f"{d.title}. {d.body}" for d in docs[:count]]
    dense = texts[:count]

    def plain_encode(batch: list[str]) -> None:
        plain.encode(batch, batch_size=32, normalize_embeddings=True)

    def analysed_and_embedded(batch: list[str]) -> None:  # what a rebuild also pays per listing
        [lexical_terms(d, bridge=bridge) for d in docs[:count]]
        embedder.embed_passages(batch)

    sides = (("plain, raw texts", plain_encode, raw),
             ("plain, search's dense texts", plain_encode, dense),
             ("search, int8 ONNX", embedder.embed_passages, dense),
             ("search, analysis + int8 ONNX", analysed_and_embedded, dense))
    for _, encode, batch in sides:
        encode(batch[:8])  # warm-up: first-call set-up (sessions, allocations) is not throughput
    rates: dict[str, list[float]] = {label: [] for label, _, _ in sides}
    for _ in range(args.embed_rounds):
        for label, encode, batch in sides:
            started = time.perf_counter()
            encode(batch)
            rates[label].append(len(batch) / (time.perf_counter() - started))
    print(f"\n== re-embedding the {count} dev listings, {args.embed_rounds} alternating rounds "
          f"(load average {os.getloadavg()[0]:.1f})")
    baseline = rates["plain, raw texts"]
    for label, values in rates.items():
        ratios = [value / base for value, base in zip(values, baseline, strict=True)]
        print(f"  {label:30s} median {np.median(values):6.1f}/s  best {max(values):6.1f}/s  "
              f"x plain raw per round: median {np.median(ratios):.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f})")
    same = [f / p for f, p in zip(rates["search, int8 ONNX"],
                                  rates["plain, search's dense texts"], strict=True)]
    print(f"  engine alone (both sides on search's dense texts): median {np.median(same):.2f}x")
    return float(np.median(baseline)), float(np.median(rates["search, int8 ONNX"]))


def http_bench(n, rows, queries, requests, work, version, plain_latency) -> None:
    """A real server (gunicorn, 1 worker) on 127.0.0.1 over a database holding the listings."""
    from django.core.management import call_command
    from django.db import connection

    from exchange.accounts.models import User
    from listings.models import Listing, ListingStatus

    db = work / "data" / "exchange.sqlite3"
    if not db.exists():
        call_command("migrate", verbosity=0, skip_checks=True)
        User.objects.create_user(email="bench@example.com", password=None, display_name="Bench",
                                 is_creator=True)
    owner = User.objects.get(email="bench@example.com")
    have = Listing.objects.count()
    batch = []
    for listing_id in range(have + 1, n + 1):
        row = rows[(listing_id - 1) % len(rows)]
        batch.append(Listing(pk=listing_id, owner=owner, external_id=f"B-{listing_id}",
                             title=f"{row['title']} #{listing_id}", description="",
                             language=row["language"], ip_type=row["ip_type"],
                             region=row["region"], creator_name=row["creator"],
                             status=ListingStatus.PUBLISHED))
        if len(batch) == 5_000:
            Listing.objects.bulk_create(batch)
            batch = []
    Listing.objects.bulk_create(batch)
    connection.close()
    port = 8765
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/gunicorn"), "exchange.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}",
         "--timeout", "300"], cwd=REPO, env=os.environ.copy(),
        stdout=subprocess.DEVNULL, stderr=(work / "server.log").open("w"))
    try:
        url = f"http://127.0.0.1:{port}/api/v1/search/?"
        deadline = time.time() + 180
        while True:  # the first request loads the model and the index
            try:
                urllib.request.urlopen(url + "q=warm", timeout=300).read()
                break
            except urllib.error.HTTPError as error:
                print(f"  HTTP: {error.code} {error.read()[:300]!r}")
                print((work / "server.log").read_text()[-2000:])
                return
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    print("  HTTP: server did not answer")
                    return
                time.sleep(1)
        latencies = []
        for i in range(requests):
            query = urllib.parse.urlencode({"q": queries[i % len(queries)]["text"][:500],
                                            "limit": 20})
            started = time.perf_counter()
            urllib.request.urlopen(url + query, timeout=60).read()
            latencies.append(time.perf_counter() - started)
        rss = Path(f"/proc/{server.pid}/status").read_text()
        worker_rss = max(_rss_of(child) for child in _children(server.pid))
        print(f"  HTTP GET /api/v1/search/ (gunicorn, 1 worker): {percentiles_ms(latencies)}; "
              f"p50 / plain in-process p50 = "
              f"{np.median(latencies) / np.median(plain_latency):.2f}x")
        print(f"  RSS of the web worker: {worker_rss:.0f} MB (master "
              f"{int(rss.split('VmRSS:')[1].split()[0]) / 1024:.0f} MB); a plain process "
              f"(sentence-transformers + flat index of {n:,}): {plain_rss(n):.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


PLAIN_PROCESS = """
import sys, numpy as np, faiss
from pathlib import Path
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu", local_files_only=True)
model.encode(["warm-up"])
flat = faiss.IndexFlatIP(384)
flat.add(np.random.default_rng(0).normal(size=(int(sys.argv[2]), 384)).astype(np.float32))
flat.search(model.encode(["query"]), 20)
status = Path("/proc/self/status").read_text()
print(int(status.split("VmRSS:")[1].split()[0]) / 1024)
"""


def plain_rss(n: int) -> float:
    from search import runtime

    folder = str(runtime.embedder().source.folder)
    out = subprocess.run([sys.executable, "-c", PLAIN_PROCESS, folder, str(n)],
                         capture_output=True, text=True, timeout=600, check=False)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return float("nan")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else [pid]


def _rss_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
