"""A query as the index needs it: bridged terms and, when the dense model can read it, a vector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search import runtime
from search.documents import dense_query_text, english_bridge_targets
from search.ranking import DENSE, HYBRID
from search.text import QueryTerms, query_terms
from search.text.normalize import has_hangul


@dataclass
class PlannedQuery:
    text: str
    terms: QueryTerms
    vector: np.ndarray | None


def plan_query(text: str, *, mode: str = HYBRID) -> PlannedQuery:
    terms = query_terms(text, bridge=runtime.bridge())
    vector = None
    if mode == DENSE:
        targets = english_bridge_targets(terms) if has_hangul(text) else []
        vector = runtime.embedder().embed_query(dense_query_text(text, targets))
    elif mode == HYBRID and not has_hangul(text):
        # See search.ranking: the English-only model adds nothing to a Korean query.
        vector = runtime.embedder().embed_query(text)
    return PlannedQuery(text, terms, vector)
