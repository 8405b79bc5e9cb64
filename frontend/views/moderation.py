"""The moderators' pages: the review queue, one listing with its decisions and audit trail."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from exchange.audit.selectors import audit_trail
from exchange.errors import ApplicationError
from listings import selectors, services
from listings.models import ListingStatus

from ..forms.errors import add_service_error
from ..forms.listings import ReasonForm
from .common import moderator_required

DECISIONS = {
    "approve": (services.listing_approve, _("Approved and published.")),
    "reject": (services.listing_reject, _("Rejected; the creator sees your reason.")),
    "request_changes": (services.listing_request_changes,
                        _("Changes requested; the creator sees your reason.")),
    "suspend": (services.listing_suspend, _("Suspended; it is no longer public.")),
    "reinstate": (services.listing_reinstate, _("Reinstated and public again.")),
}


@moderator_required
@require_GET
def queue(request):
    return render(request, "frontend/moderation/queue.html", {
        "queue": selectors.moderation_queue(),
        "suspended": selectors.listings_visible_to(request.user).filter(
            status=ListingStatus.SUSPENDED).order_by("-updated_at"),
    })


def _review_page(request, listing, form, status=200):
    return render(request, "frontend/moderation/review.html", {
        "listing": listing,
        "form": form,
        "entries": audit_trail(target=listing),
        "media": list(listing.media.all()),
    }, status=status)


@moderator_required
@require_GET
def review(request, pk):
    listing = selectors.listing_get(user=request.user, pk=pk)
    return _review_page(request, listing, ReasonForm())


@moderator_required
@require_POST
def decide(request, pk, action):
    if action not in DECISIONS:
        raise Http404
    listing = selectors.listing_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        service, done = DECISIONS[action]
        try:
            service(actor=request.user, listing=listing, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("frontend:moderation-review", pk=listing.pk)
    return _review_page(request, listing, form, status=400)
