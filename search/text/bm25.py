"""Okapi BM25 over weighted terms, on scipy sparse matrices.

Term frequencies arrive already field-weighted (BM25F style: title x3, tags
x2, description x1), so one saturation per term and document covers all
fields. Bridged terms add to a document's term frequency but not to its
length: a translation of a word is not a longer document.

Changes (add/remove) are buffered; the first query after a change rebuilds the
saturated score matrix in one vectorised pass (about 0.3 s per million
stored term entries), so write in batches and query many times. A query then
costs one column slice and one sparse mat-vec: a few ms at 100,000 documents.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

_FORMAT_VERSION = 1


@dataclass(frozen=True)
class BM25Params:
    # The usual Okapi defaults (Robertson & Zaragoza 2009); listings are
    # short and even in length, so there was nothing to gain from tuning them.
    k1: float = 1.2
    b: float = 0.75


@dataclass(frozen=True)
class MatchedTerm:
    term: str
    contribution: float
    via_document_bridge: bool  # the document has the term only as a bridged term


@dataclass(frozen=True)
class Hit:
    doc_id: int
    score: float
    matched: tuple[MatchedTerm, ...]


class BM25Index:
    def __init__(self, params: BM25Params | None = None) -> None:
        self.params = params or BM25Params()
        self._vocab: dict[str, int] = {}
        self._terms: list[str] = []
        self._doc_ids = np.zeros(0, dtype=np.int64)
        self._lengths = np.zeros(0, dtype=np.float32)
        self._original = sp.csr_matrix((0, 0), dtype=np.float32)
        self._bridged = sp.csr_matrix((0, 0), dtype=np.float32)
        self._row_of: dict[int, int] = {}
        self._pending: dict[int, tuple[dict[int, float], dict[int, float], float]] = {}
        self._removed: set[int] = set()
        self._scores: sp.csc_matrix | None = None
        self._idf = np.zeros(0, dtype=np.float32)

    # -- changes -------------------------------------------------------------

    def add(
        self,
        doc_id: int,
        original: Mapping[str, float],
        bridged: Mapping[str, float] | None = None,
        length: float | None = None,
    ) -> None:
        """Add or replace a document. length defaults to the sum of original weights."""
        doc_id = int(doc_id)
        self._removed.discard(doc_id)
        row_original = {self._column(t): float(w) for t, w in original.items() if w > 0}
        row_bridged = {self._column(t): float(w) for t, w in (bridged or {}).items() if w > 0}
        size = float(sum(original.values())) if length is None else float(length)
        self._pending[doc_id] = (row_original, row_bridged, size)
        if doc_id in self._row_of:
            self._removed.add(doc_id)
        self._scores = None

    def remove(self, doc_id: int) -> bool:
        doc_id = int(doc_id)
        present = doc_id in self
        self._pending.pop(doc_id, None)
        if doc_id in self._row_of:
            self._removed.add(doc_id)
        self._scores = None
        return present

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, int | np.integer):
            return False
        doc_id = int(doc_id)
        return doc_id in self._pending or (doc_id in self._row_of and doc_id not in self._removed)

    def __len__(self) -> int:
        stored = sum(1 for d in self._row_of if d not in self._removed)
        return stored + sum(1 for d in self._pending if d not in self._row_of or d in self._removed)

    def doc_ids(self) -> np.ndarray:
        self._ensure_built()
        return self._doc_ids.copy()

    def _column(self, term: str) -> int:
        column = self._vocab.get(term)
        if column is None:
            column = self._vocab[term] = len(self._terms)
            self._terms.append(term)
        return column

    # -- build ---------------------------------------------------------------

    def _ensure_built(self) -> None:
        if self._scores is not None:
            return
        width = len(self._terms)
        keep = np.array([d not in self._removed for d in self._doc_ids.tolist()], dtype=bool)
        original = _resize(self._original, width)[keep]
        bridged = _resize(self._bridged, width)[keep]
        doc_ids, lengths = self._doc_ids[keep], self._lengths[keep]
        if self._pending:
            new_ids = np.fromiter(self._pending, dtype=np.int64, count=len(self._pending))
            rows = list(self._pending.values())
            original = sp.vstack(
                [original, _rows_to_csr([r[0] for r in rows], width)], format="csr"
            )
            bridged = sp.vstack([bridged, _rows_to_csr([r[1] for r in rows], width)], format="csr")
            doc_ids = np.concatenate([doc_ids, new_ids])
            lengths = np.concatenate([lengths, np.array([r[2] for r in rows], dtype=np.float32)])
        self._original, self._bridged = original.astype(np.float32), bridged.astype(np.float32)
        self._doc_ids, self._lengths = doc_ids, lengths.astype(np.float32)
        self._row_of = {int(d): i for i, d in enumerate(doc_ids.tolist())}
        self._pending, self._removed = {}, set()
        self._scores, self._idf = _saturate(
            self._original + self._bridged, self._lengths, self.params
        )

    # -- scoring -------------------------------------------------------------

    def _query_vector(self, query: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        columns = [self._vocab[t] for t in query if t in self._vocab and query[t] > 0]
        columns = np.array(columns, dtype=np.int64)
        weights = np.array([query[self._terms[c]] for c in columns], dtype=np.float32)
        return columns, weights * self._idf[columns] if len(columns) else weights

    def _postings(self, columns: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, ...]:
        """(row, position in the query, contribution) of every matching (document, term).

        Gathering the CSC slices by hand and summing with bincount is ~10x
        faster than slicing the matrix and a sparse mat-vec.
        """
        assert self._scores is not None
        starts, ends = self._scores.indptr[columns], self._scores.indptr[columns + 1]
        counts = ends - starts
        if not counts.sum():
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.float32)
        positions = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        which = np.repeat(np.arange(len(columns)), counts)
        rows = self._scores.indices[positions]
        return rows, which, self._scores.data[positions] * weights[which]

    def scores(
        self, query: Mapping[str, float], candidates: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(doc_ids, scores) for every document, or for the candidates that are in the index."""
        self._ensure_built()
        columns, weights = self._query_vector(query)
        rows, _, contributions = self._postings(columns, weights)
        totals = np.bincount(rows, weights=contributions, minlength=len(self._doc_ids))
        if candidates is None:
            return self._doc_ids.copy(), totals
        rows = self._rows(candidates)
        return self._doc_ids[rows], totals[rows]

    def _rows(self, doc_ids: Iterable[int]) -> np.ndarray:
        """Rows of the given ids (unknown ids skipped), vectorised for large candidate sets."""
        wanted = np.fromiter((int(d) for d in doc_ids), dtype=np.int64)
        order = np.argsort(self._doc_ids, kind="stable")
        sorted_ids = self._doc_ids[order]
        positions = np.searchsorted(sorted_ids, wanted).clip(max=max(len(sorted_ids) - 1, 0))
        found = sorted_ids[positions] == wanted if len(sorted_ids) else np.zeros(0, dtype=bool)
        return order[positions[found]]

    def search(
        self,
        query: Mapping[str, float],
        *,
        top_k: int = 10,
        candidates: Iterable[int] | None = None,
    ) -> list[Hit]:
        """Best documents with a positive score, best first (ties by doc id), with matched terms."""
        doc_ids, totals = self.scores(query, candidates)
        positive = np.flatnonzero(totals > 0)
        if len(positive) > top_k:
            positive = positive[np.argpartition(-totals[positive], top_k - 1)[:top_k]]
        order = sorted(positive.tolist(), key=lambda i: (-totals[i], doc_ids[i]))
        top_ids = [int(doc_ids[i]) for i in order]
        explained = self.explain(query, top_ids)
        return [Hit(d, float(totals[i]), explained[d]) for d, i in zip(top_ids, order, strict=True)]

    def explain(
        self, query: Mapping[str, float], doc_ids: Iterable[int]
    ) -> dict[int, tuple[MatchedTerm, ...]]:
        """Per document, the query terms it matched and what each added, largest first.

        Looks each (document, query term) up by binary search in the term's
        posting list, so the cost depends on the few documents asked about.
        """
        self._ensure_built()
        assert self._scores is not None
        columns, weights = self._query_vector(query)
        wanted = {int(d): self._row_of.get(int(d)) for d in doc_ids}
        rows = np.array([r for r in wanted.values() if r is not None], dtype=np.int64)
        by_row: dict[int, list[MatchedTerm]] = {int(r): [] for r in rows}
        scores, original = self._scores, self._original
        written = {
            int(r): set(original.indices[original.indptr[r] : original.indptr[r + 1]].tolist())
            for r in rows
        }
        for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
            start, end = scores.indptr[column], scores.indptr[column + 1]
            if start == end:
                continue
            postings = scores.indices[start:end]
            found = np.searchsorted(postings, rows).clip(max=end - start - 1)
            hit = postings[found] == rows
            for row, position in zip(rows[hit].tolist(), found[hit].tolist(), strict=True):
                value = float(scores.data[start + position] * weight)
                by_row[row].append(
                    MatchedTerm(self._terms[column], value, column not in written[row])
                )
        return {
            doc_id: tuple(sorted(by_row.get(row, []), key=lambda m: (-m.contribution, m.term)))
            if row is not None
            else ()
            for doc_id, row in wanted.items()
        }

    # -- persistence ---------------------------------------------------------

    def to_bytes(self) -> bytes:
        """A compressed .npz: arrays only, vocabulary and parameters as JSON; no pickle."""
        self._ensure_built()
        meta = {"version": _FORMAT_VERSION, "params": asdict(self.params), "terms": self._terms}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.frombuffer(
                json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
            ),
            doc_ids=self._doc_ids,
            lengths=self._lengths,
            **_csr_arrays("original", self._original),
            **_csr_arrays("bridged", self._bridged),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> BM25Index:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
            if meta.get("version") != _FORMAT_VERSION:
                raise ValueError(f"unsupported BM25 index format version {meta.get('version')!r}")
            index = cls(BM25Params(**meta["params"]))
            index._terms = list(meta["terms"])
            index._vocab = {t: i for i, t in enumerate(index._terms)}
            index._doc_ids = arrays["doc_ids"].astype(np.int64)
            index._lengths = arrays["lengths"].astype(np.float32)
            index._original = _csr_from_arrays("original", arrays)
            index._bridged = _csr_from_arrays("bridged", arrays)
        index._row_of = {int(d): i for i, d in enumerate(index._doc_ids.tolist())}
        return index

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write a temporary file beside the target, then rename: no reader sees half a file."""
        target = Path(path)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.to_bytes())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BM25Index:
        return cls.from_bytes(Path(path).read_bytes())


def _rows_to_csr(rows: list[dict[int, float]], width: int) -> sp.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(indptr[-1]))
    data = np.fromiter(
        (v for r in rows for v in r.values()), dtype=np.float32, count=int(indptr[-1])
    )
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))
    matrix.sum_duplicates()
    return matrix


def _resize(matrix: sp.csr_matrix, width: int) -> sp.csr_matrix:
    if matrix.shape[1] == width:
        return matrix
    return sp.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width)
    )


def _saturate(
    tf: sp.csr_matrix, lengths: np.ndarray, params: BM25Params
) -> tuple[sp.csc_matrix, np.ndarray]:
    """Per (document, term): tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)); and idf per term."""
    n_docs = tf.shape[0]
    tf = tf.tocsr()
    tf.eliminate_zeros()
    average = float(lengths.mean()) if n_docs and lengths.mean() > 0 else 1.0
    norm = params.k1 * (1 - params.b + params.b * lengths / average)
    row_norm = np.repeat(norm.astype(np.float32), np.diff(tf.indptr))
    data = tf.data * (params.k1 + 1) / (tf.data + row_norm)
    saturated = sp.csr_matrix(
        (data.astype(np.float32), tf.indices, tf.indptr), shape=tf.shape
    ).tocsc()
    df = np.diff(saturated.indptr).astype(np.float32)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    return saturated, idf


def _csr_arrays(name: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    return {
        f"{name}_data": matrix.data,
        f"{name}_indices": matrix.indices,
        f"{name}_indptr": matrix.indptr,
        f"{name}_shape": np.array(matrix.shape, dtype=np.int64),
    }


def _csr_from_arrays(name: str, arrays: Mapping[str, np.ndarray]) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{name}_shape"])
    return sp.csr_matrix(
        (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"]),
        shape=shape,
        dtype=np.float32,
    )
