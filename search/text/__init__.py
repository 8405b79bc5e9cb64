"""The Django-free text side of search: Korean-aware analysis, a ko<->en bridge, BM25.

bridge = Bridge()                      # once per process (loads the lexicon)
terms = document_terms(title=..., description=..., tags=[...], language="ko", bridge=bridge)
index.add(listing_id, terms.original, terms.bridged, terms.length)
query = query_terms("무등산 XR 콘텐츠", bridge=bridge)
hits = index.search(query.weights(), top_k=20, candidates=allowed_ids)
"""

from .analysis import FieldWeights, analyze_document, analyze_query, analyze_text
from .bm25 import BM25Index, BM25Params, Hit, MatchedTerm
from .bridge import Bridge, BridgedTerm
from .pipeline import IndexTerms, QueryTerms, document_terms, query_terms
from .romanize import romanize, romanize_name, romanized_keys

__all__ = [
    "BM25Index",
    "BM25Params",
    "Bridge",
    "BridgedTerm",
    "FieldWeights",
    "Hit",
    "IndexTerms",
    "MatchedTerm",
    "QueryTerms",
    "analyze_document",
    "analyze_query",
    "analyze_text",
    "document_terms",
    "query_terms",
    "romanize",
    "romanize_name",
    "romanized_keys",
]
