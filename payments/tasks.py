"""Celery tasks of the payments app: they take ids, call one service and may run
twice. Those that call Stripe run outside any transaction; a transient failure
leaves the row pending for the reconcile sweep instead of retrying here."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from exchange.errors import ApplicationError

from .gateways import stripe as gateway
from .models import (
    ChargeType,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    Transfer,
    TransferStatus,
    WebhookEvent,
    WebhookStatus,
)
from .services import card, connect, refunds, webhooks

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Rows younger than this are left to the request or task that created them.
PENDING_GRACE = dt.timedelta(minutes=5)


@shared_task(soft_time_limit=60, time_limit=90)
def apply_webhook_event(webhook_event_id: int) -> str:
    return webhooks.webhook_apply(webhook_event_id=webhook_event_id).status


@shared_task(soft_time_limit=60, time_limit=90)
def refund_refused_payment(payment_id: int) -> int | None:
    """A card charge for rights taken meanwhile goes back to the payer."""
    refund = refunds.refund_auto(payment_id=payment_id)
    return refund.pk if refund else None


@shared_task(soft_time_limit=60, time_limit=90)
def transfer_creator_share(payment_id: int) -> int | None:
    transfer = connect.creator_share_transfer(payment_id=payment_id)
    return transfer.pk if transfer else None


@shared_task(soft_time_limit=60, time_limit=90)
def identify_destination_transfer(payment_id: int) -> str:
    """The Stripe id of the transfer a destination charge made, read from the charge."""
    transfer = connect.destination_transfer_identify(payment_id=payment_id)
    return transfer.provider_id if transfer else ""


@shared_task(soft_time_limit=120, time_limit=180)
def transfer_owed_shares(user_id: int) -> int:
    """A creator's account became ready: their owed shares go out."""
    ids = connect.payments_owed_to(user_id=user_id)
    for payment_id in ids:
        transfer_creator_share.delay(payment_id)
    return len(ids)


@shared_task(soft_time_limit=60, time_limit=90)
def reverse_transfer_for_refund(refund_id: int) -> str:
    return connect.transfer_reverse_for_refund(refund_id=refund_id).transfer_reversal_id


@shared_task(soft_time_limit=120, time_limit=180)
def reconcile_payments() -> int:
    """Beat: events stored but never applied (the process died in between) are
    applied now; when Stripe is on, card payments stuck in processing longer than
    STRIPE_PROCESSING_STALE_MINUTES are checked against Stripe, and refunds and
    transfers left pending are asked for again (same idempotency keys), and the
    transfers of destination charges still without Stripe's id get it. Returns
    the number of events found unapplied."""
    ids = list(WebhookEvent.objects.filter(status=WebhookStatus.RECEIVED)
               .order_by("received_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH])
    for webhook_event_id in ids:
        apply_webhook_event.delay(webhook_event_id)
    if card.stripe_enabled():
        now = timezone.now()
        for payment_id in _stale_processing(now):
            reconcile_card_payment.delay(payment_id)
        for refund_id in (Refund.objects.filter(
                status=RefundStatus.PENDING, payment__method=PaymentMethod.STRIPE,
                created_at__lte=now - PENDING_GRACE)
                .order_by("id").values_list("pk", flat=True)[:SWEEP_BATCH]):
            resubmit_refund.delay(refund_id)
        for transfer_id in (Transfer.objects.filter(
                status=TransferStatus.PENDING, created_at__lte=now - PENDING_GRACE)
                .order_by("id").values_list("pk", flat=True)[:SWEEP_BATCH]):
            resubmit_transfer.delay(transfer_id)
        for payment_id in (Transfer.objects.filter(
                status=TransferStatus.SUCCEEDED, provider_id="",
                payment__charge_type=ChargeType.DESTINATION, created_at__lte=now - PENDING_GRACE)
                .order_by("id").values_list("payment_id", flat=True)[:SWEEP_BATCH]):
            identify_destination_transfer.delay(payment_id)
    return len(ids)


def _stale_processing(now: dt.datetime) -> list[int]:
    cutoff = now - dt.timedelta(minutes=settings.STRIPE_PROCESSING_STALE_MINUTES)
    return list(Payment.objects.filter(
        method=PaymentMethod.STRIPE, status=PaymentStatus.PROCESSING,
        updated_at__lte=cutoff).exclude(provider_id="")
        .order_by("updated_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH])


@shared_task(soft_time_limit=60, time_limit=90)
def reconcile_card_payment(payment_id: int) -> str:
    """Apply what Stripe says of a payment stuck in processing (succeeded, failed or
    canceled) through the webhook handlers, exactly once."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != PaymentStatus.PROCESSING or not payment.provider_id:
        return payment.status
    try:
        intent = gateway.payment_intent_retrieve(payment.provider_id)
    except gateway.GatewayError as error:
        logger.warning("Could not check payment %s at Stripe: %s", payment_id, error)
        return payment.status
    event = webhooks.intent_reconcile(intent=intent)
    return event.status if event else intent.get("status", "")


@shared_task(soft_time_limit=60, time_limit=90)
def resubmit_refund(refund_id: int) -> str:
    refund = Refund.objects.get(pk=refund_id)
    if refund.status == RefundStatus.PENDING and refund.provider_id:
        try:
            answer = gateway.refund_retrieve(refund.provider_id)
        except gateway.GatewayError as error:
            logger.warning("Could not check refund %s at Stripe: %s", refund_id, error)
            return refund.status
        return refunds.refund_apply(refund_id=refund_id, provider_refund=answer).status
    try:
        return refunds.refund_submit(refund_id=refund_id).status
    except ApplicationError as refused:  # Stripe refused for good: recorded on the refund
        return refused.code


@shared_task(soft_time_limit=60, time_limit=90)
def resubmit_transfer(transfer_id: int) -> str:
    return connect.transfer_submit(transfer_id=transfer_id).status
