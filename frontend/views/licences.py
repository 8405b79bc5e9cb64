"""The agreement of an accepted deal (read it, sign it by click-through over its hash)
and the licence it becomes (deliverable downloads, certificate). Signing goes through
licensing.services.agreement_sign; reads through licensing.selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exchange.errors import Conflict, InvalidInput
from licensing import selectors, services
from licensing.documents.pdf import agreement_lines
from licensing.models import Party
from licensing.services.agreements import SIGNABLE

from ..forms.deals import SignForm
from ..forms.errors import translated
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
    })
