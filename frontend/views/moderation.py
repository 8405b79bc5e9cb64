"""The moderators' pages: the review queue and one listing (decisions, near-duplicate
alerts, reports, audit trail), the reports queue with its resolutions, finding a user by
email or name, and a user's page with suspension. Every change goes through a service."""

from functools import partial

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from exchange.accounts import services as account_services
from exchange.accounts.models import User
from exchange.accounts.selectors import QUERY_MAX_CHARS, USER_SEARCH_LIMIT, users_find
from exchange.audit.selectors import audit_trail
from exchange.errors import ApplicationError
from listings import selectors, services
from listings.models import Listing, ListingStatus, ReportStatus
from search.duplicates import duplicate_alert_dismiss
from search.selectors import duplicate_alert_get

from ..forms.errors import add_service_error
from ..forms.listings import ReasonForm
from ..forms.reports import ResolutionForm, SuspensionForm
from .common import moderator_required

DECISIONS = {
    "approve": (services.listing_approve, _("Approved and published.")),
    "reject": (services.listing_reject, _("Rejected; the creator sees your reason.")),
    "request_changes": (services.listing_request_changes,
                        _("Changes requested; the creator sees your reason.")),
    "suspend": (services.listing_suspend, _("Suspended; it is no longer public.")),
    "reinstate": (services.listing_reinstate, _("Reinstated and public again.")),
}
RESOLUTIONS = {
    "dismiss": (services.report_dismiss, _("Report dismissed; the reporter sees your reason.")),
    "take_down": (services.report_take_down,
                  _("Listing taken down; the reporter and the creator see your reason.")),
}
ACCOUNT_ACTIONS = {
    "suspend": (account_services.user_suspend,
                _("Account suspended; its published listings are suspended with it.")),
    "reinstate": (account_services.user_reinstate,
                  _("Account reinstated, with the listings its suspension took down.")),
}
REPORT_FILTERS = (ReportStatus.OPEN, ReportStatus.TAKEN_DOWN, ReportStatus.DISMISSED)


def _done_with_reason(request, form, act, done) -> bool:
    """A moderator's decision that needs a reason: `act(reason=...)` runs when the form
    is valid, and the success message `done` is queued. False when the form or the
    service refused; the form then carries why, next to its fields."""
    if not form.is_valid():
        return False
    try:
        act(reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        add_service_error(form, error)
        return False
    messages.success(request, done)
    return True


@moderator_required
@require_GET
def queue(request):
    return render(request, "frontend/moderation/queue.html", {
        # open near-duplicate alerts come prefetched: no query per row
        "queue": selectors.moderation_queue(),
        "suspended": selectors.listings_visible_to(request.user).filter(
            status=ListingStatus.SUSPENDED).order_by("-updated_at"),
        "open_reports": selectors.report_queue(user=request.user).count(),
    })


# --- one listing ----------------------------------------------------------------------


def _review_page(request, pk, form, status=200):
    listing = selectors.listing_for_review(user=request.user, pk=pk)
    return render(request, "frontend/moderation/review.html", {
        "listing": listing,
        "form": form,
        "entries": audit_trail(target=listing),
        "media": list(listing.media.all()),
        "alerts": listing.open_duplicate_alerts,
        "reports": selectors.reports_about(listing),
    }, status=status)


@moderator_required
@require_GET
def review(request, pk):
    return _review_page(request, pk, ReasonForm())


@moderator_required
@require_POST
def decide(request, pk, action):
    if action not in DECISIONS:
        raise Http404
    listing = selectors.listing_get(user=request.user, pk=pk)
    service, done = DECISIONS[action]
    form = ReasonForm(request.POST)
    if _done_with_reason(request, form, partial(service, actor=request.user, listing=listing),
                         done):
        return redirect("frontend:moderation-review", pk=listing.pk)
    return _review_page(request, listing.pk, form, status=400)


@moderator_required
@require_POST
def alert_dismiss(request, pk):
    alert = duplicate_alert_get(pk=pk)
    duplicate_alert_dismiss(actor=request.user, alert=alert)
    messages.success(request, _("Alert dismissed: not the same IP."))
    return redirect("frontend:moderation-review", pk=alert.listing_id)


# --- reports --------------------------------------------------------------------------


@moderator_required
@require_GET
def reports(request):
    wanted = request.GET.get("status", ReportStatus.OPEN)
    if wanted not in REPORT_FILTERS:
        wanted = ReportStatus.OPEN
    return render(request, "frontend/moderation/reports.html", {
        "reports": selectors.report_queue(user=request.user, status=wanted),
        "status": wanted,
        "filters": [(value, ReportStatus(value).label) for value in REPORT_FILTERS],
    })


def _report_page(request, report, form, status=200):
    return render(request, "frontend/moderation/report.html", {
        "report": report,
        "form": form,
        "entries": audit_trail(target=report),
        "other_reports": selectors.reports_about(report.listing).exclude(pk=report.pk),
    }, status=status)


@moderator_required
@require_GET
def report(request, pk):
    return _report_page(request, selectors.report_get(user=request.user, pk=pk),
                        ResolutionForm())


@moderator_required
@require_POST
def report_resolve(request, pk, action):
    if action not in RESOLUTIONS:
        raise Http404
    found = selectors.report_get(user=request.user, pk=pk)
    service, done = RESOLUTIONS[action]
    form = ResolutionForm(request.POST)
    if _done_with_reason(request, form, partial(service, moderator=request.user, report=found),
                         done):
        return redirect("frontend:moderation-report", pk=found.pk)
    return _report_page(request, found, form, status=400)


# --- users ----------------------------------------------------------------------------


@moderator_required
@require_GET
def users(request):
    query = request.GET.get("q", "").strip()[:QUERY_MAX_CHARS]
    people = list(users_find(user=request.user, query=query))
    return render(request, "frontend/moderation/users.html", {
        "query": query,
        "people": people,
        "limit": USER_SEARCH_LIMIT,
        "max_chars": QUERY_MAX_CHARS,
    })


def _user_page(request, person, form, status=200):
    return render(request, "frontend/moderation/user.html", {
        "person": person,
        "form": form,
        "listings": Listing.objects.filter(owner=person).annotate(
            open_reports=Count("reports", filter=Q(reports__status=ReportStatus.OPEN))
        ).order_by("-updated_at", "-id"),
        "reports_filed": selectors.report_queue(user=request.user, status=None).filter(
            reporter=person),
        "reports_against": selectors.report_queue(user=request.user, status=None).filter(
            listing__owner=person),
        "entries": audit_trail(target=person),
    }, status=status)


@moderator_required
@require_GET
def user_page(request, pk):
    return _user_page(request, get_object_or_404(User, pk=pk), SuspensionForm())


@moderator_required
@require_POST
def user_action(request, pk, action):
    if action not in ACCOUNT_ACTIONS:
        raise Http404
    person = get_object_or_404(User, pk=pk)
    service, done = ACCOUNT_ACTIONS[action]
    form = SuspensionForm(request.POST)
    if _done_with_reason(request, form, partial(service, moderator=request.user, user=person),
                         done):
        return redirect("frontend:moderation-user", pk=person.pk)
    return _user_page(request, person, form, status=400)
