"""Bank transfer against an invoice, the embedded way to pay: the producer is
given an invoice with a payment reference, staff record what arrives on the
bank statement, and the receipt that completes the amount licenses the deal.
An invoice on which nothing arrived yet may be canceled (by staff with a reason,
or by the producer who asked for it), so the deal can be paid by card instead."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from licensing.models import Deal, Party
from licensing.services import deal_payment_completed

from ..models import (
    OPEN_INVOICE_STATUSES,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from ..references import reference_normalize
from . import ledger
from .payable import payment_open, require_payable, unpayable_reason
from .state import payment_move

CANCEL_REASON_MAX_CHARS = 2000


class PaymentRefused(Conflict):
    """Money arrived for a deal that can no longer be licensed. The receipt is on
    record as due back to the payer; staff must return it (refund_create)."""

    code = "rights_unavailable"

    def __init__(self, message: str, *, payment: Payment):
        super().__init__(message, fields={"reference": [payment.reference],
                                          "refund_due_krw": [str(payment.received_krw)]})
        self.payment = payment


def invoice_issue(*, actor: User, deal: Deal) -> Payment:
    """The producer (or staff for them) gets the invoice of an accepted deal whose
    agreement both parties signed: the fee, due while the hold lasts, and the
    reference to write on the transfer. Asking again returns the same invoice; a
    new one is refused when the deal's rights were taken meanwhile."""
    require_payable(actor=actor, deal=deal)
    return payment_open(actor=actor, deal=deal, method=PaymentMethod.BANK_TRANSFER,
                        audit_action="payment.invoice",
                        audit_data=lambda payment: {"reference": payment.reference},
                        failure=_("Could not issue the invoice; try again."))


def bank_receipt_record(*, actor: User, reference: str, amount_krw: int,
                        bank_transaction_id: str = "", note: str = "") -> Payment:
    """Staff record a transfer from the bank statement against the invoice whose
    reference it carries. Less than is outstanding is kept as a partial receipt
    and the deal stays unpaid; the receipt that completes the amount splits it
    (platform fee and creator share) and licenses the deal. More than is
    outstanding is refused and nothing is written. If the deal can no longer be
    licensed (its rights were taken meanwhile) the money is recorded but not
    applied, the payment is refused and PaymentRefused tells staff to return it.
    Repeating a receipt with the same bank transaction id changes nothing."""
    if not actor.is_staff:
        raise Forbidden(_("Only staff record bank receipts."))
    normalized = reference_normalize(reference)
    if normalized is None:
        raise InvalidInput.for_field(
            "reference", _("is not a payment reference like CIPX-7K2M-Q9XM, or has a typo"))
    if isinstance(amount_krw, bool) or not isinstance(amount_krw, int) or amount_krw <= 0:
        raise InvalidInput.for_field("amount_krw", _("must be a whole number of won above 0"))
    bank_transaction_id = (bank_transaction_id or "").strip()[:255]
    now = timezone.now()
    refusal = ""
    with transaction.atomic():
        payment = (Payment.objects.select_for_update()
                   .filter(reference=normalized, method=PaymentMethod.BANK_TRANSFER).first())
        if payment is None:
            raise InvalidInput.for_field("reference", _("no invoice has this reference"))
        if bank_transaction_id:
            earlier = LedgerEntry.objects.filter(kind=EntryKind.BANK_RECEIPT,
                                                 external_id=bank_transaction_id).first()
            if earlier is not None:
                if earlier.payment_id == payment.pk and earlier.amount_krw == amount_krw:
                    return payment
                raise Conflict(_("This bank transaction is already recorded against another "
                                 "invoice or amount."), code="duplicate_receipt",
                               fields={"bank_transaction_id": [_("already recorded")]})
        if payment.status not in OPEN_INVOICE_STATUSES:
            raise Conflict(_("Invoice %(reference)s is %(status)s; nothing more is due on it.")
                           % {"reference": payment.reference,
                              "status": payment.get_status_display().lower()},
                           code="payment_closed")
        if amount_krw > payment.outstanding_krw:
            raise InvalidInput.for_field(
                "amount_krw", _("is more than the %(outstanding)d KRW outstanding on "
                                "%(reference)s; return the difference to the payer")
                % {"outstanding": payment.outstanding_krw, "reference": payment.reference})
        ledger.entry_add(payment=payment, kind=EntryKind.BANK_RECEIPT, amount_krw=amount_krw,
                         now=now, actor=actor, external_id=bank_transaction_id, note=note)
        received = payment.received_krw + amount_krw
        data = {"amount_krw": amount_krw, "received_krw": received,
                "bank_transaction_id": bank_transaction_id}
        refusal = unpayable_reason(Deal.objects.get(pk=payment.deal_id))
        if refusal:
            payment_move(payment=payment, action="refuse", actor=actor, now=now,
                         reason=refusal, data=data, received_krw=received)
        elif received < payment.amount_krw:
            return payment_move(payment=payment, action="receive_part", actor=actor, now=now,
                                data=data, received_krw=received)
        else:
            try:
                deal_payment_completed(deal_id=payment.deal_id, reference=payment.reference)
            except Conflict as error:  # the rights went in a race after the check above
                refusal = error.message
                payment_move(payment=payment, action="refuse", actor=actor, now=now,
                             reason=refusal, data=data, received_krw=received)
            else:
                ledger.split_record(payment=payment, now=now, actor=actor)
                return payment_move(payment=payment, action="succeed", actor=actor, now=now,
                                    data=data, received_krw=received, completed_at=now)
    raise PaymentRefused(
        _("Deal #%(deal)d can no longer be licensed (%(why)s). The %(received)d KRW received "
          "on %(reference)s is recorded as due back to the payer: return it.")
        % {"deal": payment.deal_id, "why": refusal, "received": payment.received_krw,
           "reference": payment.reference}, payment=payment)


def invoice_cancel(*, actor: User, payment_id: int, reason: str = "") -> Payment:
    """Cancel an open bank-transfer invoice on which no money was received: staff
    (who must say why), or the producer who pays it (the reason is optional), e.g.
    to pay by card instead. The deal and its hold are untouched, so a new invoice
    or a card payment may follow. Once any money arrived the invoice stays open:
    staff record the rest, or refund what came (refund_create) after it is refused.
    Strangers to the deal get NotFound, its creator Forbidden."""
    reason = (reason or "").strip()
    if len(reason) > CANCEL_REASON_MAX_CHARS:
        raise InvalidInput.for_field("reason", _("at most %(count)d characters")
                                     % {"count": CANCEL_REASON_MAX_CHARS})
    with transaction.atomic():
        payment = (Payment.objects.select_for_update().select_related("deal")
                   .filter(pk=payment_id, method=PaymentMethod.BANK_TRANSFER).first())
        party = payment.deal.party_of(actor) if payment is not None else None
        if payment is None or (party is None and not actor.is_staff):
            raise NotFound(_("No invoice here."))
        if not actor.is_staff and party != Party.PRODUCER:
            raise Forbidden(_("Only the producer who pays an invoice, or staff, can cancel it."))
        if actor.is_staff and party != Party.PRODUCER and not reason:
            raise InvalidInput.for_field("reason", _("say why the invoice is canceled; the "
                                                     "producer sees it"))
        if payment.received_krw or payment.status == PaymentStatus.PARTIALLY_RECEIVED:
            raise Conflict(_("%(received)d KRW was already received on %(reference)s, so it "
                             "cannot be canceled; record the rest, or refund what came.")
                           % {"received": payment.received_krw, "reference": payment.reference},
                           code="money_received")
        if payment.status != PaymentStatus.PENDING:
            raise Conflict(_("Invoice %(reference)s is %(status)s; it can no longer be "
                             "canceled.") % {"reference": payment.reference,
                                             "status": payment.get_status_display().lower()},
                           code="payment_closed")
        return payment_move(
            payment=payment, action="cancel", actor=actor, now=timezone.now(),
            reason=reason,
            data={"by": "staff" if actor.is_staff and party != Party.PRODUCER else "payer",
                  "reference": payment.reference})
