"""Search on the pages: meaning-based results for browse, a rights checker and similar IP
on a listing. Thin doors onto search.selectors and licensing.selectors."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError

from exchange.errors import ApplicationError
from licensing.models import ClaimKind
from licensing.selectors import blocks_for
from licensing.terms import Terms, clean_media, clean_period, clean_territories
from listings.selectors import listing_get
from search import selectors as search_selectors
from search.selectors import SearchUnavailable

from ..forms.errors import error_reasons
from ..templatetags.exchange_tags import ldate, medium_label, territory_name

PAGE_SIZE = 12
SIMILAR_COUNT = 4
# The API's own ceiling (search.api.MAX_OFFSET): deeper pages rank too many candidates.
MAX_OFFSET = 10_000

def _offset(request) -> int:
    try:
        return min(max(int(request.GET.get("offset", 0)), 0), MAX_OFFSET)
    except ValueError:
        return 0


def search_results(request, text: str) -> dict:
    """The browse page's results for a text query, ranked by meaning and words within the
    form's exact filters. Raises SearchUnavailable when no index is served yet."""
    offset = _offset(request)
    try:
        page = search_selectors.search(
            text=text, filters=request.GET, limit=PAGE_SIZE, offset=offset
        )
    except ValidationError as error:  # a bad filter or period: named next to the results
        detail = error.detail if isinstance(error.detail, dict) else {"": error.detail}
        return {
            "search_mode": True,
            "hits": [],
            "total": 0,
            "errors": detail,
            "facets": {},
            "offset": offset,
        }
    hits = page.results  # their reasons are already in the reader's language (search.reasons)
    return {
        "search_mode": True,
        "hits": hits,
        "total": page.count,
        "errors": {},
        "facets": page.facets,
        "offset": offset,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < page.count else None,
        "previous_offset": max(offset - PAGE_SIZE, 0) if offset else None,
    }


def similar_listings(listing) -> list[dict]:
    """Nearest published listings; none while the index is missing (the section hides)."""
    if not listing.is_published:
        return []
    try:
        return search_selectors.similar(listing=listing, limit=SIMILAR_COUNT)
    except SearchUnavailable:
        return []


def _describe(block) -> str:
    values = {
        "medium": medium_label(block.medium),
        "territory": territory_name(block.territory),
        "start": ldate(block.start_date),
        "end": ldate(block.end_date),
    }
    if block.kind == ClaimKind.GRANT:
        if block.exclusive:
            return (
                _("%(medium)s in %(territory)s from %(start)s to %(end)s: an exclusive licence")
                % values
            )
        return (
            _("%(medium)s in %(territory)s from %(start)s to %(end)s: a non-exclusive licence")
            % values
        )
    if block.exclusive:
        return (
            _(
                "%(medium)s in %(territory)s from %(start)s to %(end)s: "
                "an exclusive hold awaiting payment"
            )
            % values
        )
    return (
        _(
            "%(medium)s in %(territory)s from %(start)s to %(end)s: "
            "a non-exclusive hold awaiting payment"
        )
        % values
    )


@require_GET
def availability(request, pk):
    """The listing page's rights checker: available, or what blocks. An htmx fragment; a
    whole page when the form is sent without JavaScript."""
    template = (
        "frontend/search/availability_result.html"
        if request.headers.get("HX-Request")
        else "frontend/search/availability_page.html"
    )
    listing = listing_get(user=request.user, pk=pk)
    context = {"listing": listing, "checked": False, "errors": [], "blocks": []}
    query = request.GET
    try:
        start, end = clean_period(query.get("start", ""), query.get("end", ""))
        terms = Terms(
            media=clean_media(query.getlist("medium")),
            territories=clean_territories(query.getlist("territory")),
            start_date=start,
            end_date=end,
            exclusive=query.get("exclusive") in ("true", "on", "1"),
            fee_krw=0,
            royalty_pct=None,
        )
    except ApplicationError as error:
        context["errors"] = error_reasons(error)
        return render(request, template, context)
    blocks = blocks_for(listing_id=listing.pk, terms=terms)
    context.update(checked=True, blocks=[_describe(block) for block in blocks])
    return render(request, template, context)
