"""Reads of listings, always through who is asking: what a user may not see is a 404."""

from django.db.models import Min, Prefetch, Q, QuerySet
from django.http import Http404

from search.models import AlertStatus, DuplicateAlert

from .models import LicenseOffer, Listing, ListingStatus, MediaAsset, Report, ReportStatus


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


def open_duplicate_alerts() -> Prefetch:
    """Each listing's open near-duplicate alerts as `open_duplicate_alerts`, in one query
    for a whole page of listings."""
    return Prefetch(
        "duplicate_alerts",
        queryset=DuplicateAlert.objects.filter(status=AlertStatus.OPEN)
        .select_related("similar_listing__owner").order_by("-similarity", "id"),
        to_attr="open_duplicate_alerts",
    )


def listing_for_review(*, user, pk) -> Listing:
    """listing_get, with the listing's open near-duplicate alerts (`open_duplicate_alerts`)
    for a moderator deciding on it."""
    try:
        return listings_visible_to(user).prefetch_related(open_duplicate_alerts()).get(pk=pk)
    except (Listing.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def moderation_queue() -> QuerySet[Listing]:
    """Submitted listings, the longest-waiting first, with their open near-duplicate alerts."""
    return _with_related(Listing.objects.filter(status=ListingStatus.SUBMITTED)).prefetch_related(
        open_duplicate_alerts()
    ).order_by("submitted_at", "id")


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


# --- reports of infringement or abuse ----------------------------------------------------


def _reports() -> QuerySet[Report]:
    return Report.objects.select_related("listing__owner", "reporter", "resolved_by")


def reports_filed_by(user) -> QuerySet[Report]:
    """The reporter's own reports, newest first."""
    if not (user and user.is_authenticated):
        return Report.objects.none()
    return _reports().filter(reporter=user)


def report_queue(*, user, status: str | None = ReportStatus.OPEN) -> QuerySet[Report]:
    """Moderators: reports in a status (all when None), the longest-waiting open ones first."""
    if not (user and user.is_authenticated and user.is_moderator):
        return Report.objects.none()
    reports = _reports()
    if status:
        reports = reports.filter(status=status)
    return reports.order_by("created_at", "id") if status == ReportStatus.OPEN else reports


def report_get(*, user, pk) -> Report:
    """A report its reporter or a moderator may see, or 404."""
    reports = report_queue(user=user, status=None) if (
        user and user.is_authenticated and user.is_moderator) else reports_filed_by(user)
    try:
        return reports.get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reports_about(listing: Listing) -> QuerySet[Report]:
    """Moderators: every report on one listing, newest first."""
    return _reports().filter(listing=listing)


def open_report_of(*, user, listing: Listing) -> Report | None:
    if not (user and user.is_authenticated):
        return None
    return Report.objects.filter(reporter=user, listing=listing,
                                 status=ReportStatus.OPEN).first()
