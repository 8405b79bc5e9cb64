"""Listing or query -> the weighted terms the BM25 index stores or scores.

Original and bridged terms are kept apart: the index needs both (bridged
terms add to a document's term frequency, not to its length) and the ranker
shows where a bridged match came from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .analysis import DEFAULT_FIELD_WEIGHTS, FieldWeights, analyze_document, analyze_query
from .bridge import Bridge, BridgedTerm


@dataclass
class IndexTerms:
    original: dict[str, float]
    bridged: dict[str, float]
    length: float  # sum of field-weighted original term frequencies
    reasons: list[BridgedTerm] = field(default_factory=list)


@dataclass
class QueryTerms:
    original: dict[str, float]
    bridged: dict[str, float]
    reasons: list[BridgedTerm] = field(default_factory=list)

    def weights(self) -> dict[str, float]:
        """One weight per term: the original weight when a word was also bridged."""
        merged = dict(self.bridged)
        merged.update(self.original)
        return merged

    def reason_for(self, term: str) -> BridgedTerm | None:
        if term in self.original:
            return None
        return next((r for r in self.reasons if r.term == term), None)


def document_terms(
    *,
    title: str,
    description: str,
    tags: Iterable[str] = (),
    language: str,
    bridge: Bridge | None,
    field_weights: FieldWeights = DEFAULT_FIELD_WEIGHTS,
) -> IndexTerms:
    """Index terms of one listing; bridged terms carry the field weight of where they were found."""
    analyzed = analyze_document(
        title=title,
        description=description,
        tags=list(tags),
        language=language,
        field_weights=field_weights,
    )
    bridged: dict[str, float] = defaultdict(float)
    reasons: list[BridgedTerm] = []
    if bridge is not None:
        for name, text in analyzed.fields.items():
            boost = getattr(field_weights, name)
            for term in bridge.bridge(text):
                if term.term in analyzed.terms:
                    continue
                bridged[term.term] += term.weight * boost
                reasons.append(term)
    return IndexTerms(analyzed.terms, dict(bridged), analyzed.length, reasons)


def query_terms(text: str, *, bridge: Bridge | None) -> QueryTerms:
    """Query terms; a bridged term counts once, at its highest weight."""
    analyzed = analyze_query(text)
    bridged: dict[str, float] = {}
    reasons: list[BridgedTerm] = []
    if bridge is not None:
        for term in bridge.bridge(analyzed):
            if term.weight > bridged.get(term.term, 0.0):
                bridged[term.term] = term.weight
            reasons.append(term)
    return QueryTerms(analyzed.terms, bridged, reasons)
