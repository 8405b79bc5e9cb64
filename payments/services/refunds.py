"""Refunds, full and partial, by staff; and the automatic refund of a card charge
that raced for rights someone else took.

A card refund is our Refund row first (in its own transaction, under the
payment's lock, so two refunds can never together exceed what was paid), then
the Stripe refund outside any transaction with an idempotency key from that row,
then Stripe's answer applied in a transaction: only a succeeded refund writes
ledger entries (the refund, and the reversal of its part of the split) and only
then may it end the licence. A refund Stripe could not be asked for stays
pending and the reconcile task asks again with the same key.

A destination charge (payments.services.card) is refunded with reverse_transfer
and refund_application_fee: Stripe takes back, in the same refund and in
proportion to it, the transfer it made to the creator and the application fee,
so the platform does not pay the creator's part. The ledger rows are the same as
for any refund (the refund, its part of the fee and of the share reversed) plus
the negative TRANSFER of the creator's part, so every deal still balances and
the creator's earnings and payouts stay equal. Stripe rounds the fee it gives
back to the whole won in proportion to each refund, our ledger so that the fee
given back so far is floor(fee x refunded / paid) (ledger.split_reverse): the two
can differ by a won on a partial refund, and agree again once it is refunded in
full.

A bank refund records a transfer back to the payer that staff already made
(e.g. money held for a refused bank payment): it succeeds at once.

The licence: a full refund always ends an active licence (deal_revoke: its
grants end). A partial refund is a price adjustment or a refund of a
compensation; staff must say explicitly whether the licence stays
(keep_licence) and the reason is kept on the refund and in the audit log.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from licensing.models import Deal, DealStatus
from licensing.services import deal_revoke

from ..gateways import stripe as gateway
from ..models import (
    REFUNDABLE_STATUSES,
    ChargeType,
    EntryKind,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from . import ledger
from .card import provider_error, require_stripe
from .connect import destination_transfer_reverse

logger = logging.getLogger(__name__)

REASON_MAX_CHARS = 2000


def _paid_in(payment: Payment) -> int:
    return payment.amount_krw if payment.status == PaymentStatus.SUCCEEDED \
        else payment.received_krw


def _refunded(payment: Payment, *statuses: str) -> int:
    return (Refund.objects.filter(payment=payment, status__in=statuses)
            .aggregate(total=Sum("amount_krw"))["total"] or 0)


def refundable_krw(payment: Payment) -> int:
    """What may still be refunded: money in, less refunds done or under way."""
    if payment.status not in REFUNDABLE_STATUSES:
        return 0
    return _paid_in(payment) - _refunded(payment, RefundStatus.PENDING, RefundStatus.SUCCEEDED)


def _clean_amount(amount_krw) -> int | None:
    if amount_krw is None:
        return None
    if isinstance(amount_krw, bool) or not isinstance(amount_krw, int) or amount_krw <= 0:
        raise InvalidInput.for_field("amount_krw", _("must be a whole number of won above 0"))
    return amount_krw


def _licence_choice(*, payment: Payment, deal: Deal, full: bool,
                    keep_licence: bool | None) -> bool:
    """Whether the licence stays after this refund (see the module's docstring)."""
    licensed = payment.status == PaymentStatus.SUCCEEDED and deal.status == DealStatus.LICENSED
    if not licensed:
        return False
    if full:
        if keep_licence:
            raise InvalidInput.for_field(
                "keep_licence", _("a full refund always ends the licence; refund less to keep it"))
        return False
    if keep_licence is None:
        raise InvalidInput.for_field(
            "keep_licence", _("say whether the licence stays (true) or ends (false) with "
                              "this partial refund"))
    return bool(keep_licence)


def refund_create(*, actor: User, payment_id: int, reason: str, amount_krw: int | None = None,
                  keep_licence: bool | None = None, bank_transaction_id: str = "") -> Refund:
    """Staff refund a payment, in full (no amount: all that is left) or in part. A
    card payment is refunded through Stripe; for a bank payment staff record the
    transfer back they made. Returns the refund: succeeded, or pending while
    Stripe has not answered (the reconcile task asks again)."""
    if not actor.is_staff:
        raise Forbidden(_("Only staff refund payments."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.for_field("reason", _("say why the money is given back"))
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidInput.for_field("reason", _("at most %(count)d characters")
                                     % {"count": REASON_MAX_CHARS})
    amount_krw = _clean_amount(amount_krw)
    bank_transaction_id = (bank_transaction_id or "").strip()[:255]
    now = timezone.now()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            raise NotFound(_("No payment here."))
        if payment.method == PaymentMethod.STRIPE:
            require_stripe()
            if not payment.provider_id:
                raise Conflict(_("This card payment never reached Stripe; there is nothing to "
                                 "refund."), code="nothing_to_refund")
        elif bank_transaction_id:
            earlier = Refund.objects.filter(payment=payment, provider_id=bank_transaction_id,
                                            status=RefundStatus.SUCCEEDED).first()
            if earlier is not None and (amount_krw is None or earlier.amount_krw == amount_krw):
                return earlier  # the same transfer back, recorded again
        left = refundable_krw(payment)
        if left <= 0:
            raise Conflict(_("Payment %(reference)s holds no money to refund.")
                           % {"reference": payment.reference}, code="nothing_to_refund")
        amount = left if amount_krw is None else amount_krw
        if amount > left:
            raise InvalidInput.for_field("amount_krw",
                                         _("is more than the %(left)d KRW left to refund")
                                         % {"left": left})
        deal = Deal.objects.get(pk=payment.deal_id)
        keep = _licence_choice(payment=payment, deal=deal, full=amount == left,
                               keep_licence=keep_licence)
        refund = Refund.objects.create(
            payment=payment, deal_id=payment.deal_id, amount_krw=amount, reason=reason,
            keep_licence=keep, requested_by=actor, created_at=now,
            provider_id=bank_transaction_id if payment.method == PaymentMethod.BANK_TRANSFER
            else "",
        )
        audit_record(actor=actor, action="refund.request", target=refund,
                     to_state=refund.status, reason=reason,
                     data={"payment_id": payment.pk, "amount_krw": amount,
                           "keep_licence": keep, "method": payment.method})
        if payment.method == PaymentMethod.BANK_TRANSFER:
            return _succeed(refund=refund, provider_id=bank_transaction_id, now=now)
    return refund_submit(refund_id=refund.pk)


def refund_auto(*, payment_id: int) -> Refund | None:
    """The system gives back a card charge that arrived for a deal whose rights went
    meanwhile (the payment was refused). Nothing when it holds no money (already
    refunded, or a refund is under way), so the task may run twice."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if (payment is None or payment.method != PaymentMethod.STRIPE
                or payment.status != PaymentStatus.REFUSED or not payment.provider_id):
            return None
        left = refundable_krw(payment)
        if left <= 0:
            return None
        reason = f"automatic: the deal could not be licensed ({payment.reason})"
        refund = Refund.objects.create(payment=payment, deal_id=payment.deal_id,
                                       amount_krw=left, reason=reason[:REASON_MAX_CHARS])
        audit_record(actor=None, action="refund.request", target=refund,
                     to_state=refund.status, reason=refund.reason,
                     data={"payment_id": payment.pk, "amount_krw": left, "automatic": True})
    return refund_submit(refund_id=refund.pk)


def refund_submit(*, refund_id: int) -> Refund:
    """Ask Stripe for a pending card refund (again: the key is the row's id, so a
    repeat returns the refund Stripe already made) and apply the answer. Runs
    outside any transaction. A transient failure leaves it pending."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.payment.method != PaymentMethod.STRIPE:
        return refund
    try:
        answer = gateway.refund_create(
            refund_id=refund.pk, payment_intent=refund.payment.provider_id,
            amount_krw=refund.amount_krw,
            destination_charge=refund.payment.charge_type == ChargeType.DESTINATION)
    except gateway.GatewayError as error:
        if error.transient:
            logger.warning("Refund %s not sent to Stripe yet: %s", refund.pk, error)
            return refund
        refund_apply(refund_id=refund.pk, provider_refund={
            "id": "", "status": "failed", "failure_reason": str(error)})
        raise provider_error(error) from error
    return refund_apply(refund_id=refund.pk, provider_refund=answer)


def refund_apply(*, refund_id: int, provider_refund: dict) -> Refund:
    """Stripe's word on a refund (its answer, a webhook, or the reconcile task),
    applied once: only a pending refund changes."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != RefundStatus.PENDING:
            return refund
        outcome = provider_refund.get("status")
        provider_id = provider_refund.get("id") or refund.provider_id
        now = timezone.now()
        if outcome == "succeeded":
            reversal = gateway.id_of(provider_refund.get("transfer_reversal"))
            return _succeed(refund=refund, provider_id=provider_id, now=now,
                            transfer_reversal=reversal)
        if outcome in ("failed", "canceled"):
            failure = provider_refund.get("failure_reason") or outcome
            Refund.objects.filter(pk=refund.pk).update(
                status=RefundStatus.FAILED, provider_id=provider_id, failure=failure,
                completed_at=now)
            refund.refresh_from_db()
            audit_record(actor=None, action="refund.fail", target=refund,
                         from_state=RefundStatus.PENDING, to_state=refund.status,
                         reason=failure)
            return refund
        if provider_id and provider_id != refund.provider_id:
            Refund.objects.filter(pk=refund.pk).update(provider_id=provider_id)
            refund.refresh_from_db()
        return refund  # still pending at Stripe: its webhook or the reconcile task finishes it


def _succeed(*, refund: Refund, provider_id: str, now, transfer_reversal: str = "") -> Refund:
    """Inside the caller's transaction: the money went back. Ledger entries, the
    refund's status, and (unless staff chose to keep it) the end of the licence.
    `transfer_reversal` is the reversal Stripe made with a destination charge's
    refund."""
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    refunded_before = _refunded(payment, RefundStatus.SUCCEEDED)
    ledger.entry_add(payment=payment, kind=EntryKind.REFUND, amount_krw=-refund.amount_krw,
                     now=now, actor=refund.requested_by, external_id=provider_id,
                     note=refund.reason)
    creator_part = 0
    if payment.status == PaymentStatus.SUCCEEDED:
        creator_part = ledger.split_reverse(payment=payment, amount_krw=refund.amount_krw,
                                            refunded_before_krw=refunded_before, now=now,
                                            actor=refund.requested_by, note=refund.reason)
    destination = payment.charge_type == ChargeType.DESTINATION
    reversal_id = ""
    if destination and creator_part:
        reversed_krw = destination_transfer_reverse(refund=refund, creator_part_krw=creator_part,
                                                    reversal_id=transfer_reversal, now=now)
        reversal_id = transfer_reversal if reversed_krw else ""
    Refund.objects.filter(pk=refund.pk).update(
        status=RefundStatus.SUCCEEDED, provider_id=provider_id, completed_at=now,
        creator_part_krw=creator_part, transfer_reversal_id=reversal_id)
    refund.refresh_from_db()
    audit_record(actor=refund.requested_by, action="refund.succeed", target=refund,
                 from_state=RefundStatus.PENDING, to_state=refund.status, reason=refund.reason,
                 data={"amount_krw": refund.amount_krw, "creator_part_krw": creator_part,
                       "provider_id": provider_id})
    deal = Deal.objects.get(pk=refund.deal_id)
    if (payment.status == PaymentStatus.SUCCEEDED and deal.status == DealStatus.LICENSED
            and not refund.keep_licence and refund.requested_by is not None):
        deal_revoke(actor=refund.requested_by, deal=deal,
                    reason=f"Refunded ({refund.amount_krw} KRW): {refund.reason}")
    if (creator_part and not destination
            and payment.transfers.filter(status="succeeded").exists()):
        from ..tasks import reverse_transfer_for_refund

        transaction.on_commit(lambda: reverse_transfer_for_refund.delay(refund.pk))
    return refund


def refund_of_provider(provider_refund: dict) -> Refund | None:
    """Our refund named in a Stripe refund's metadata (webhooks)."""
    try:
        refund_id = int(provider_refund["metadata"]["refund_id"])
    except (KeyError, TypeError, ValueError):
        return None
    return Refund.objects.filter(pk=refund_id).first()

