"""Hybrid ranking: BM25 with the ko<->en bridge, and dense cosine, fused by a convex combination.

Fusion: each method's scores are min-max normalised over the query's candidates (BM25 by its
top score, cosine between the dense list's last and first) and combined as
    LEXICAL_SHARE * lexical + (1 - LEXICAL_SHARE) * dense,
the convex combination that Bruch et al. (2023, "An analysis of fusion functions for hybrid
retrieval") found more accurate and more stable than reciprocal rank fusion. Measured on the
dev set (BM25+bridge alone nDCG@10 0.871, MiniLM alone 0.64 with the bridged dense texts then,
0.70 since Korean dense texts dropped their Hangul): RRF with equal votes gave 0.79 - it
lets a much weaker ranker reorder a strong ranker's top.
LEXICAL_SHARE 0.75 is the middle of the plateau 0.7-0.8 (0.875-0.877; 0.5 gives 0.79), and
means: dense evidence may reorder listings whose lexical scores are within about a third of
each other, and bring in listings with no shared word, but never overturn a clear lexical win.

The dense model (all-MiniLM-L6-v2) reads English only. A Korean query would reach it only
through the bridge's English words, which BM25 already scores, so for a query with Hangul the
dense vote adds no independent evidence: it lowered Korean-query nDCG@10 from 0.862 to 0.849.
Such queries are ranked lexically (the dense-only run still embeds them, for comparison).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from search.index import SearchIndex
from search.text import MatchedTerm, QueryTerms

HYBRID, LEXICAL, DENSE = "hybrid", "bm25", "dense"
MODES = (HYBRID, LEXICAL, DENSE)
LEXICAL_SHARE = 0.75  # see the module docstring
# How many nearest listings the dense side contributes beyond the lexical matches; 30 and 100
# ranked the dev set identically.
DENSE_CANDIDATES = 50


@dataclass
class Ranked:
    listing_id: int
    score: float
    lexical: float = 0.0
    dense: float | None = None
    matched: tuple[MatchedTerm, ...] = field(default_factory=tuple)


@dataclass
class Ranking:
    """The top of a ranking as objects, and every candidate's row for counts and facets."""

    count: int
    items: list[Ranked]
    candidate_rows: np.ndarray


def rank(
    index: SearchIndex,
    *,
    terms: QueryTerms,
    vector: np.ndarray | None,
    allowed: np.ndarray | None = None,
    mode: str = HYBRID,
    top: int = 10,
    dense_candidates: int = DENSE_CANDIDATES,
) -> Ranking:
    """The best `top` candidates, best first (ties by id); `allowed` limits the candidates.

    `vector` None: no dense evidence (a Korean query in hybrid mode, see module doc).
    Vectorised over all listings: at 100,000 only the top few become Python objects.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    ids = index.row_ids()
    lexical = np.zeros(len(ids), dtype=np.float32)
    if mode != DENSE and len(ids):
        _, lexical = index.bm25.scores(terms.weights())
        lexical = lexical.astype(np.float32, copy=False)
    if allowed is not None:
        lexical = np.where(index.allowed_mask(allowed), lexical, 0.0)
    candidate = lexical > 0
    dense_rows = np.zeros(0, dtype=np.int64)
    cosines = np.zeros(0, dtype=np.float32)
    if mode != LEXICAL and vector is not None and len(index.vectors):
        hits = index.vectors.search(vector, dense_candidates, allowed_ids=allowed)
        dense_rows = index.rows_of([listing_id for listing_id, _ in hits])
        cosines = np.array([cosine for _, cosine in hits], dtype=np.float32)
        candidate[dense_rows] = True
    if mode == LEXICAL:
        fused = lexical
    elif mode == DENSE:
        fused = np.zeros(len(ids), dtype=np.float32)
        fused[dense_rows] = cosines
    else:
        top_lexical = float(lexical.max()) if len(lexical) else 0.0
        fused = LEXICAL_SHARE * (lexical / top_lexical) if top_lexical > 0 else lexical * 0
        if len(cosines) and cosines[0] > cosines[-1]:
            normalised = (cosines - cosines[-1]) / (cosines[0] - cosines[-1])
            fused[dense_rows] += (1 - LEXICAL_SHARE) * normalised
    rows = np.flatnonzero(candidate)
    best = rows
    if len(rows) > top:
        best = rows[np.argpartition(-fused[rows], top - 1)[:top]]
    best = best[np.lexsort((ids[best], -fused[best]))]
    dense_of = dict(zip(dense_rows.tolist(), cosines.tolist(), strict=True))
    items = [Ranked(int(ids[r]), float(fused[r]), lexical=float(lexical[r]),
                    dense=dense_of.get(int(r))) for r in best.tolist()]
    return Ranking(count=len(rows), items=items, candidate_rows=rows)


def _fill_cosines(index: SearchIndex, vector: np.ndarray, items: list[Ranked]) -> None:
    """Cosines of lexical candidates outside the dense top list (shown in reasons only)."""
    for item in items:
        try:
            item.dense = float(np.dot(index.vectors.vector(item.listing_id), vector))
        except RuntimeError:
            item.dense = None


def explain(index: SearchIndex, terms: QueryTerms, vector: np.ndarray | None,
            items: list[Ranked]) -> None:
    """Attach matched query terms (and missing cosines) to the given page of results."""
    if vector is not None:
        _fill_cosines(index, vector, [r for r in items if r.dense is None])
    explained = index.bm25.explain(terms.weights(), [r.listing_id for r in items])
    for item in items:
        item.matched = explained.get(item.listing_id, ())
