"""Hybrid ranking: BM25 with the ko<->en bridge, and dense cosine, fused by a convex combination.

Fusion: each method's scores are min-max normalised over the query's candidates (BM25 by its
top score, cosine between the dense list's last and first) and combined as
    LEXICAL_SHARE * lexical + (1 - LEXICAL_SHARE) * dense,
the convex combination that Bruch et al. (2023, "An analysis of fusion functions for hybrid
retrieval") found more accurate and more stable than reciprocal rank fusion. Measured on the
dev set (BM25+bridge alone nDCG@10 0.871, MiniLM alone 0.64 with the bridged dense texts):
RRF with equal votes gave 0.79 - it lets a much weaker ranker reorder a strong ranker's top.
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
    lexical_rank: int | None = None
    dense_rank: int | None = None
    matched: tuple[MatchedTerm, ...] = field(default_factory=tuple)


def _lexical_ranking(index: SearchIndex, weights: dict[str, float],
                     allowed: np.ndarray | None) -> list[tuple[int, float]]:
    doc_ids, scores = index.bm25.scores(weights, None if allowed is None else allowed)
    positive = np.flatnonzero(scores > 0)
    order = positive[np.lexsort((doc_ids[positive], -scores[positive]))]
    return [(int(doc_ids[i]), float(scores[i])) for i in order]


def _dense_ranking(index: SearchIndex, vector: np.ndarray | None, allowed: np.ndarray | None,
                   k: int) -> list[tuple[int, float]]:
    if vector is None or len(index.vectors) == 0:
        return []
    return index.vectors.search(vector, k, allowed_ids=allowed)


def rank(
    index: SearchIndex,
    *,
    terms: QueryTerms,
    vector: np.ndarray | None,
    allowed: np.ndarray | None = None,
    mode: str = HYBRID,
    dense_candidates: int = DENSE_CANDIDATES,
) -> list[Ranked]:
    """Every candidate listing, best first (ties by id). `allowed` limits the candidates.

    `vector` None: no dense evidence (a Korean query in hybrid mode, see module doc)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    lexical = [] if mode == DENSE else _lexical_ranking(index, terms.weights(), allowed)
    dense = [] if mode == LEXICAL else _dense_ranking(index, vector, allowed, dense_candidates)
    found: dict[int, Ranked] = {}
    for position, (listing_id, score) in enumerate(lexical, start=1):
        found[listing_id] = Ranked(listing_id, 0.0, lexical=score, lexical_rank=position)
    for position, (listing_id, cosine) in enumerate(dense, start=1):
        item = found.setdefault(listing_id, Ranked(listing_id, 0.0))
        item.dense, item.dense_rank = cosine, position
    top_lexical = lexical[0][1] if lexical else 0.0
    dense_top = dense[0][1] if dense else 0.0
    dense_floor = dense[-1][1] if dense else 0.0
    for item in found.values():
        item.score = _fused(item, mode, top_lexical, dense_top, dense_floor)
    ranked = sorted(found.values(), key=lambda r: (-r.score, r.listing_id))
    return ranked


def _fill_cosines(index: SearchIndex, vector: np.ndarray, items: list[Ranked]) -> None:
    """Cosines of lexical candidates outside the dense top list (shown in reasons only)."""
    for item in items:
        try:
            item.dense = float(np.dot(index.vectors.vector(item.listing_id), vector))
        except RuntimeError:
            item.dense = None


def _fused(item: Ranked, mode: str, top_lexical: float, dense_top: float,
           dense_floor: float) -> float:
    if mode == LEXICAL:
        return item.lexical
    if mode == DENSE:
        return item.dense or 0.0
    lexical = item.lexical / top_lexical if top_lexical > 0 else 0.0
    dense = 0.0
    if item.dense_rank is not None and dense_top > dense_floor:
        dense = (item.dense - dense_floor) / (dense_top - dense_floor)
    return LEXICAL_SHARE * lexical + (1 - LEXICAL_SHARE) * dense


def explain(index: SearchIndex, terms: QueryTerms, vector: np.ndarray | None,
            items: list[Ranked]) -> None:
    """Attach matched query terms (and missing cosines) to the given page of results."""
    if vector is not None:
        _fill_cosines(index, vector, [r for r in items if r.dense is None])
    explained = index.bm25.explain(terms.weights(), [r.listing_id for r in items])
    for item in items:
        item.matched = explained.get(item.listing_id, ())
