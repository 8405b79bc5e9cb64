"""Stripe webhooks, applied exactly once: an event is verified, stored under its
unique event id in its own transaction, and only then applied in another. A
repeated delivery finds the stored row and changes nothing; a crash between
storing and applying leaves the row `received`, and the reconcile task applies
it later. Each event records whether it was applied, ignored, or why it failed.
Applying never calls Stripe, so it can run inside a transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from exchange.errors import Conflict
from licensing.services import deal_payment_completed

from ..gateways import stripe as gateway
from ..models import EntryKind, LedgerEntry, Payment, PaymentStatus, WebhookEvent, WebhookStatus
from . import ledger
from .state import payment_move

logger = logging.getLogger(__name__)


class EventNotApplicable(Exception):
    """The event is valid but does not fit our records (unknown payment, wrong amount)."""


def webhook_store(*, payload: bytes, signature: str) -> tuple[WebhookEvent, bool]:
    """Verify and store an event; (event, created). A bad or stale signature raises
    gateway.SignatureInvalid and stores nothing."""
    event = gateway.event_construct(payload=payload, signature=signature)
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider="stripe", event_id=event["id"], type=event["type"], payload=event,
            ), True
    except IntegrityError:
        return WebhookEvent.objects.get(provider="stripe", event_id=event["id"]), False


def webhook_apply(*, webhook_event_id: int) -> WebhookEvent:
    """Apply a stored event once: anything not `received` is returned as it is."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=webhook_event_id)
        if event.status != WebhookStatus.RECEIVED:
            return event
        handler = HANDLERS.get(event.type)
        status, error = WebhookStatus.IGNORED, ""
        if handler is not None:
            try:
                with transaction.atomic():
                    handler(event.payload["data"]["object"])
                status = WebhookStatus.APPLIED
            except (EventNotApplicable, Conflict, KeyError, ValueError) as failure:
                status, error = WebhookStatus.FAILED, f"{type(failure).__name__}: {failure}"
                logger.warning("Stripe event %s (%s) failed: %s", event.event_id, event.type,
                               error)
        WebhookEvent.objects.filter(pk=event.pk).update(
            status=status, error=error, attempts=event.attempts + 1,
            processed_at=timezone.now())
        event.refresh_from_db()
        return event


def _payment_of(intent: dict) -> Payment:
    """Our row, by the id we put in the intent's metadata; locked for the change."""
    try:
        payment_id = int(intent["metadata"]["payment_id"])
    except (KeyError, TypeError, ValueError):
        raise EventNotApplicable(f"intent {intent.get('id')} names no payment of ours") from None
    payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
    if payment is None:
        raise EventNotApplicable(f"payment {payment_id} does not exist")
    if payment.provider_id and payment.provider_id != intent["id"]:
        raise EventNotApplicable(f"payment {payment_id} is paid by another intent")
    return payment


def _intent_succeeded(intent: dict) -> None:
    """Money arrived: charge, split and licence, once. The event may come before our
    own row was marked processing; the charge's external id keeps it single."""
    payment = _payment_of(intent)
    if LedgerEntry.objects.filter(kind=EntryKind.CHARGE, external_id=intent["id"]).exists():
        return
    if intent["currency"] != gateway.CURRENCY or intent["amount_received"] != payment.amount_krw:
        raise EventNotApplicable(f"intent {intent['id']} received {intent['amount_received']} "
                                 f"{intent['currency']}, payment {payment.pk} is "
                                 f"{payment.amount_krw} krw")
    now = timezone.now()
    ledger.entry_add(payment=payment, kind=EntryKind.CHARGE, amount_krw=payment.amount_krw,
                     now=now, external_id=intent["id"])
    data = {"payment_intent": intent["id"]}
    try:
        deal_payment_completed(deal_id=payment.deal_id, reference=intent["id"])
    except Conflict as error:
        # The rights went while the card was charged: held for the automatic refund.
        payment_move(payment=payment, action="refuse", actor=None, now=now,
                     reason=error.message, data=data, received_krw=payment.amount_krw,
                     provider_id=intent["id"])
        return
    ledger.split_record(payment=payment, now=now)
    payment_move(payment=payment, action="succeed", actor=None, now=now, data=data,
                 received_krw=payment.amount_krw, provider_id=intent["id"], completed_at=now)


def _intent_failed(intent: dict) -> None:
    payment = _payment_of(intent)
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING):
        error = (intent.get("last_payment_error") or {}).get("message", "")
        payment_move(payment=payment, action="fail", actor=None, now=timezone.now(),
                     reason=error or "the card payment failed", provider_id=intent["id"])


HANDLERS: dict[str, Callable[[dict], None]] = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
}
