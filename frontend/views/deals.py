"""Licence requests and negotiations: the request form on a listing, the producer's
dashboard, a deal's page (terms, proposals, messages, history) and its moves.
Every change goes through licensing.services; reads through licensing.selectors,
so a stranger to a deal gets a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from exchange.errors import Conflict, InvalidInput
from licensing import selectors, services
from licensing.models import Agreement, Certificate, Party
from licensing.services.agreements import SIGNABLE
from licensing.workflow import OPEN, PARTY_ON_TURN, TRANSITIONS
from listings import selectors as listing_selectors
from payments import selectors as payment_selectors
from payments.services.payable import PAYABLE

from ..forms.deals import CounterForm, DealRequestForm, MessageForm, ReasonForm, put_service_error
from .common import error_message, producer_required
from .payment_reads import card_payments_on, invoice_of

# The moves a party makes on a deal's page; pay and revoke are staff's (or the system's).
PARTY_ACTIONS = ("accept", "counter", "reject", "withdraw")


# --- reads shared by the dashboards ----------------------------------------------------


def allowed_actions(deal, party: str | None) -> list[str]:
    """What this party may do now (licensing.workflow.TRANSITIONS), to draw its buttons."""
    allowed = []
    for name in PARTY_ACTIONS:
        transition = TRANSITIONS[name]
        if party is None or deal.status not in transition.sources:
            continue
        if (transition.by == PARTY_ON_TURN and party == deal.awaiting) or transition.by == party:
            allowed.append(name)
    return allowed


def agreement_of(deal) -> Agreement | None:
    try:
        return deal.agreement
    except Agreement.DoesNotExist:
        return None


def certificate_of(deal) -> Certificate | None:
    try:
        return deal.certificate
    except Certificate.DoesNotExist:
        return None


def stage_of(deal, party: str) -> str:
    """Where a deal stands for one party: what the dashboards group by."""
    if deal.status in OPEN:
        return "to_answer" if deal.awaiting == party else "waiting"
    if deal.status in SIGNABLE:
        agreement = agreement_of(deal)
        signed = {s.party for s in agreement.signatures.all()} if agreement else set()
        return "signed" if party in signed else "to_sign"
    if selectors.licence_status(deal) is not None:
        return "licences"
    return "closed"


def deals_by_stage(user, party: str) -> dict[str, list]:
    """The user's deals as this party, grouped by stage_of, most recent first."""
    deals = (selectors.deals_visible_to(user)
             .filter(**{party: user})
             .select_related("agreement", "certificate")
             .prefetch_related("agreement__signatures"))
    stages: dict[str, list] = {name: [] for name in
                               ("to_answer", "waiting", "to_sign", "signed", "licences",
                                "closed")}
    for deal in deals:
        stages[stage_of(deal, party)].append(deal)
    return stages


# --- the request form on a listing ---------------------------------------------------


@producer_required
@require_http_methods(["GET", "POST"])
def deal_request(request, pk):
    listing = listing_selectors.listing_get(user=request.user, pk=pk)
    if listing.owner_id == request.user.pk:
        raise PermissionDenied
    offers = list(listing.offers.all())
    form = DealRequestForm(request.POST or None, offers=offers)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_request(producer=request.user, listing=listing,
                                         **form.request_arguments())
        except (InvalidInput, Conflict) as error:
            put_service_error(form, error)
        else:
            messages.success(request, _("Your request was sent. The creator answers on this "
                                        "page; you get an e-mail when they do."))
            return redirect("frontend:deal-detail", pk=deal.pk)
    return render(request, "frontend/deals/request.html", {
        "listing": listing, "form": form, "has_offers": bool(offers),
    }, status=400 if form.errors else 200)


# --- dashboards ------------------------------------------------------------------------


@producer_required
def producer_dashboard(request):
    return render(request, "frontend/deals/producer_dashboard.html", {
        "stages": deals_by_stage(request.user, Party.PRODUCER),
    })


# --- one deal --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalRow:
    version: int
    side: str
    media: list[str]
    territories: list[str]
    start_date: dt.date
    end_date: dt.date
    exclusive: bool
    fee_krw: int
    royalty_pct: str | None
    note: str
    created_at: dt.datetime


def _proposal_rows(deal) -> list[ProposalRow]:
    rows = []
    for proposal in deal.proposals.all().order_by("version"):
        terms = proposal.terms
        rows.append(ProposalRow(
            version=proposal.version, side=proposal.side, media=terms["media"],
            territories=terms["territories"],
            start_date=dt.date.fromisoformat(terms["start_date"]),
            end_date=dt.date.fromisoformat(terms["end_date"]), exclusive=terms["exclusive"],
            fee_krw=terms["fee_krw"], royalty_pct=terms.get("royalty_pct"),
            note=proposal.note, created_at=proposal.created_at,
        ))
    return rows


def render_deal(request, deal, *, forms: dict | None = None, status: int = 200):
    """The deal's page; `forms` replaces the blank forms with bound ones that were refused."""
    party = deal.party_of(request.user)
    agreement = agreement_of(deal)
    signatures = list(agreement.signatures.select_related("signer")) if agreement else []
    signed_by = {signature.party for signature in signatures}
    forms = {
        "message_form": MessageForm(prefix="message"),
        "reject_form": ReasonForm(prefix="reject", required=True),
        "withdraw_form": ReasonForm(prefix="withdraw", required=False),
        **(forms or {}),
    }
    return render(request, "frontend/deals/detail.html", {
        "deal": deal,
        "party": party,
        "other_party": {Party.CREATOR: Party.PRODUCER, Party.PRODUCER: Party.CREATOR}.get(party),
        "actions": allowed_actions(deal, party),
        "proposals": _proposal_rows(deal),
        "transitions": deal.transitions.select_related("actor").order_by("created_at", "id"),
        "thread": selectors.deal_messages(deal=deal),
        "agreement": agreement,
        "signatures": signatures,
        "i_signed": party in signed_by,
        "fully_signed": signed_by == {Party.CREATOR, Party.PRODUCER},
        "signable": deal.status in SIGNABLE,
        "invoice": invoice_of(request.user, deal),
        "card_payment": payment_selectors.card_payment_latest(user=request.user,
                                                              deal_id=deal.pk),
        "card_payments_on": card_payments_on(),
        "money": payment_selectors.deal_money(user=request.user, deal_id=deal.pk),
        "staff_view": request.user.is_staff,
        "royalty_only": deal.fee_krw == 0 and deal.status in PAYABLE,
        "licence_status": selectors.licence_status(deal),
        "certificate": certificate_of(deal),
        **forms,
    }, status=status)


@login_required
@require_http_methods(["GET"])
def deal_detail(request, pk):
    return render_deal(request, selectors.deal_get(user=request.user, pk=pk))


DONE = {
    "accept": gettext_lazy("Accepted. The rights are held for you while the agreement is "
                           "signed and paid."),
    "reject": gettext_lazy("Rejected. The producer sees your reason."),
    "withdraw": gettext_lazy("Withdrawn. The creator is told."),
    "counter": gettext_lazy("Your counter-proposal was sent; it is now the other party's "
                            "move."),
}


def party_deal(request, pk):
    """The deal of a party to it; strangers 404 (the selector), staff may not act (403)."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    if deal.party_of(request.user) is None:
        raise PermissionDenied
    return deal


@login_required
@require_POST
def deal_action(request, pk, action):
    """accept, reject (with a reason) or withdraw (reason optional)."""
    deal = party_deal(request, pk)
    if action == "accept":
        try:
            services.deal_accept(actor=request.user, deal=deal)
        except (InvalidInput, Conflict) as error:
            error_message(request, error)
        else:
            messages.success(request, DONE[action])
        return redirect("frontend:deal-detail", pk=deal.pk)
    form = ReasonForm(request.POST, prefix=action, required=action == "reject")
    if form.is_valid():
        service = services.deal_reject if action == "reject" else services.deal_withdraw
        try:
            service(actor=request.user, deal=deal, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            put_service_error(form, error)
        except Conflict as error:
            error_message(request, error)
            return redirect("frontend:deal-detail", pk=deal.pk)
        else:
            messages.success(request, DONE[action])
            return redirect("frontend:deal-detail", pk=deal.pk)
    return render_deal(request, deal, forms={f"{action}_form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def deal_counter(request, pk):
    deal = party_deal(request, pk)
    if "counter" not in allowed_actions(deal, deal.party_of(request.user)):
        messages.error(request, _("You cannot counter this deal now: it is not your move or "
                                  "it is no longer open."))
        return redirect("frontend:deal-detail", pk=deal.pk)
    form = CounterForm(request.POST or None, initial=CounterForm.initial_from(deal))
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_counter(actor=request.user, deal=deal, changes=form.terms(),
                                  note=form.cleaned_data["note"])
        except (InvalidInput, Conflict) as error:
            put_service_error(form, error)
        else:
            messages.success(request, DONE["counter"])
            return redirect("frontend:deal-detail", pk=deal.pk)
    return render(request, "frontend/deals/counter.html", {"deal": deal, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def deal_message(request, pk):
    deal = party_deal(request, pk)
    form = MessageForm(request.POST, prefix="message")
    if form.is_valid():
        try:
            services.deal_message_post(actor=request.user, deal=deal,
                                       body=form.cleaned_data["body"])
        except InvalidInput as error:
            put_service_error(form, error)
        else:
            messages.success(request, _("Message sent."))
            return redirect(reverse("frontend:deal-detail", args=[deal.pk]) + "#thread")
    return render_deal(request, deal, forms={"message_form": form}, status=400)
