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

FEATURED_COUNT = 8
PAGE_SIZE = 12
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


@require_GET
def browse(request):
    """Published listings through the exact browse filters of the API (listings.filters)."""
    published = selectors.published_listings()
    filterset = ListingFilter(request.GET or None, queryset=published)
    errors: dict = {}
    try:
        results = filterset.qs if filterset.is_valid() else published.none()
        errors = dict(filterset.errors)
    except ValidationError as error:  # a region or territory code the filter refuses
        results, errors = published.none(), error.detail
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    type_counts = _counts(results, "ip_type")
    return render(request, "frontend/catalog/browse.html", {
        "page": page,
        "total": page.paginator.count,
        "errors": errors,
        "query": request.GET,
        "type_facets": [(choice, type_counts[choice.value]) for choice in IpType
                        if choice.value in type_counts],
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
    })
