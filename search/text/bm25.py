"""Okapi BM25 over weighted terms, stored as one compact sparse matrix.

Term frequencies arrive already field-weighted (BM25F style: title x3, tags
x2, description x1), so one saturation per term and document covers all
fields. Bridged terms add to a document's term frequency but not to its
length: a translation of a word is not a longer document.

Storage (what a web process holds, per stored (document, term) entry): the
term frequency as float16 (float32 if any frequency is not exactly a float16),
the row as int32, and one bit saying whether the document has the term written
(not only bridged) - 6.1 bytes an entry. The
BM25 saturation is computed for the postings of the query's terms only, when
the query runs, with the same float32 arithmetic a precomputed matrix would
use, so scores are bit-identical to precomputing it. At 100,000 listings (14 M
entries) a loaded index, vocabulary included, adds 110 MB to a process where the
separate original, bridged and saturated matrices added 307 MB; scoring a dev
query over all of them went from 4 to 6 ms p50.

Changes (add/remove) are buffered; the first query after a change rebuilds the
matrix in one vectorised pass, so write in batches and query many times.
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

# 2: one matrix of summed frequencies + a written-bit per entry (1 stored original and
# bridged frequencies apart; still readable).
_FORMAT_VERSION = 2
_READABLE_VERSIONS = (1, 2)


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
        # Documents x terms, column-major: a term's postings are one contiguous slice.
        self._tf = _empty_csc(0)
        self._written = np.zeros(0, dtype=np.uint8)  # np.packbits over self._tf.data
        self._order = np.zeros(0, dtype=np.int64)  # rows sorted by document id
        self._pending: dict[int, dict[int, tuple[float, bool]]] = {}
        self._pending_lengths: dict[int, float] = {}
        self._removed: set[int] = set()
        self._built = True
        self._norm = np.zeros(0, dtype=np.float32)  # per row: k1 (1 - b + b dl / avgdl)
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
        row: dict[int, tuple[float, bool]] = {}
        for terms, written in ((original, True), (bridged or {}, False)):
            for term, weight in terms.items():
                if weight > 0:
                    column = self._column(term)
                    tf, was_written = row.get(column, (0.0, False))
                    row[column] = (tf + float(weight), was_written or written)
        size = float(sum(original.values())) if length is None else float(length)
        self._pending[doc_id] = row
        self._pending_lengths[doc_id] = size
        if self._stored_row(doc_id) is not None:
            self._removed.add(doc_id)
        self._built = False

    def remove(self, doc_id: int) -> bool:
        doc_id = int(doc_id)
        present = doc_id in self
        self._pending.pop(doc_id, None)
        self._pending_lengths.pop(doc_id, None)
        if self._stored_row(doc_id) is not None:
            self._removed.add(doc_id)
        self._built = False
        return present

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, int | np.integer):
            return False
        doc_id = int(doc_id)
        if doc_id in self._pending:
            return True
        return self._stored_row(doc_id) is not None and doc_id not in self._removed

    def __len__(self) -> int:
        # _removed holds stored documents only, and every pending one that is stored.
        return len(self._doc_ids) - len(self._removed) + len(self._pending)

    def doc_ids(self) -> np.ndarray:
        self._ensure_built()
        return self._doc_ids.copy()

    def rows_of(self, doc_ids: Iterable[int]) -> np.ndarray:
        """Rows (in doc_ids() order) of the given ids; unknown ids are skipped."""
        self._ensure_built()
        return self._rows(doc_ids)

    def _column(self, term: str) -> int:
        column = self._vocab.get(term)
        if column is None:
            column = self._vocab[term] = len(self._terms)
            self._terms.append(term)
        return column

    def _stored_row(self, doc_id: int) -> int | None:
        """Row of a document in the built matrix (pending changes aside), or None."""
        if not len(self._order):
            return None
        position = int(np.searchsorted(self._doc_ids, doc_id, sorter=self._order))
        if position < len(self._order) and self._doc_ids[self._order[position]] == doc_id:
            return int(self._order[position])
        return None

    # -- build ---------------------------------------------------------------

    def _ensure_built(self) -> None:
        if self._built:
            return
        width = len(self._terms)
        # The written bit travels through the rebuild as the sign of the frequency.
        signed = _resize(self._tf, width).copy()
        signed.data = np.where(self._unpacked_written(), signed.data, -signed.data)
        signed = signed.tocsr()
        keep = np.array([d not in self._removed for d in self._doc_ids.tolist()], dtype=bool)
        signed, doc_ids, lengths = signed[keep], self._doc_ids[keep], self._lengths[keep]
        if self._pending:
            new_ids = np.fromiter(self._pending, dtype=np.int64, count=len(self._pending))
            signed = sp.vstack([signed, _rows_to_csr(list(self._pending.values()), width)],
                               format="csr")
            doc_ids = np.concatenate([doc_ids, new_ids])
            new_lengths = [self._pending_lengths[d] for d in self._pending]
            lengths = np.concatenate([lengths, np.array(new_lengths, dtype=np.float32)])
        signed = signed.tocsc()
        signed.sort_indices()
        self._written = np.packbits(signed.data > 0)
        # scipy keeps indices and indptr int32 while the entries fit (2**31), half of int64.
        self._tf = _compact(sp.csc_matrix(
            (np.abs(signed.data).astype(np.float32), signed.indices, signed.indptr),
            shape=signed.shape))
        self._doc_ids, self._lengths = doc_ids, lengths.astype(np.float32)
        self._pending, self._pending_lengths, self._removed = {}, {}, set()
        self._index_rows()

    def _index_rows(self) -> None:
        """Per-row and per-term statistics of the built matrix."""
        self._order = np.argsort(self._doc_ids, kind="stable")
        self._norm, self._idf = _statistics(self._tf, self._lengths, self.params)
        self._built = True

    def _unpacked_written(self) -> np.ndarray:
        return np.unpackbits(self._written, count=self._tf.nnz).astype(bool)

    # -- scoring -------------------------------------------------------------

    def _saturated(self, tf: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)), in float32."""
        tf = tf.astype(np.float32, copy=False)
        return tf * np.float32(self.params.k1 + 1) / (tf + self._norm[rows])

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
        indptr = self._tf.indptr
        starts, ends = indptr[columns], indptr[columns + 1]
        counts = ends - starts
        if not counts.sum():
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.float32)
        positions = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        which = np.repeat(np.arange(len(columns)), counts)
        rows = self._tf.indices[positions]
        return rows, which, self._saturated(self._tf.data[positions], rows) * weights[which]

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
        if not len(self._order):
            return np.zeros(0, dtype=np.int64)
        positions = np.searchsorted(self._doc_ids, wanted, sorter=self._order)
        positions = positions.clip(max=len(self._order) - 1)
        rows = self._order[positions]
        return rows[self._doc_ids[rows] == wanted]

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
        columns, weights = self._query_vector(query)
        wanted = {int(d): self._stored_row(int(d)) for d in doc_ids}
        rows = np.array([r for r in wanted.values() if r is not None], dtype=np.int64)
        by_row: dict[int, list[MatchedTerm]] = {int(r): [] for r in rows}
        tf = self._tf
        for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
            start, end = tf.indptr[column], tf.indptr[column + 1]
            if start == end:
                continue
            postings = tf.indices[start:end]
            found = np.searchsorted(postings, rows).clip(max=end - start - 1)
            hit = postings[found] == rows
            entries = start + found[hit]
            values = self._saturated(tf.data[entries], rows[hit]) * np.float32(weight)
            written = (self._written[entries >> 3] >> (7 - (entries & 7))) & 1
            for row, value, is_written in zip(
                rows[hit].tolist(), values.tolist(), written.tolist(), strict=True
            ):
                by_row[row].append(MatchedTerm(self._terms[column], value, not is_written))
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
            tf_data=self._tf.data,
            tf_indices=self._tf.indices,
            tf_indptr=self._tf.indptr,
            tf_shape=np.array(self._tf.shape, dtype=np.int64),
            written=self._written,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> BM25Index:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
            version = meta.get("version")
            if version not in _READABLE_VERSIONS:
                raise ValueError(f"unsupported BM25 index format version {version!r}")
            index = cls(BM25Params(**meta["params"]))
            index._terms = list(meta["terms"])
            index._vocab = {t: i for i, t in enumerate(index._terms)}
            index._doc_ids = arrays["doc_ids"].astype(np.int64)
            index._lengths = arrays["lengths"].astype(np.float32)
            if version == 1:
                index._tf, index._written = _merged(
                    _csr_from_arrays("original", arrays), _csr_from_arrays("bridged", arrays))
            else:
                shape = tuple(int(x) for x in arrays["tf_shape"])
                index._tf = _compact(sp.csc_matrix(
                    (arrays["tf_data"], arrays["tf_indices"], arrays["tf_indptr"]), shape=shape))
                index._written = arrays["written"]
        index._index_rows()
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


def _empty_csc(width: int) -> sp.csc_matrix:
    return sp.csc_matrix(
        (np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int32),
         np.zeros(width + 1, dtype=np.int32)), shape=(0, width))


def _rows_to_csr(rows: list[dict[int, tuple[float, bool]]], width: int) -> sp.csr_matrix:
    """Rows of {column: (tf, written)} as a CSR matrix of tf, negated where not written."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    count = int(indptr[-1])
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=count)
    data = np.fromiter(
        (tf if written else -tf for r in rows for tf, written in r.values()),
        dtype=np.float32, count=count,
    )
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def _resize(matrix: sp.csc_matrix, width: int) -> sp.csc_matrix:
    """The matrix with `width` columns; new terms are empty columns at the end."""
    indptr = matrix.indptr
    if len(indptr) - 1 < width:
        tail = np.full(width + 1 - len(indptr), indptr[-1], dtype=indptr.dtype)
        indptr = np.concatenate([indptr, tail])
    data = matrix.data.astype(np.float32)
    return sp.csc_matrix((data, matrix.indices, indptr), shape=(matrix.shape[0], width))


def _compact(matrix: sp.csc_matrix) -> sp.csc_matrix:
    """Frequencies as float16 when every one of them is exactly a float16, else float32.

    Field-weighted frequencies are sums of multiples of 1/4 (boosts 3, 2, 1 times word
    counts, compound and bridge weights 1/2), which float16 holds exactly up to 512; the
    check keeps anything else in float32, so scores never change. Only this module reads
    the data, always through `_saturated` (float32); at 100,000 listings this saves 28 MB.
    """
    if matrix.data.dtype == np.float16:  # as saved by to_bytes, already checked
        return matrix
    half = matrix.data.astype(np.float16)
    if np.array_equal(half.astype(np.float32), matrix.data):
        matrix.data = half
    return matrix


def _statistics(tf: sp.csc_matrix, lengths: np.ndarray,
                params: BM25Params) -> tuple[np.ndarray, np.ndarray]:
    """Per row k1 (1 - b + b dl / avgdl); per term idf = ln(1 + (N - df + 0.5) / (df + 0.5))."""
    n_docs = tf.shape[0]
    average = float(lengths.mean()) if n_docs and lengths.mean() > 0 else 1.0
    norm = (params.k1 * (1 - params.b + params.b * lengths / average)).astype(np.float32)
    df = np.diff(tf.indptr).astype(np.float32)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    return norm, idf


def _merged(original: sp.csr_matrix, bridged: sp.csr_matrix) -> tuple[sp.csc_matrix, np.ndarray]:
    """Format 1's two matrices as summed frequencies (CSC) and the packed written-bits."""
    total = (original + bridged).tocsc()
    total.sort_indices()
    # Frequencies are positive, so the original entries are a subset of the total's: adding
    # 1 per total entry and 1 per original entry gives the total's pattern, 2 where written.
    pattern = sp.csc_matrix((np.ones(total.nnz, np.int8), total.indices, total.indptr),
                            shape=total.shape)
    written = (pattern + (original != 0).astype(np.int8)).tocsc()
    written.sort_indices()
    flags = written.data == 2
    tf = sp.csc_matrix((total.data.astype(np.float32), total.indices, total.indptr),
                       shape=total.shape)
    return _compact(tf), np.packbits(flags)


def _csr_from_arrays(name: str, arrays: Mapping[str, np.ndarray]) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{name}_shape"])
    return sp.csr_matrix(
        (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"]),
        shape=shape,
        dtype=np.float32,
    )
