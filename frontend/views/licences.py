"""The agreement of an accepted deal (read it, sign it by click-through over its hash)
and the licence it becomes (deliverable downloads, certificate), which its creator or
staff may revoke with a reason. Signing and revoking go through licensing.services;
reads through licensing.selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exchange.errors import Conflict, InvalidInput
from licensing import selectors, services
from licensing.documents.pdf import agreement_lines
from licensing.models import Party
from licensing.services.agreements import SIGNABLE

from ..forms.deals import ReasonForm, SignForm, put_service_error
from ..forms.errors import translated
from .common import error_message
from .deals import agreement_of, certificate_of, party_deal


def _agreement(deal):
    agreement = agreement_of(deal)
    if agreement is None:
        raise Http404
    return agreement


def _render_agreement(request, deal, agreement, form: SignForm, status: int = 200):
    party = deal.party_of(request.user)
    signatures = list(agreement.signatures.select_related("signer"))
    signed_by = {signature.party for signature in signatures}
    return render(request, "frontend/licences/agreement.html", {
        "deal": deal,
        "agreement": agreement,
        "lines": agreement_lines(agreement),
        "signatures": signatures,
        "party": party,
        "can_sign": party is not None and party not in signed_by and deal.status in SIGNABLE,
        "fully_signed": signed_by == {Party.CREATOR, Party.PRODUCER},
        "form": form,
    }, status=status)


@login_required
@require_GET
def agreement(request, pk):
    """The agreement of deal `pk` for its parties (and staff); 404 for anyone else."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    agreement = _agreement(deal)
    return _render_agreement(request, deal, agreement,
                             SignForm(initial={"sha256": agreement.sha256}))


@login_required
@require_POST
def agreement_sign(request, pk):
    deal = party_deal(request, pk)
    agreement = _agreement(deal)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_sign(
                actor=request.user, agreement=agreement, sha256=form.cleaned_data["sha256"],
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except (InvalidInput, Conflict) as error:
            form.add_error(None, translated(error.message))
            # What is on the page now is the current agreement: signing again signs that.
            data = request.POST.copy()
            data["sha256"] = agreement.sha256
            form.data = data
        else:
            messages.success(request, _("Signed. Thank you."))
            return redirect("frontend:deal-detail", pk=deal.pk)
    return _render_agreement(request, deal, agreement, form, status=400)


def _deliverable_rows(request, deal) -> list[dict]:
    """Expiring download links of the deal's deliverables, for its licensee only."""
    if deal.party_of(request.user) != Party.PRODUCER or not selectors.licence_is_active(deal):
        return []
    rows = []
    for media in selectors.deliverables_of(deal=deal):
        token = services.deliverable_link(user=request.user, deal=deal, media=media)
        rows.append({"media": media,
                     "url": reverse("deliverable-download", args=[token])})
    return rows


@login_required
@require_GET
def licence(request, pk):
    """A licence (a paid deal): its status, certificate, agreement PDF and, for the
    licensee while it is active, the deliverables."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    status = selectors.licence_status(deal)
    if status is None:
        raise Http404
    certificate = certificate_of(deal)
    return render(request, "frontend/licences/licence.html", {
        "deal": deal,
        "party": deal.party_of(request.user),
        "status": status,
        "agreement": agreement_of(deal),
        "certificate": certificate,
        "verify_url": request.build_absolute_uri(
            reverse("verify-page", args=[certificate.code])) if certificate else "",
        "deliverables": _deliverable_rows(request, deal),
        "link_minutes": settings.LICENSING_DOWNLOAD_LINK_MINUTES,
        "can_revoke": status == "active" and _may_revoke(request.user, deal),
    })


def _may_revoke(user, deal) -> bool:
    """licensing.workflow: the creator or staff revoke (the service checks it again)."""
    return user.is_staff or deal.party_of(user) == Party.CREATOR


@login_required
@require_http_methods(["GET", "POST"])
def licence_revoke(request, pk):
    """GET: what revoking means and the reason to give; POST: revoke the licence
    (licensing.services.deal_revoke). The creator or staff; the producer gets a 403,
    a stranger a 404."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    status = selectors.licence_status(deal)
    if status is None:
        raise Http404
    if not _may_revoke(request.user, deal):
        raise PermissionDenied
    if status != "active":
        messages.error(request, _("This licence is no longer active; there is nothing to "
                                  "revoke."))
        return redirect("frontend:deal-licence", pk=deal.pk)
    form = ReasonForm(request.POST or None, prefix="revoke", required=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_revoke(actor=request.user, deal=deal,
                                 reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            put_service_error(form, error)
        except Conflict as error:
            error_message(request, error)
            return redirect("frontend:deal-licence", pk=deal.pk)
        else:
            messages.success(request, _("The licence is revoked. Its rights are free again and "
                                        "the producer sees your reason."))
            return redirect("frontend:deal-licence", pk=deal.pk)
    return render(request, "frontend/licences/revoke.html", {"deal": deal, "form": form},
                  status=400 if form.errors else 200)
