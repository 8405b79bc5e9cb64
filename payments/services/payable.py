"""Whether a deal may be paid now, and opening its payment, the same for every way
to pay: an invoice, a card payment, and the receipt or charge that completes one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Conflict, Forbidden, NotFound
from licensing.models import Deal, DealStatus, Party
from licensing.selectors import blocks_for
from licensing.services.agreements import require_fully_signed
from licensing.terms import Terms

from ..models import OPEN_STATUSES, Payment, PaymentMethod
from ..references import reference_new

# Deals that may still become licences by being paid (licensing.workflow "pay").
PAYABLE = (DealStatus.ACCEPTED, DealStatus.LAPSED)
# A fresh reference collides with probability ~n / 3.4e10; a few tries are plenty.
REFERENCE_ATTEMPTS = 5


def unpayable_reason(deal: Deal) -> str:
    """Why the deal cannot be licensed by a payment now; empty when it can."""
    if deal.status not in PAYABLE:
        return _("the deal is %(status)s") % {"status": deal.get_status_display().lower()}
    hold_live = (deal.status == DealStatus.ACCEPTED and deal.hold_expires_at
                 and deal.hold_expires_at > timezone.now())
    if not hold_live:
        blocks = blocks_for(listing_id=deal.listing_id, terms=Terms.of(deal),
                            exclude_deal_id=deal.pk)
        if blocks:
            return _("its rights were taken meanwhile: %(blocks)s") % {
                "blocks": "; ".join(b.describe() for b in blocks)}
    return ""


def require_payable(*, actor: User, deal: Deal) -> None:
    """The producer (or staff for them) may start paying an accepted deal whose
    agreement both parties signed and which has a fee to pay."""
    party = deal.party_of(actor)
    if party is None and not actor.is_staff:
        raise NotFound(_("No deal here."))
    if party == Party.CREATOR:
        raise Forbidden(_("The producer pays; only they or staff can start a payment."))
    if deal.status not in PAYABLE:
        raise Conflict(_("A deal that is %(status)s is not paid.")
                       % {"status": deal.get_status_display().lower()},
                       code="invalid_transition")
    require_fully_signed(deal)
    if deal.fee_krw <= 0:
        raise Conflict(_("This licence has no upfront fee to pay."), code="nothing_to_pay")


def require_rights_free(deal: Deal) -> None:
    """Refuse before any money moves when the deal's rights went meanwhile (its hold
    lapsed and another deal took them)."""
    reason = unpayable_reason(deal)
    if reason:
        raise Conflict(_("Deal #%(deal)d can no longer be licensed: %(why)s.")
                       % {"deal": deal.pk, "why": reason},
                       code="rights_unavailable", fields={"availability": [reason]})


def open_payment(deal: Deal, *, method: PaymentMethod) -> Payment | None:
    """The deal's open payment by `method`, if any; Conflict while one by the other
    method is open (a deal has one open payment at a time)."""
    existing = Payment.objects.filter(deal=deal, status__in=OPEN_STATUSES).first()
    if existing is None or existing.method == method:
        return existing
    if method == PaymentMethod.BANK_TRANSFER:
        message = _("A card payment of this deal is under way.")
    else:
        message = _("An invoice for a bank transfer of this deal is open; pay it, or cancel "
                    "it on the invoice page first.")
    raise Conflict(message, code="payment_in_progress")


def payment_open(*, actor: User, deal: Deal, method: PaymentMethod, audit_action: str,
                 audit_data: Callable[[Payment], dict[str, Any]], failure: str,
                 fields: dict[str, Any] | None = None) -> Payment:
    """The deal's open payment by `method`, else a new one for its fee with a fresh
    reference, refused when its rights were taken meanwhile. The audit row of a new
    one carries the deal, the amount and `audit_data(payment)`. A concurrent payment
    of the deal (or, rarely, a reference already taken) makes the insert fail; the
    next attempt then finds that payment. `failure` is the Conflict's message when
    no attempt gets there. `fields` are set on a new payment only (an open one
    keeps what it was created with)."""
    now = timezone.now()
    for _attempt in range(REFERENCE_ATTEMPTS):
        existing = open_payment(deal, method=method)
        if existing is not None:
            return existing
        require_rights_free(deal)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    deal=deal, method=method, amount_krw=deal.fee_krw,
                    reference=reference_new(), payer_id=deal.producer_id,
                    created_at=now, updated_at=now, **(fields or {}),
                )
                audit_record(actor=actor, action=audit_action, target=payment,
                             to_state=payment.status,
                             data={"deal_id": deal.pk, "amount_krw": payment.amount_krw,
                                   **audit_data(payment)})
                return payment
        except IntegrityError:
            continue
    raise Conflict(failure, code="stale_payment")
