"""Reads: search, similar listings, recommendations for a brief, and the index's health.

Filters are exact: the database computes the set of allowed listing ids with the listings
app's own filters (listings.filters.ListingFilter, the ones browsing uses), and ranking
happens only inside that set. Results are re-read from the database, so a listing
suspended a moment ago never shows even before the index has caught up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import serializers

from exchange.errors import ApplicationError, InvalidInput, NotFound
from exchange.regions import normalize_territory
from licensing.selectors import available_listing_ids
from listings.filters import ListingFilter
from listings.models import Listing, ListingStatus, Medium
from search import runtime
from search.index import SearchIndex
from search.models import AlertStatus, DirtyListing, DuplicateAlert
from search.query import PlannedQuery, plan_query
from search.ranking import HYBRID, Ranked, explain, rank
from search.reasons import reasons_for

FILTER_FIELDS = (
    "ip_type", "region", "language", "asset_format", "medium", "territory",
    "min_price_krw", "max_price_krw", "exclusive_available",
)
AVAILABILITY_FIELDS = ("available_from", "available_to")
FACET_FIELDS = ("ip_type", "region", "language")


class SearchUnavailable(ApplicationError):
    code = "search_unavailable"
    status_code = 503


def serving_index() -> SearchIndex:
    index = runtime.current_index()
    if index is None:
        raise SearchUnavailable("The search index is not built yet; try again shortly.")
    return index


class AvailabilityInput(serializers.Serializer):
    """A period the rights must be free for: with the medium and territory asked."""

    available_from = serializers.DateField()
    available_to = serializers.DateField()
    medium = serializers.ChoiceField(choices=Medium.choices)
    territory = serializers.CharField(max_length=2)

    def validate(self, attrs):
        if attrs["available_to"] < attrs["available_from"]:
            raise serializers.ValidationError(
                {"available_to": ["must be on or after available_from"]})
        return attrs


def _free_for_the_period(filters: QueryDict | dict, ids: np.ndarray) -> np.ndarray:
    """Licensing's availability as an exact filter, when a period is asked for."""
    if not any(filters.get(name) for name in AVAILABILITY_FIELDS):
        return ids
    wanted = AvailabilityInput(data={name: filters.get(name) for name in
                                     (*AVAILABILITY_FIELDS, "medium", "territory")})
    wanted.is_valid(raise_exception=True)
    data = wanted.validated_data
    exclusive = str(filters.get("exclusive_available", "")).lower() in ("true", "1")
    free = available_listing_ids(ids.tolist(), data["medium"],
                                 normalize_territory(data["territory"]),
                                 data["available_from"], data["available_to"], exclusive)
    return np.asarray(free, dtype=np.int64)


def allowed_listing_ids(filters: QueryDict | dict) -> np.ndarray | None:
    """Published listings passing the exact filters (and free for the period asked,
    if one is); None when no filter is given."""
    data = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        values = filters.getlist(name) if isinstance(filters, QueryDict) else filters.get(name)
        if values in (None, "", []):
            continue
        for value in values if isinstance(values, list | tuple) else [values]:
            if value not in (None, ""):
                data.appendlist(name, str(value))
    if not data:
        return None
    filterset = ListingFilter(data=data,
                              queryset=Listing.objects.filter(status=ListingStatus.PUBLISHED))
    if not filterset.is_valid():
        raise serializers.ValidationError(filterset.errors)
    ids = filterset.qs.order_by().values_list("pk", flat=True)
    return _free_for_the_period(filters, np.fromiter(ids, dtype=np.int64))


def facets(index: SearchIndex, rows: np.ndarray) -> dict[str, dict[str, int]]:
    """Counts per ip_type, region and language over every candidate (not just the page)."""
    out = {}
    for name in FACET_FIELDS:
        codes, labels = index.facet_codes(name)
        counts = np.bincount(codes[rows], minlength=len(labels)) if len(rows) else []
        pairs = [(labels[c], int(n)) for c, n in enumerate(counts) if n]
        out[name] = dict(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))
    return out


@dataclass
class ResultPage:
    count: int
    results: list[dict]
    facets: dict = field(default_factory=dict)


def render(index: SearchIndex, planned: PlannedQuery, page: list[Ranked], *,
           preferred_regions: set[str] | None = None, extra_reasons=None) -> list[dict]:
    """Result rows for a page, read back from the database (published ones only)."""
    explain(index, planned.terms, planned.vector, page)
    rows = {
        row["pk"]: row
        for row in Listing.objects.filter(pk__in=[r.listing_id for r in page],
                                          status=ListingStatus.PUBLISHED)
        .values("pk", "external_id", "title", "ip_type", "region", "language", "summary")
    }
    results = []
    for item in page:
        row = rows.get(item.listing_id)
        if row is None:
            continue  # unpublished since the index last saw it
        reasons = reasons_for(item, planned.terms, row, preferred_regions=preferred_regions)
        if extra_reasons:
            reasons.extend(extra_reasons(item))
        results.append({
            "id": row["pk"], "external_id": row["external_id"], "title": row["title"],
            "ip_type": row["ip_type"], "region": row["region"], "language": row["language"],
            "summary": row["summary"], "score": round(float(item.score), 4), "reasons": reasons,
        })
    return results


def search(*, text: str, filters: QueryDict | dict | None = None, limit: int = 20,
           offset: int = 0, mode: str = HYBRID, index: SearchIndex | None = None) -> ResultPage:
    index = index or serving_index()
    allowed = allowed_listing_ids(filters or {})
    planned = plan_query(text, mode=mode)
    ranking = rank(index, terms=planned.terms, vector=planned.vector, allowed=allowed, mode=mode,
                   top=offset + limit)
    page = ranking.items[offset:offset + limit]
    return ResultPage(count=ranking.count, results=render(index, planned, page),
                      facets=facets(index, ranking.candidate_rows))


def ranked_ids(*, text: str, filters: dict | None = None, mode: str = HYBRID,
               index: SearchIndex | None = None, limit: int = 10) -> list[int]:
    """Just the ids, best first: what the evaluation scores."""
    index = index or serving_index()
    planned = plan_query(text, mode=mode)
    ranking = rank(index, terms=planned.terms, vector=planned.vector,
                   allowed=allowed_listing_ids(filters or {}), mode=mode, top=limit)
    return [r.listing_id for r in ranking.items]


def similar(*, listing: Listing, limit: int = 10) -> list[dict]:
    """Nearest published listings: by meaning (the listing's own vector) and by shared words
    (its title and tags as a query)."""
    index = serving_index()
    if listing.pk in index:
        vector = index.vectors.vector(listing.pk)
    else:
        from search.documents import dense_text, document_from_listing, lexical_terms

        document = document_from_listing(listing)
        terms = lexical_terms(document, bridge=runtime.bridge())
        vector = runtime.embedder().embed_passages([dense_text(document, terms)])[0]
    text = " ".join([listing.title, *[str(t) for t in listing.tags or []]])
    planned = PlannedQuery(text, plan_query(text, mode="bm25").terms, vector)
    allowed = np.fromiter((i for i in index.meta if i != listing.pk), dtype=np.int64)
    ranking = rank(index, terms=planned.terms, vector=vector, allowed=allowed, top=limit)
    return render(index, planned, ranking.items)


def index_health() -> dict:
    """For /healthz: can search answer? A missing index is fine while nothing is published."""
    try:
        index = runtime.current_index()
    except Exception as error:  # the health page reports, never raises
        return {"ok": False, "state": "error", "error": str(error)}
    dirty = DirtyListing.objects.count()
    if index is None:
        published = Listing.objects.filter(status=ListingStatus.PUBLISHED).exists()
        state = {"ok": not published, "state": "missing", "dirty": dirty}
        if runtime.holder().error:
            state["error"] = runtime.holder().error
        return state
    return {"ok": True, "state": "ready", "version": index.version, "listings": len(index),
            "dirty": dirty, "reload_interval_s": settings.SEARCH_RELOAD_INTERVAL_S}


def duplicate_alerts(*, listing_id=None, status=None):
    """Near-duplicate alerts for moderators, the most similar first."""
    alerts = DuplicateAlert.objects.select_related("similar_listing__owner")
    if listing_id not in (None, ""):
        try:
            alerts = alerts.filter(listing_id=int(listing_id))
        except ValueError:
            raise InvalidInput.for_field("listing", _("must be a listing id")) from None
    if status:
        if status not in AlertStatus.values:
            raise InvalidInput.for_field("status", _("must be one of %(choices)s")
                                         % {"choices": ", ".join(AlertStatus.values)})
        alerts = alerts.filter(status=status)
    return alerts


def duplicate_alert_get(*, pk) -> DuplicateAlert:
    alert = DuplicateAlert.objects.select_related("similar_listing__owner").filter(pk=pk).first()
    if alert is None:
        raise NotFound(_("No such alert."))
    return alert
