"""The creator's dashboard: their listings, the listing form with offers and uploads,
and the workflow buttons. Every change goes through listings.services."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from exchange.audit.selectors import audit_trail
from exchange.errors import ApplicationError
from licensing.models import Party
from listings import selectors, services

from ..forms.errors import add_service_error
from ..forms.listings import (
    ListingForm,
    MediaUploadForm,
    offer_formset,
    validated_listing_input,
)
from .common import creator_required, error_message
from .deals import deals_by_stage

OWNER_ACTIONS = {
    "submit": (services.listing_submit,
               gettext_lazy("Submitted for review. A moderator will look at it.")),
    "withdraw": (services.listing_withdraw,
                 gettext_lazy("Withdrawn from review; it is a draft again.")),
    "archive": (services.listing_archive, gettext_lazy("Archived.")),
}


def _own_listing(user, pk):
    listing = selectors.listings_owned_by(user).filter(pk=pk).first()
    if listing is None:
        raise Http404
    return listing


@creator_required
def dashboard(request):
    return render(request, "frontend/creator/dashboard.html", {
        "listings": selectors.listings_owned_by(request.user).order_by("-updated_at", "-id"),
        "stages": deals_by_stage(request.user, Party.CREATOR),
    })


def _save_listing(request, listing=None):
    listing_form = ListingForm(
        request.POST or None, initial=ListingForm.initial_from(listing) if listing else None
    )
    offers = offer_formset(data=request.POST or None,
                           offers=list(listing.offers.all()) if listing else ())
    if request.method == "POST" and listing_form.is_valid() and offers.is_valid():
        data = validated_listing_input(listing_form, offers)
        if data is not None:
            try:
                if listing is None:
                    listing = services.listing_create(owner=request.user, data=data)
                    messages.success(request, _("Draft saved. Add images and files below."))
                else:
                    listing = services.listing_update(actor=request.user, listing=listing,
                                                      data=data)
                    messages.success(request, _("Changes saved."))
            except ApplicationError as error:
                add_service_error(listing_form, error)
            else:
                return redirect("frontend:listing-edit", pk=listing.pk)
    return render(request, "frontend/creator/listing_form.html", {
        "listing": listing,
        "form": listing_form,
        "offers": offers,
        "upload_form": MediaUploadForm(prefix="upload") if listing else None,
    })


@creator_required
@require_http_methods(["GET", "POST"])
def listing_create(request):
    return _save_listing(request)


@creator_required
@require_http_methods(["GET", "POST"])
def listing_edit(request, pk):
    return _save_listing(request, _own_listing(request.user, pk))


@creator_required
@require_POST
def media_upload(request, pk):
    listing = _own_listing(request.user, pk)
    form = MediaUploadForm(request.POST, request.FILES, prefix="upload")
    if form.is_valid():
        try:
            services.media_attach(actor=request.user, listing=listing,
                                  file=form.cleaned_data["file"], role=form.cleaned_data["role"],
                                  title=form.cleaned_data["title"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("File added."))
            return redirect("frontend:listing-edit", pk=listing.pk)
    # The listing form shows the saved values; the upload form keeps what was chosen.
    return render(request, "frontend/creator/listing_form.html", {
        "listing": listing,
        "form": ListingForm(initial=ListingForm.initial_from(listing)),
        "offers": offer_formset(offers=list(listing.offers.all())),
        "upload_form": form,
    }, status=400)


@creator_required
@require_POST
def media_remove(request, pk, media_id):
    listing = _own_listing(request.user, pk)
    media = next((m for m in listing.media.all() if m.pk == media_id), None)
    if media is None:
        raise Http404
    try:
        services.media_remove(actor=request.user, media=media)
    except ApplicationError as error:
        error_message(request, error)
    else:
        messages.success(request, _("File removed."))
    return redirect("frontend:listing-edit", pk=listing.pk)


@creator_required
@require_POST
def listing_action(request, pk, action):
    if action not in OWNER_ACTIONS:
        raise Http404
    listing = _own_listing(request.user, pk)
    service, done = OWNER_ACTIONS[action]
    try:
        service(actor=request.user, listing=listing)
    except ApplicationError as error:
        error_message(request, error)
        return redirect("frontend:listing-edit", pk=listing.pk)
    messages.success(request, done)
    return redirect("frontend:creator-dashboard")


@creator_required
def listing_history(request, pk):
    listing = _own_listing(request.user, pk)
    return render(request, "frontend/creator/history.html", {
        "listing": listing, "entries": audit_trail(target=listing),
    })
