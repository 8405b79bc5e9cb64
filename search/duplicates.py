"""Near-duplicate alerts: a submitted listing whose text is nearly another owner's listing.

Two signals, because copies come in two kinds:
- wording: word-shingle containment over analysed tokens (3-grams, so reordering sentences or
  changing a few words keeps most shingles) - catches lightly edited copies;
- meaning: cosine of the dense vectors, and the overlap of the listings' bridged term
  profiles (a Korean text and its English translation share their bridged terms) - catches
  translated copies, which share no shingle.
lexical = max(shingle containment, cosine of bridged term profiles);
similarity = max(lexical, mean(lexical, dense cosine)).
Dense cosine alone does not separate copies: between distinct dev listings it reaches 0.91
(Korean dense texts are bags of bridged terms and resemble each other), so it only lifts a
pair whose wording also agrees.

Threshold (settings.SEARCH_DUPLICATE_THRESHOLD, 0.65), measured on the 160 dev listings:
12,720 distinct pairs score median 0.19, p99 0.48, p99.9 0.58, max 0.73 (1 pair >= 0.65);
a lightly edited copy of each listing (15% of words dropped, sentences shuffled, new title)
scores 0.88 at the least (p5 0.93); two hand-translated copies (ko->en, en->ko) score 0.68
and 0.70. 0.65 catches every constructed copy and alerts on about 1 in 10,000 distinct
pairs - a moderator dismisses those in a click, a missed copy costs a rights holder more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from exchange.audit.services import audit_record
from exchange.errors import Forbidden
from listings.models import Listing
from search import runtime
from search.documents import SearchDocument, dense_text, document_from_listing, lexical_terms
from search.index import SearchIndex
from search.models import AlertStatus, DuplicateAlert
from search.text import analyze_text

SHINGLE = 3
# Nearest listings compared in full, by meaning and by shared words each.
CANDIDATES = 20


@dataclass(frozen=True)
class Profile:
    shingles: frozenset[tuple[str, ...]]
    terms: dict[str, float]
    vector: np.ndarray


def profile(document: SearchDocument) -> Profile:
    terms = lexical_terms(document, bridge=runtime.bridge())
    tokens = [t.text.lower() for t in analyze_text(f"{document.title}. {document.body}").tokens]
    shingles = frozenset(tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))
    profile_terms = dict(terms.bridged)
    for term, weight in terms.original.items():
        profile_terms[term] = profile_terms.get(term, 0.0) + weight
    vector = runtime.embedder().embed_passages([dense_text(document, terms)])[0]
    return Profile(shingles, profile_terms, vector)


def _containment(a: frozenset, b: frozenset) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


@dataclass(frozen=True)
class Similarity:
    combined: float
    dense: float
    lexical: float


def similarity(a: Profile, b: Profile) -> Similarity:
    dense = max(float(np.dot(a.vector, b.vector)), 0.0)
    lexical = max(_containment(a.shingles, b.shingles), _cosine(a.terms, b.terms))
    return Similarity(max(lexical, (lexical + dense) / 2), dense, lexical)


def _candidates(index: SearchIndex, listing: Listing, mine: Profile) -> list[int]:
    ids = [i for i, _ in index.vectors.search(mine.vector, CANDIDATES)]
    top_terms = dict(sorted(mine.terms.items(), key=lambda kv: -kv[1])[:50])
    ids += [hit.doc_id for hit in index.bm25.search(top_terms, top_k=CANDIDATES)]
    others = Listing.objects.filter(pk__in=set(ids)).exclude(owner_id=listing.owner_id)
    return list(others.values_list("pk", flat=True))


def duplicates_detect(*, listing_id: int) -> list[DuplicateAlert]:
    """Alerts for a listing against the published catalog of other owners; idempotent."""
    listing = Listing.objects.filter(pk=listing_id).first()
    index = runtime.current_index()
    if listing is None or index is None:
        return []
    mine = profile(document_from_listing(listing))
    alerts = []
    for other in Listing.objects.filter(pk__in=_candidates(index, listing, mine)):
        score = similarity(mine, profile(document_from_listing(other)))
        if score.combined < settings.SEARCH_DUPLICATE_THRESHOLD:
            continue
        alert, _ = DuplicateAlert.objects.update_or_create(
            listing=listing, similar_listing=other,
            defaults={"similarity": round(score.combined, 4),
                      "dense_similarity": round(score.dense, 4),
                      "lexical_similarity": round(score.lexical, 4)},
        )
        alerts.append(alert)
    return alerts


def duplicate_alert_dismiss(*, actor, alert: DuplicateAlert) -> DuplicateAlert:
    if not actor.is_moderator:
        raise Forbidden(_("Only moderators may do this."))
    with transaction.atomic():
        updated = DuplicateAlert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
            status=AlertStatus.DISMISSED)
        if updated:
            audit_record(actor=actor, action="listing.duplicate_dismiss", target=alert.listing,
                         data={"similar_listing": alert.similar_listing_id})
    alert.refresh_from_db()
    return alert
