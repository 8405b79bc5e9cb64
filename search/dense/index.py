"""Listing vectors keyed by listing id, searched exactly, saved atomically.

The index is a projection of the database: it is rebuilt from published listings, never
edited by hand, and an index built with another model (see `Embedder.model_id`) is stale.

On disk an index folder holds
    manifest.json          {"version", "model_id", "dimension", "count", "created_at", "file", ...}
    vectors.<version>.faiss
The manifest is the commit point: the vectors file is written under a temporary name and
renamed first, then the manifest is replaced. A reader that follows the manifest therefore
only ever opens a complete file, and a save that fails at any step leaves the previous
manifest pointing at the previous, intact file.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

MANIFEST_NAME = "manifest.json"
FORMAT = 1
_LOCK_NAME = ".write.lock"
# One OpenMP thread per search. A single query is scanned by one thread anyway, but with two
# FAISS keeps a second one spinning, and on the shared 2-core machine a 100,000-vector scan
# took 61 ms p50 with 2 threads against 8.7 ms with 1 (and 1-thread 10k scans ~1 ms).
# omp_set_num_threads binds the calling thread only, so it is set on every search.
SEARCH_THREADS = 1
# An allow-list is applied by FAISS's IDSelectorBatch, one hash lookup per indexed vector:
# at 100,000 vectors 0.4 ms p50 with 1% allowed but 17 ms with 50%, twice an unfiltered scan.
# From this fraction on, an unfiltered scan of OVERSAMPLE_FACTOR x the expected need is
# filtered instead (and the selector is the fallback when that finds too few).
OVERSAMPLE_MIN_FRACTION = 0.1
OVERSAMPLE_FACTOR = 2
# Largest id range for which membership uses a lookup table (one byte per id in the range).
_MEMBER_TABLE_MAX_RANGE = 50_000_000
# The file of the previous version is kept for a web process that has just read the old
# manifest and is about to open it; older ones are deleted.
_KEPT_OLD_VERSIONS = 1


class VectorIndexError(Exception):
    """Base of the vector index's own errors."""


class IndexMismatchError(VectorIndexError):
    """Vectors or an index file that do not fit this index (dimension, model, checksum)."""


class IndexMissingError(VectorIndexError):
    """No saved index in the folder."""


@dataclass(frozen=True)
class Manifest:
    version: int
    model_id: str
    dimension: int
    count: int
    created_at: str
    file: str
    size_bytes: int
    format: int = FORMAT

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = Path(folder) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError as error:
            raise IndexMissingError(f"no index manifest at {path}") from error
        if data.get("format") != FORMAT:
            raise IndexMismatchError(f"{path} has format {data.get('format')}, expected {FORMAT}")
        return cls(**data)


def _ids_array(ids: Iterable[int]) -> np.ndarray:
    # Allow-lists can hold 50,000 ids: converting them one int() at a time took 9 ms.
    if isinstance(ids, np.ndarray):
        return ids.astype(np.int64, copy=False).ravel()
    return np.fromiter(ids, dtype=np.int64)


def _member(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """np.isin, with a lookup table when the id range is small enough: for 80 values against
    50,000 allowed ids, 0.3 ms instead of 13 ms for numpy's default sort-based method."""
    id_range = int(allowed.max()) - int(allowed.min()) if allowed.size else 0
    kind = "table" if id_range <= _MEMBER_TABLE_MAX_RANGE else "sort"
    return np.isin(values, allowed, kind=kind)


class VectorIndex:
    """Exact inner-product search over L2-normalised vectors (so scores are cosines).

    FAISS IndexIDMap2 over IndexFlatIP: 100,000 x 384 float32 is 150 MB and a full scan
    takes a few milliseconds on 2 cores (bench/search_dense.py), so no approximate index.
    Not thread-safe for writes; searches may run concurrently with each other.
    """

    def __init__(self, dimension: int, model_id: str, *, _faiss_index=None) -> None:
        self.dimension = dimension
        self.model_id = model_id
        self._index = _faiss_index or faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def __contains__(self, listing_id: int) -> bool:
        try:
            self._index.reconstruct(int(listing_id))  # IndexIDMap2 keeps an id -> row map
        except RuntimeError:
            return False
        return True

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self._index.id_map).copy()

    def vector(self, listing_id: int) -> np.ndarray:
        return self._index.reconstruct(int(listing_id))

    def upsert(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Add listings, replacing the vectors of ids already present."""
        id_array = _ids_array(ids)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape != (len(id_array), self.dimension):
            raise IndexMismatchError(
                f"expected {len(id_array)} vectors of dimension {self.dimension}, "
                f"got shape {vectors.shape}"
            )
        # The last vector given for an id wins, as if the upserts had been made one by one.
        _, last = np.unique(id_array[::-1], return_index=True)
        keep = np.sort(len(id_array) - 1 - last)
        id_array, vectors = id_array[keep], vectors[keep]
        # remove_ids rewrites the whole flat array, so skip it for new listings: building
        # 100,000 vectors in upserts of 1,000 took 4.6 s with it every time (21,600/s).
        if len(self) and _member(id_array, faiss.vector_to_array(self._index.id_map)).any():
            self.remove(id_array)
        self._index.add_with_ids(vectors, id_array)

    def remove(self, ids: Iterable[int]) -> int:
        """Remove listings by id; ids not in the index are ignored. Returns how many went."""
        id_array = _ids_array(ids)
        if id_array.size == 0 or len(self) == 0:
            return 0
        return int(self._index.remove_ids(faiss.IDSelectorBatch(id_array)))

    def search(
        self,
        query: np.ndarray,
        k: int,
        *,
        allowed_ids: Iterable[int] | None = None,
    ) -> list[tuple[int, float]]:
        """The k best (listing id, cosine) for one query vector, best first.

        With `allowed_ids`, only those listings are considered: the scan skips every other
        id, so the result is exactly the top k of the allowed ones, never anything else.
        """
        return self.search_many(np.asarray(query)[None, :], k, allowed_ids=allowed_ids)[0]

    def search_many(
        self,
        queries: np.ndarray,
        k: int,
        *,
        allowed_ids: Iterable[int] | None = None,
    ) -> list[list[tuple[int, float]]]:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if queries.ndim != 2 or queries.shape[1] != self.dimension:
            raise IndexMismatchError(
                f"queries must have dimension {self.dimension}, got shape {queries.shape}"
            )
        allowed = None if allowed_ids is None else _ids_array(allowed_ids)
        if allowed is not None:
            k = min(k, int(allowed.size))
        k = min(k, len(self))
        if k <= 0:
            return [[] for _ in queries]
        faiss.omp_set_num_threads(SEARCH_THREADS)
        if allowed is None:
            return self._rows(*self._index.search(queries, k))
        return [self._search_allowed(query[None, :], k, allowed) for query in queries]

    def _search_allowed(self, query: np.ndarray, k: int, allowed: np.ndarray) -> list:
        fraction = allowed.size / len(self)
        if fraction >= OVERSAMPLE_MIN_FRACTION:
            # Rank everything, keep the allowed. If the top `wanted` hold k allowed listings,
            # those are exactly the allowed top k: any allowed listing further down scores no
            # higher than the last one kept.
            wanted = min(len(self), int(np.ceil(k / fraction * OVERSAMPLE_FACTOR)))
            scores, ids = self._index.search(query, wanted)
            keep = _member(ids[0], allowed)
            if keep.sum() >= k or wanted == len(self):
                return self._rows(scores[:, keep][:, :k], ids[:, keep][:, :k])[0]
        # IDSelectorBatch tests membership exactly (a hash set behind a Bloom filter), and
        # IndexIDMap2 applies it to listing ids, not to internal positions.
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        return self._rows(*self._index.search(query, k, params=params))[0]

    @staticmethod
    def _rows(scores: np.ndarray, ids: np.ndarray) -> list[list[tuple[int, float]]]:
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i != -1]
            for row_ids, row_scores in zip(ids, scores, strict=True)
        ]

    # -- persistence --------------------------------------------------------------------

    def save(self, folder: Path | str) -> Manifest:
        """Write this index as the next version in `folder`, atomically (see module doc)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with write_lock(folder):
            try:
                version = Manifest.read(folder).version + 1
            except (IndexMissingError, IndexMismatchError, ValueError, TypeError):
                version = 1
            file_name = f"vectors.{version}.faiss"
            write_atomically(folder / file_name, self._write_to)
            manifest = Manifest(
                version=version,
                model_id=self.model_id,
                dimension=self.dimension,
                count=len(self),
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                file=file_name,
                size_bytes=(folder / file_name).stat().st_size,
            )
            payload = json.dumps(asdict(manifest), indent=2).encode()
            write_atomically(folder / MANIFEST_NAME, lambda path: path.write_bytes(payload))
            fsync_folder(folder)
            _prune_old_versions(folder, keep_from=version - _KEPT_OLD_VERSIONS)
        return manifest

    def _write_to(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, folder: Path | str, *, expected_model_id: str | None = None) -> VectorIndex:
        """Load the version the manifest names; raises IndexMissingError / IndexMismatchError."""
        index, _ = cls.load_with_manifest(folder, expected_model_id=expected_model_id)
        return index

    @classmethod
    def load_with_manifest(
        cls, folder: Path | str, *, expected_model_id: str | None = None
    ) -> tuple[VectorIndex, Manifest]:
        folder = Path(folder)
        manifest = Manifest.read(folder)
        if expected_model_id is not None and manifest.model_id != expected_model_id:
            raise IndexMismatchError(
                f"index in {folder} was built with {manifest.model_id!r}, "
                f"not {expected_model_id!r}: rebuild it"
            )
        path = folder / manifest.file
        size = path.stat().st_size
        if size != manifest.size_bytes:
            raise IndexMismatchError(
                f"{path} has {size} bytes, manifest says {manifest.size_bytes}"
            )
        faiss_index = faiss.read_index(str(path))
        if faiss_index.d != manifest.dimension or faiss_index.ntotal != manifest.count:
            raise IndexMismatchError(f"{path} does not match its manifest")
        index = cls(manifest.dimension, manifest.model_id, _faiss_index=faiss_index)
        return index, manifest


def write_atomically(target: Path, write) -> None:
    """Write via a temporary file in the same folder, fsync it, then rename over `target`."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    temp_path = Path(temp_name)
    try:
        write(temp_path)
        with temp_path.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temp_path, target)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def write_lock(folder: Path | str):
    """One writer at a time per folder, across processes (two rebuilds racing for a version)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / _LOCK_NAME).open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _prune_old_versions(folder: Path, *, keep_from: int) -> None:
    for path in folder.glob("vectors.*.faiss"):
        version_text = path.name.split(".")[1]
        if version_text.isdigit() and int(version_text) < keep_from:
            path.unlink(missing_ok=True)
