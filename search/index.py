"""The search index: BM25 terms + dense vectors + per-listing metadata, one version on disk.

A projection of the published listings, rebuilt or patched only by search.services. On disk
(settings.SEARCH_INDEX_DIR):

    manifest.json        {"format", "version", "path", "count", "model_id", "created_at"}
    v000012/             bm25.npz, meta.json, dense/ (search.dense.VectorIndex)

A new version is written into a temporary folder, renamed to v<version>, and only then does
the manifest (replaced by rename) point at it: a reader following the manifest never sees a
half-written version, and a build that fails at any step leaves the previous one serving.
Writers take a file lock (one read-modify-write at a time across processes).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from search.dense import VectorIndex
from search.dense.index import write_atomically
from search.dense.index import write_lock as write_lock  # services lock an index folder with it
from search.documents import SearchDocument, dense_text, lexical_terms
from search.listing_table import ListingTable
from search.text import BM25Index, Bridge, IndexTerms

MANIFEST = "manifest.json"
FORMAT = 1
# The previous version stays on disk for a process that read the old manifest a moment ago.
_KEPT_OLD_VERSIONS = 1


class SearchIndexMissing(Exception):
    """No index has been built in this folder yet."""


@dataclass(frozen=True)
class IndexManifest:
    version: int
    path: str
    count: int
    model_id: str
    created_at: str
    format: int = FORMAT

    @classmethod
    def read(cls, folder: Path) -> IndexManifest:
        try:
            data = json.loads((Path(folder) / MANIFEST).read_text())
        except FileNotFoundError as error:
            raise SearchIndexMissing(f"no search index in {folder}") from error
        if data.get("format") != FORMAT:
            raise ValueError(f"search index format {data.get('format')!r}, expected {FORMAT}")
        return cls(**data)


@dataclass
class Prepared:
    """Documents analysed and embedded, ready to go into an index."""

    documents: list[SearchDocument]
    terms: list[IndexTerms]
    vectors: np.ndarray


def prepare(
    documents: Sequence[SearchDocument],
    *,
    bridge: Bridge,
    embed_passages: Callable[[list[str]], np.ndarray],
) -> Prepared:
    """Analyse each document and embed its dense text; identical texts are embedded once."""
    documents = list(documents)
    terms = [lexical_terms(d, bridge=bridge) for d in documents]
    texts = [dense_text(d, t) for d, t in zip(documents, terms, strict=True)]
    unique = list(dict.fromkeys(texts))
    if unique:
        embedded = embed_passages(unique)
        row = {text: i for i, text in enumerate(unique)}
        vectors = embedded[[row[t] for t in texts]]
    else:
        vectors = np.zeros((0, 0), dtype=np.float32)
    return Prepared(documents, terms, vectors)


class SearchIndex:
    def __init__(self, bm25: BM25Index, vectors: VectorIndex,
                 meta: ListingTable | dict[int, dict], version: int | None = None) -> None:
        self.bm25 = bm25
        self.vectors = vectors
        self.meta = meta if isinstance(meta, ListingTable) else ListingTable(meta)
        self.version = version
        self._rows: np.ndarray | None = None
        self._facets: dict[str, tuple[np.ndarray, list[str]]] = {}

    @classmethod
    def empty(cls, *, dimension: int, model_id: str) -> SearchIndex:
        return cls(BM25Index(), VectorIndex(dimension, model_id), ListingTable())

    @property
    def model_id(self) -> str:
        return self.vectors.model_id

    def __len__(self) -> int:
        return len(self.meta)

    def __contains__(self, listing_id: object) -> bool:
        return listing_id in self.meta

    def ids(self) -> set[int]:
        return set(self.meta)

    def hash_of(self, listing_id: int) -> str | None:
        listing_id = int(listing_id)
        return self.meta.value(listing_id, "hash") if listing_id in self.meta else None

    # -- row-aligned views for vectorised ranking (BM25 scores come in its row order) -----

    def row_ids(self) -> np.ndarray:
        if self._rows is None:
            self._rows = self.bm25.doc_ids()
        return self._rows

    def rows_of(self, listing_ids: Sequence[int]) -> np.ndarray:
        """Rows of the given listings, in the order given; ids not in the index are skipped."""
        return self.bm25.rows_of(listing_ids)

    def allowed_mask(self, allowed: np.ndarray) -> np.ndarray:
        ids = self.row_ids()
        if not len(ids) or not len(allowed):
            return np.zeros(len(ids), dtype=bool)
        return np.isin(ids, allowed, kind="table" if ids.max() < 50_000_000 else "sort")

    def facet_codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Per row, a code for the listing's value of `name` (ip_type, region, language)."""
        if name not in self._facets:
            self._facets[name] = self.meta.codes(name, self.row_ids())
        return self._facets[name]

    def _changed(self) -> None:
        self._rows, self._facets = None, {}

    def upsert(self, prepared: Prepared) -> None:
        self._changed()
        for document, terms in zip(prepared.documents, prepared.terms, strict=True):
            self.bm25.add(document.listing_id, terms.original, terms.bridged, terms.length)
            self.meta[document.listing_id] = document.metadata()
        if prepared.documents:
            self.vectors.upsert([d.listing_id for d in prepared.documents], prepared.vectors)

    def remove(self, listing_ids: Iterable[int]) -> int:
        self._changed()
        gone = [int(i) for i in listing_ids if int(i) in self.meta]
        for listing_id in gone:
            self.bm25.remove(listing_id)
            del self.meta[listing_id]
        self.vectors.remove(gone)
        return len(gone)

    # -- persistence ---------------------------------------------------------------------

    def save(self, folder: Path | str) -> IndexManifest:
        """Write as the next version; the caller holds `write_lock(folder)`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            version = IndexManifest.read(folder).version + 1
        except (SearchIndexMissing, ValueError, TypeError):
            version = 1
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=folder))
        try:
            self.bm25.save(building / "bm25.npz")
            self.vectors.save(building / "dense")
            meta = json.dumps(self.meta.to_json(), ensure_ascii=False)
            (building / "meta.json").write_text(meta)
            name = f"v{version:06d}"
            target = folder / name
            if target.exists():  # left by a crash between rename and manifest
                shutil.rmtree(target)
            os.replace(building, target)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        manifest = IndexManifest(
            version=version, path=name, count=len(self), model_id=self.model_id,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        payload = json.dumps(manifest.__dict__, indent=2)
        write_atomically(folder / MANIFEST, lambda path: path.write_text(payload))
        self.version = version
        _prune(folder, keep_from=version - _KEPT_OLD_VERSIONS)
        return manifest

    @classmethod
    def load(cls, folder: Path | str, *, expected_model_id: str | None = None) -> SearchIndex:
        folder = Path(folder)
        manifest = IndexManifest.read(folder)
        path = folder / manifest.path
        vectors = VectorIndex.load(path / "dense", expected_model_id=expected_model_id)
        bm25 = BM25Index.load(path / "bm25.npz")
        meta = ListingTable.from_json(json.loads((path / "meta.json").read_text()))
        if len(meta) != manifest.count or len(vectors) != manifest.count:
            raise ValueError(f"search index {path} does not match its manifest")
        return cls(bm25, vectors, meta, version=manifest.version)


def _prune(folder: Path, *, keep_from: int) -> None:
    for path in folder.glob("v*"):
        if path.is_dir() and path.name[1:].isdigit() and int(path.name[1:]) < keep_from:
            shutil.rmtree(path, ignore_errors=True)
    for path in folder.glob(".building-*"):
        # A build folder older than an hour belongs to a crashed writer (we hold the lock).
        if path.stat().st_mtime < datetime.now(UTC).timestamp() - 3600:
            shutil.rmtree(path, ignore_errors=True)
