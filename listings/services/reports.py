"""Reports of infringement or abuse: filed by any signed-in user against a listing they can
see, resolved by a moderator - dismissed with a reason, or the listing taken down (suspended
through the moderation workflow with the moderator's reason). Every change is audited."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import ApplicationError, Conflict, Forbidden, InvalidInput

from ..models import Listing, Report, ReportKind, ReportStatus
from ..models import ListingStatus as S
from .listings import listing_suspend, require_moderator

# Reports one person may file per hour. Genuine reporters rarely file more than a few
# (one rights holder finding several copies of a work); the bound stops a flood.
REPORTS_PER_HOUR = 5
RATE_WINDOW = timedelta(hours=1)
MAX_DESCRIPTION_CHARS = 5000


class TooManyReports(ApplicationError):
    code = "rate_limited"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS


def report_file(*, reporter: User, listing: Listing, kind: str, description: str,
                evidence_url: str = "") -> Report:
    """A new open report. The caller has checked the reporter may see the listing."""
    if not (reporter and reporter.is_authenticated and reporter.is_active):
        raise Forbidden(_("Sign in to report a listing."))
    if kind not in ReportKind.values:
        raise InvalidInput.for_field("kind", _("must be one of %(choices)s")
                                     % {"choices": ", ".join(ReportKind.values)})
    description = (description or "").strip()
    if not description:
        raise InvalidInput.for_field("description", _("say what is wrong with this listing"))
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput.for_field(
            "description", _("at most %(count)d characters") % {"count": MAX_DESCRIPTION_CHARS})
    if listing.owner_id == reporter.pk:
        raise Forbidden(_("You cannot report your own listing."))
    if listing.status != S.PUBLISHED:
        raise Conflict(_("Only a published listing can be reported."), code="not_reportable")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=reporter.pk).first()  # one count at a time
        since = timezone.now() - RATE_WINDOW
        if Report.objects.filter(reporter=reporter, created_at__gte=since).count() \
                >= REPORTS_PER_HOUR:
            raise TooManyReports(
                _("You have filed many reports in the last hour; try again later."))
        if Report.objects.filter(reporter=reporter, listing=listing,
                                 status=ReportStatus.OPEN).exists():
            raise Conflict(_("You already have an open report on this listing."),
                           code="report_already_open")
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    listing=listing, reporter=reporter, kind=kind, description=description,
                    evidence_url=(evidence_url or "").strip())
        except IntegrityError:  # the same report sent twice at once
            raise Conflict(_("You already have an open report on this listing."),
                           code="report_already_open") from None
        audit_record(actor=reporter, action="report.file", target=report,
                     to_state=ReportStatus.OPEN, data={"listing": listing.pk, "kind": kind})
    return report


def _resolve(*, moderator: User, report: Report, to: str, reason: str, action: str) -> None:
    """Open -> `to`, in the caller's transaction; exactly one row or a 409."""
    updated = Report.objects.filter(pk=report.pk, status=ReportStatus.OPEN).update(
        status=to, resolution_reason=reason, resolved_by=moderator, resolved_at=timezone.now())
    if not updated:
        raise Conflict(_("This report has already been resolved."), code="invalid_transition")
    audit_record(actor=moderator, action=action, target=report, from_state=ReportStatus.OPEN,
                 to_state=to, reason=reason, data={"listing": report.listing_id})


def _require_reason(reason: str, why: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.for_field("reason", why)
    return reason


def report_dismiss(*, moderator: User, report: Report, reason: str) -> Report:
    require_moderator(moderator)
    reason = _require_reason(reason, _("say why, so the reporter understands the decision"))
    with transaction.atomic():
        _resolve(moderator=moderator, report=report, to=ReportStatus.DISMISSED, reason=reason,
                 action="report.dismiss")
    report.refresh_from_db()
    return report


def report_take_down(*, moderator: User, report: Report, reason: str) -> Report:
    """Suspend the listing (unless it already is) with the moderator's reason, and resolve
    this report and every other open report on the listing as taken down."""
    require_moderator(moderator)
    reason = _require_reason(reason, _("say why, so the creator and the reporter can act on it"))
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report.pk)
        if current.status != ReportStatus.OPEN:
            raise Conflict(_("This report has already been resolved."), code="invalid_transition")
        listing = Listing.objects.get(pk=current.listing_id)
        if listing.status == S.PUBLISHED:
            listing_suspend(actor=moderator, listing=listing, reason=reason)
        elif listing.status != S.SUSPENDED:
            raise Conflict(
                _("The listing is %(status)s, not public; dismiss the report instead.")
                % {"status": listing.get_status_display().lower()}, code="not_reportable")
        open_reports = Report.objects.select_for_update().filter(
            listing_id=listing.pk, status=ReportStatus.OPEN).order_by("pk")
        for other in open_reports:
            _resolve(moderator=moderator, report=other, to=ReportStatus.TAKEN_DOWN,
                     reason=reason, action="report.take_down")
    report.refresh_from_db()
    return report
