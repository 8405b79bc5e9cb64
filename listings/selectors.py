"""Reads of listings, always through who is asking: what a user may not see is a 404."""

from django.db.models import Min, Prefetch, Q, QuerySet
from django.http import Http404

from .models import LicenseOffer, Listing, ListingStatus, MediaAsset


def _with_related(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    return queryset.select_related("owner").prefetch_related(
        Prefetch("offers", queryset=LicenseOffer.objects.order_by("position", "id")),
        Prefetch("media", queryset=MediaAsset.objects.order_by("created_at", "id")),
    ).annotate(min_price_krw=Min("offers__price_krw"))


def published_listings() -> QuerySet[Listing]:
    return _with_related(Listing.objects.filter(status=ListingStatus.PUBLISHED))


def listings_visible_to(user) -> QuerySet[Listing]:
    """Published listings for everyone; one's own in any state; all for moderators."""
    queryset = Listing.objects.all()
    if not (user and user.is_authenticated):
        queryset = queryset.filter(status=ListingStatus.PUBLISHED)
    elif not user.is_moderator:
        queryset = queryset.filter(Q(status=ListingStatus.PUBLISHED) | Q(owner=user))
    return _with_related(queryset)


def listing_get(*, user, pk) -> Listing:
    try:
        return listings_visible_to(user).get(pk=pk)
    except (Listing.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def listings_owned_by(user) -> QuerySet[Listing]:
    return _with_related(Listing.objects.filter(owner=user))


def moderation_queue() -> QuerySet[Listing]:
    """Submitted listings, the longest-waiting first."""
    return _with_related(Listing.objects.filter(status=ListingStatus.SUBMITTED)).order_by(
        "submitted_at", "id"
    )


def can_see_private_media(user, listing: Listing) -> bool:
    """Deliverables and rights evidence: the owner and moderators (licensees: licensing app)."""
    return bool(user and user.is_authenticated and (user.pk == listing.owner_id
                                                    or user.is_moderator))


def media_get(*, user, pk) -> MediaAsset:
    """A media file the user may download, or 404."""
    try:
        media = MediaAsset.objects.select_related("listing").get(pk=pk)
    except (MediaAsset.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    listing_get(user=user, pk=media.listing_id)  # 404 when the listing is not visible
    if not media.is_public and not can_see_private_media(user, media.listing):
        raise Http404
    return media
