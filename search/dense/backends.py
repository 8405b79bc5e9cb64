"""Two ways to run the same model: sentence-transformers (PyTorch) and ONNX Runtime.

Both return L2-normalised float32 rows. The ONNX backend reproduces the sentence-transformers
pipeline (tokenizer.json, truncation at the model's max_seq_length, mean or CLS pooling,
normalisation) and matches it to cosine 1.0000 in fp32; it answers a single short query
about 4x quicker (3.0 ms against 12.4 ms p50) because it skips PyTorch's per-call overhead,
and with int8 passages embeds listings about 3x quicker (see bench/search_dense.py).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

# Passages are embedded in length-sorted batches, so a batch holds texts of similar length
# and pays for little padding. 16 was as fast as 32 and 64 on the dev catalog and keeps the
# activations of a 256-token batch small (bench/search_dense.py).
PASSAGE_BATCH_SIZE = 16
# Passage batches run on one single-threaded ONNX session per CPU, side by side, rather than
# on one session using every CPU: on the shared 2-core machine this embedded the dev listings
# 1.4-1.8x faster (int8: 12-16/s against 8.5-8.8/s), since no thread waits at every operator
# for a sibling that was preempted. A single query still uses all CPUs, for latency.
_SUPPORTED_MODULES = (
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
)


class Backend(Protocol):
    dimension: int
    max_seq_length: int
    passage_variant: str  # how passages are computed; part of Embedder.model_id

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _empty(dimension: int) -> np.ndarray:
    return np.zeros((0, dimension), dtype=np.float32)


class TorchBackend:
    """Plain sentence-transformers: the reference, and the fallback without onnxruntime."""

    passage_variant = "fp32"

    def __init__(self, model) -> None:
        self._model = model
        # sentence-transformers 6 renamed the method; 3.x-5.x only have the old name.
        dimension_of = getattr(model, "get_embedding_dimension", None)
        dimension_of = dimension_of or model.get_sentence_embedding_dimension
        self.dimension = int(dimension_of())
        self.max_seq_length = int(model.max_seq_length)

    @classmethod
    def load(cls, folder: Path) -> TorchBackend:
        from sentence_transformers import SentenceTransformer

        return cls(SentenceTransformer(str(folder), device="cpu", local_files_only=True))

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return _empty(self.dimension)
        vectors = self._model.encode(
            list(texts),
            batch_size=PASSAGE_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalised(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


def _modules(folder: Path) -> list[dict]:
    modules_path = folder / "modules.json"
    return json.loads(modules_path.read_text()) if modules_path.is_file() else []


def transformer_folder(folder: Path) -> Path:
    """Where the Hugging Face transformer of a sentence-transformers model lives."""
    for module in _modules(folder):
        if module["type"].endswith(".Transformer"):
            return folder / module.get("path", "")
    return folder


def _pooling_mode(folder: Path) -> str | None:
    for module in _modules(folder):
        if module["type"].endswith(".Pooling"):
            config = json.loads((folder / module["path"] / "config.json").read_text())
            if config.get("pooling_mode_mean_tokens"):
                return "mean"
            if config.get("pooling_mode_cls_token"):
                return "cls"
    return None


def _max_seq_length(folder: Path) -> int:
    config_path = transformer_folder(folder) / "sentence_bert_config.json"
    if not config_path.is_file():
        config_path = folder / "sentence_bert_config.json"
    if config_path.is_file():
        value = json.loads(config_path.read_text()).get("max_seq_length")
        if value:
            return int(value)
    config = json.loads((transformer_folder(folder) / "config.json").read_text())
    return int(config.get("max_position_embeddings", 512))


def onnx_supported(folder: Path) -> bool:
    """True when the model is Transformer + mean/CLS Pooling (+ Normalize) with a tokenizer.json,
    the shape OnnxBackend reproduces; anything else (Dense layers, other pooling) uses torch."""
    modules = _modules(folder)
    return (
        bool(modules)
        and all(module["type"] in _SUPPORTED_MODULES for module in modules)
        and _pooling_mode(folder) is not None
        and (transformer_folder(folder) / "tokenizer.json").is_file()
    )


def _session(path: Path, threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxBackend:
    """ONNX Runtime over an export cached under the data folder (see onnx_export.py).

    Queries always use the fp32 export, identical to sentence-transformers. Passages use the
    int8 export when its agreement with fp32 passed at export time, else fp32. The passage
    sessions open on first use, so a web process that only embeds queries never loads them.
    """

    def __init__(
        self,
        *,
        tokenizer,
        query_session,
        passage_model: Path,
        threads: int,
        pooling: str,
        dimension: int,
        max_seq_length: int,
        passage_variant: str,
    ) -> None:
        self._tokenizer = tokenizer
        self._query_session = query_session
        self._passage_model = passage_model
        self._passage_sessions: list | None = None
        self._passage_lock = threading.Lock()
        self._threads = threads
        self._pooling = pooling
        self.dimension = dimension
        self.max_seq_length = max_seq_length
        self.passage_variant = passage_variant

    @classmethod
    def load(cls, folder: Path, *, cache_dir: Path, passage_precision: str) -> OnnxBackend:
        import onnxruntime  # noqa: F401  (fail early with ImportError when it is missing)

        from search.dense.onnx_export import ensure_exported

        export = ensure_exported(folder, cache_dir)
        use_int8 = passage_precision == "int8" and export.int8_path is not None
        return cls.from_files(
            folder,
            query_model=export.fp32_path,
            passage_model=export.int8_path if use_int8 else export.fp32_path,
            dimension=export.dimension,
            passage_variant="onnx-int8" if use_int8 else "fp32",
        )

    @classmethod
    def from_files(
        cls,
        folder: Path,
        *,
        query_model: Path,
        passage_model: Path,
        dimension: int,
        passage_variant: str,
        max_seq_length: int | None = None,
    ) -> OnnxBackend:
        """Sessions over given ONNX files; `max_seq_length` overrides the model's own limit
        (the benchmark uses it to measure what truncation would cost)."""
        from tokenizers import Tokenizer

        max_seq_length = max_seq_length or _max_seq_length(folder)
        tokenizer = Tokenizer.from_file(str(transformer_folder(folder) / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_seq_length)
        tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        threads = len(os.sched_getaffinity(0))
        return cls(
            tokenizer=tokenizer,
            query_session=_session(query_model, threads),
            passage_model=passage_model,
            threads=threads,
            pooling=_pooling_mode(folder) or "mean",
            dimension=dimension,
            max_seq_length=max_seq_length,
            passage_variant=passage_variant,
        )

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed([self._query_session], texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if self._passage_sessions is None:
            with self._passage_lock:
                if self._passage_sessions is None:
                    self._passage_sessions = [
                        _session(self._passage_model, 1) for _ in range(self._threads)
                    ]
        return self._embed(self._passage_sessions, texts)

    def _embed(self, sessions: list, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return _empty(self.dimension)
        encodings = self._tokenizer.encode_batch(list(texts))
        order = np.argsort([-len(encoding.ids) for encoding in encodings], kind="stable")
        batches = [
            order[start : start + PASSAGE_BATCH_SIZE]
            for start in range(0, len(order), PASSAGE_BATCH_SIZE)
        ]
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)

        def run_share(worker: int) -> None:
            # Batches are dealt round-robin from longest to shortest, so shares are even.
            for batch in batches[worker :: len(sessions)]:
                input_ids, attention_mask = _padded([encodings[i].ids for i in batch])
                inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
                (hidden,) = sessions[worker].run(None, inputs)
                vectors[batch] = self._pool(hidden, attention_mask)

        workers = min(len(sessions), len(batches))
        if workers == 1:
            run_share(0)
        else:  # ONNX Runtime releases the GIL while it runs
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(run_share, range(workers)))
        return _normalised(vectors)

    def _pool(self, hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        if self._pooling == "cls":
            return hidden[:, 0]
        mask = attention_mask[..., None].astype(np.float32)
        return (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)


def _padded(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    # The pad id is irrelevant: padded positions are masked out of attention and pooling.
    width = max(len(row) for row in rows)
    input_ids = np.zeros((len(rows), width), dtype=np.int64)
    attention_mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        input_ids[i, : len(row)] = row
        attention_mask[i, : len(row)] = 1
    return input_ids, attention_mask
