"""The public catalog: home, browse with filters, one listing."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError

from exchange.regions import REGIONS
from listings import selectors
from listings.filters import ListingFilter
from listings.models import AssetFormat, IpType, MediaKind, MediaRole, Medium
from search.selectors import AVAILABILITY_FIELDS, SearchUnavailable, allowed_listing_ids

from .search_pages import search_results, similar_listings

FEATURED_COUNT = 8
PAGE_SIZE = 12
# The exact browse's word filter (listings.filters.ListingFilter.text) takes at most 200, and
# the words fall back to it while the search index is missing.
MAX_WORDS = 200
# Formats a browser can show with <model-viewer>; others are offered as downloads.
PREVIEWABLE_3D = {"glb", "gltf"}


def _counts(queryset, field: str) -> dict[str, int]:
    rows = queryset.order_by().values(field).annotate(n=Count("id"))
    return {row[field]: row["n"] for row in rows}


@require_GET
def home(request):
    published = selectors.published_listings()
    by_region = _counts(published, "region")
    by_type = _counts(published, "ip_type")
    return render(request, "frontend/catalog/home.html", {
        "featured": published.order_by("-published_at", "-id")[:FEATURED_COUNT],
        "regions": [(code, by_region.get(code, 0)) for code in REGIONS],
        "types": [(choice, by_type.get(choice.value, 0)) for choice in IpType],
    })


def _exact_browse(query, published) -> dict:
    """Published listings through the exact browse filters of the API (listings.filters),
    free for the period asked when one is."""
    filterset = ListingFilter(query, queryset=published)  # bound even when empty: all pass
    errors: dict = {}
    try:
        results = filterset.qs if filterset.is_valid() else published.none()
        errors = dict(filterset.errors)
        if not errors and any(query.get(name) for name in AVAILABILITY_FIELDS):
            free = allowed_listing_ids(query)
            results = results.filter(pk__in=[] if free is None else free.tolist())
    except ValidationError as error:  # a code the filter refuses, or a bad period
        results, errors = published.none(), error.detail
    page = Paginator(results, PAGE_SIZE).get_page(query.get("page"))
    type_counts = _counts(results, "ip_type")
    return {
        "page": page,
        "total": page.paginator.count,
        "errors": errors,
        "type_facets": [(choice, type_counts[choice.value]) for choice in IpType
                        if choice.value in type_counts],
    }


@require_GET
def browse(request):
    """With words in `q`: ranked by meaning within the same filters (search.selectors);
    without, or while the search index is not built, the exact browse."""
    published = selectors.published_listings()
    text = request.GET.get("q", "").strip()[:MAX_WORDS]
    context = {"search_unavailable": False}
    query = request.GET
    if text:
        try:
            context.update(search_results(request, text))
        except SearchUnavailable:
            context["search_unavailable"] = True
            query = request.GET.copy()
            query["text"] = text  # the words become the exact browse's word filter
    if not context.get("search_mode"):
        context.update(_exact_browse(query, published))
    return render(request, "frontend/catalog/browse.html", {
        **context,
        "query": request.GET,
        "ip_types": IpType.choices,
        "regions": list(REGIONS),
        "media": Medium.choices,
        "formats": AssetFormat.choices,
        "selected_types": request.GET.getlist("ip_type"),
    })


@require_GET
def listing_detail(request, pk):
    listing = selectors.listing_get(user=request.user, pk=pk)
    public = [m for m in listing.media.all() if m.is_public]
    show_private = selectors.can_see_private_media(request.user, listing)
    return render(request, "frontend/catalog/listing_detail.html", {
        "listing": listing,
        "cover": next((m for m in public if m.role == MediaRole.COVER), None),
        "images": [m for m in public if m.kind == MediaKind.IMAGE and m.role != MediaRole.COVER],
        "audio": [m for m in public if m.kind == MediaKind.AUDIO],
        "video": [m for m in public if m.kind == MediaKind.VIDEO],
        "models": [m for m in public
                   if m.kind == MediaKind.MODEL_3D and m.extension in PREVIEWABLE_3D],
        "downloads": [m for m in public if m.kind == MediaKind.DOCUMENT
                      or (m.kind == MediaKind.MODEL_3D and m.extension not in PREVIEWABLE_3D)],
        "private_media": [m for m in listing.media.all() if not m.is_public]
        if show_private else [],
        "is_owner": request.user.is_authenticated and listing.owner_id == request.user.pk,
        "similar": similar_listings(listing),
        "media_choices": Medium.choices,
    })
