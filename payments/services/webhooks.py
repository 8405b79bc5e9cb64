"""Stripe webhooks, applied exactly once: an event is verified, stored under its
unique event id in its own transaction, and only then applied in another. A
repeated delivery finds the stored row and changes nothing; a crash between
storing and applying leaves the row `received`, and the reconcile task applies
it later. Each event records whether it was applied, ignored, or why it failed.
Applying never calls Stripe, so it can run inside a transaction; what must call
Stripe afterwards (the automatic refund of a charge that raced for rights taken
meanwhile, the transfer of the creator's share, the id of the transfer Stripe
made with a destination charge when the event does not carry it) is a task
enqueued on commit.

A destination charge's payment_intent.succeeded records, in the one transaction
that records the charge (and so exactly once), the split as Stripe made it (the
application fee is the platform fee) and the transfer of the creator's share
Stripe made with the charge: a destination charge has exactly one transfer, made
when it succeeds, so the TRANSFER entry is written then, keyed by the charge.
The transfer's own id (the charge's `transfer`) is not in the event (an intent
names its latest_charge by id; events are never expanded); it is taken from the
event when an older API version embeds the charge, else fetched after commit
(payments.services.connect.destination_transfer_identify). The ledger never
waits for it: no second event (transfer.created, charge.updated) is needed and
no order between events matters.

The reconcile task checks payments stuck in processing against Stripe and
stores what it finds as an event of its own (event id `reconcile:<intent>:
<status>`), applied by the same handlers, so it too is applied exactly once.

An event that failed (it did not fit our records) changed nothing: its handler ran
in a savepoint that was rolled back. Once the cause is fixed, staff retry it
(webhook_retry): it goes back to `received` and through webhook_apply again, in
one transaction, so no one else ever sees it `received` and it is still applied
at most once."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Conflict, Forbidden, NotFound
from licensing.services import deal_payment_completed

from ..gateways import stripe as gateway
from ..models import (
    ChargeType,
    ConnectedAccount,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentStatus,
    RefundStatus,
    WebhookEvent,
    WebhookStatus,
)
from . import ledger
from .connect import connect_account_refresh, destination_transfer_record
from .refunds import refund_apply, refund_of_provider
from .state import payment_move

logger = logging.getLogger(__name__)


class EventNotApplicable(Exception):
    """The event is valid but does not fit our records (unknown payment, wrong amount)."""


def webhook_store(*, payload: bytes, signature: str) -> tuple[WebhookEvent, bool]:
    """Verify and store an event; (event, created). A bad or stale signature raises
    gateway.SignatureInvalid and stores nothing."""
    return _event_store(gateway.event_construct(payload=payload, signature=signature))


def _event_store(event: dict) -> tuple[WebhookEvent, bool]:
    """The event stored under its unique id, in its own transaction; (event, created).
    A repeat finds the row stored first."""
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


def webhook_retry(*, actor: User, webhook_event_id: int) -> WebhookEvent:
    """Staff apply a failed event again once its cause is fixed. Only a `failed` event
    moves: back to `received` by a conditional update, then through webhook_apply, in
    one transaction with the audit row. A second click, or a retry racing this one,
    finds it no longer failed and is a Conflict that changes nothing. An event that
    fails again stays `failed` with the new error and may be retried later."""
    if not (actor and actor.is_active and actor.is_staff):
        raise Forbidden(_("Only staff retry Stripe events."))
    with transaction.atomic():
        event = WebhookEvent.objects.filter(pk=webhook_event_id).first()
        if event is None:
            raise NotFound(_("No Stripe event here."))
        reopened = WebhookEvent.objects.filter(
            pk=event.pk, status=WebhookStatus.FAILED).update(status=WebhookStatus.RECEIVED)
        if reopened != 1:
            raise Conflict(_("Only a Stripe event that failed can be retried; this one is "
                             "no longer failed."), code="webhook_not_failed")
        failed_with = event.error
        event = webhook_apply(webhook_event_id=event.pk)
        audit_record(actor=actor, action="webhook.retry", target=event,
                     from_state=WebhookStatus.FAILED, to_state=event.status,
                     data={"event_id": event.event_id, "type": event.type,
                           "attempts": event.attempts, "failed_with": failed_with,
                           "error": event.error})
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
    own row was marked processing; the charge's external id keeps it single. A
    destination charge also records the transfer Stripe made with it (see the
    module's docstring)."""
    payment = _payment_of(intent)
    if LedgerEntry.objects.filter(kind=EntryKind.CHARGE, external_id=intent["id"]).exists():
        return
    # Older API versions (and localstripe) send no amount_received; a succeeded
    # intent then received its whole amount.
    received = intent.get("amount_received", intent.get("amount"))
    if intent["currency"] != gateway.CURRENCY or received != payment.amount_krw:
        raise EventNotApplicable(f"intent {intent['id']} received {received} "
                                 f"{intent['currency']}, payment {payment.pk} is "
                                 f"{payment.amount_krw} krw")
    account, fee = None, None
    if payment.charge_type == ChargeType.DESTINATION:
        account, fee = _destination_of(intent, payment)
    now = timezone.now()
    ledger.entry_add(payment=payment, kind=EntryKind.CHARGE, amount_krw=payment.amount_krw,
                     now=now, external_id=intent["id"])
    data = {"payment_intent": intent["id"]}
    charge = gateway.id_of(intent.get("latest_charge"))
    try:
        deal_payment_completed(deal_id=payment.deal_id, reference=intent["id"])
    except Conflict as error:
        # The rights went while the card was charged: refunded automatically (a
        # destination charge's refund takes the transfer and the fee back in full,
        # so neither is recorded for it).
        payment_move(payment=payment, action="refuse", actor=None, now=now,
                     reason=error.message, data=data, received_krw=payment.amount_krw,
                     provider_id=intent["id"], provider_charge_id=charge)
        _after_commit("refund_refused_payment", payment.pk)
        return
    ledger.split_record(payment=payment, now=now, fee_krw=fee)
    payment_move(payment=payment, action="succeed", actor=None, now=now, data=data,
                 received_krw=payment.amount_krw, provider_id=intent["id"],
                 provider_charge_id=charge, completed_at=now)
    if account is None:
        _after_commit("transfer_creator_share", payment.pk)
        return
    transfer = destination_transfer_record(payment=payment, account=account,
                                           share_krw=payment.amount_krw - fee,
                                           transfer_id=_transfer_id(intent), now=now)
    if not transfer.provider_id:
        _after_commit("identify_destination_transfer", payment.pk)


def _destination_of(intent: dict, payment: Payment) -> tuple[ConnectedAccount, int]:
    """The creator's account a destination charge went to and the application fee
    Stripe kept, checked against our records."""
    account = ConnectedAccount.objects.filter(user_id=payment.deal.creator_id).first()
    destination = gateway.id_of((intent.get("transfer_data") or {}).get("destination"))
    if account is None or not destination or destination != account.stripe_account_id:
        raise EventNotApplicable(f"intent {intent['id']} was not transferred to the "
                                 f"creator's account of payment {payment.pk}")
    fee = intent.get("application_fee_amount") or 0
    if not isinstance(fee, int) or not 0 <= fee <= payment.amount_krw:
        raise EventNotApplicable(f"intent {intent['id']} has an application fee of {fee}")
    return account, fee


def _transfer_id(intent: dict) -> str:
    """The id of the transfer of a destination charge, when the event carries the
    charge itself (an expanded latest_charge, or the `charges` list of API versions
    before 2022-11-15); else empty."""
    charge = intent.get("latest_charge")
    if not isinstance(charge, dict):
        listed = (intent.get("charges") or {}).get("data") or []
        charge = listed[0] if listed and isinstance(listed[0], dict) else {}
    return gateway.id_of(charge.get("transfer"))


def _after_commit(task_name: str, payment_id: int) -> None:
    """Enqueue a task that calls Stripe once this event's transaction committed."""
    from .. import tasks  # tasks import the services; imported late to avoid the cycle

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(payment_id))


def _intent_failed(intent: dict) -> None:
    payment = _payment_of(intent)
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING):
        error = (intent.get("last_payment_error") or {}).get("message", "")
        payment_move(payment=payment, action="fail", actor=None, now=timezone.now(),
                     reason=error or "the card payment failed", provider_id=intent["id"])


def _intent_canceled(intent: dict) -> None:
    payment = _payment_of(intent)
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING):
        payment_move(payment=payment, action="cancel", actor=None, now=timezone.now(),
                     reason=intent.get("cancellation_reason") or "the card payment was canceled",
                     provider_id=intent["id"])


def _account_updated(account: dict) -> None:
    connect_account_refresh(account=account)


def _refund_updated(provider_refund: dict) -> None:
    """refund.updated / refund.failed / charge.refund.updated: Stripe's word on one of
    our refunds, applied to a pending one (refund_apply). A refund Stripe reports
    failed after it had succeeded (the payer's card could not take the money back;
    Stripe returns it to the platform's balance) is not undone by itself: the
    ledger already gave it back and the licence may have ended. The event is
    recorded as failed with the reason, for staff to return the money by hand."""
    refund = refund_of_provider(provider_refund)
    if refund is None:
        raise EventNotApplicable(f"refund {provider_refund.get('id')} names no refund of ours")
    if refund.status == RefundStatus.SUCCEEDED and provider_refund.get("status") == "failed":
        raise EventNotApplicable(
            f"refund #{refund.pk} succeeded earlier but Stripe now reports it failed "
            f"({provider_refund.get('failure_reason') or 'no reason given'}): "
            f"{refund.amount_krw} KRW is back in the platform's balance; return it to the "
            f"payer by hand")
    refund_apply(refund_id=refund.pk, provider_refund=provider_refund)


HANDLERS: dict[str, Callable[[dict], None]] = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "payment_intent.canceled": _intent_canceled,
    "account.updated": _account_updated,
    "refund.updated": _refund_updated,
    "refund.failed": _refund_updated,
    "charge.refund.updated": _refund_updated,
}

# What the reconcile task applies for an intent's status at Stripe.
INTENT_EVENT_TYPES = {
    "succeeded": "payment_intent.succeeded",
    "requires_payment_method": "payment_intent.payment_failed",
    "canceled": "payment_intent.canceled",
}


def intent_reconcile(*, intent: dict) -> WebhookEvent | None:
    """A payment stuck in processing, as Stripe has it now: a final status is stored
    as an event of our own and applied by the webhook handlers, once. An intent
    still under way (or one that never left requires_payment_method without an
    error) is None."""
    status = intent.get("status")
    if status == "requires_payment_method" and not intent.get("last_payment_error"):
        return None
    event_type = INTENT_EVENT_TYPES.get(status)
    if event_type is None:
        return None
    payload = {"id": f"reconcile:{intent['id']}:{status}", "object": "event",
               "type": event_type, "data": {"object": intent}}
    event, _created = _event_store(payload)
    return webhook_apply(webhook_event_id=event.pk)
