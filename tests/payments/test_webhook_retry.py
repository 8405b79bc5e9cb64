"""Staff retry a Stripe event that failed to apply (payments.services.webhook_retry).

The event is a real delivery: signed with the endpoint secret and posted to
/webhooks/stripe/ (tests/payments/conftest.py `deliver`). `card_payment` is a card
payment of `signed_deal` (5,000,000 KRW) whose row still names the intent of an
earlier attempt (pi_stale), so Stripe's word that pi_1 succeeded does not fit our
records and is stored as failed. Staff check Stripe and correct the row (by hand,
as in the admin); a retry then applies the event exactly once. The ledger of every
deal is checked to balance after each test (conftest).
"""

from __future__ import annotations

import pytest

from exchange.audit.models import AuditEntry
from exchange.errors import Conflict, Forbidden, NotFound
from licensing.models import DealStatus
from payments.models import (
    EntryKind,
    Payment,
    PaymentMethod,
    PaymentStatus,
    WebhookEvent,
    WebhookStatus,
)
from payments.references import reference_new
from payments.selectors import deal_balance
from payments.services import webhook_retry

from .conftest import at_once, deliver, entries

STALE_ERROR = "EventNotApplicable: payment {pk} is paid by another intent"
PAID = [(EntryKind.CHARGE, 5_000_000), (EntryKind.PLATFORM_FEE, 500_000),
        (EntryKind.CREATOR_SHARE, 4_500_000)]


pytestmark = pytest.mark.usefixtures("stripe_keys")


@pytest.fixture
def card_payment(signed_deal) -> Payment:
    """Processing at Stripe under an intent id that is not the one that succeeded
    (test data, as a factory would make it)."""
    return Payment.objects.create(deal=signed_deal, method=PaymentMethod.STRIPE,
                                  status=PaymentStatus.PROCESSING, amount_krw=5_000_000,
                                  reference=reference_new(), payer=signed_deal.producer,
                                  provider_id="pi_stale")


def succeeded(payment: Payment, *, event_id: str = "evt_1") -> dict:
    intent = {"id": "pi_1", "object": "payment_intent", "amount": payment.amount_krw,
              "amount_received": payment.amount_krw, "currency": "krw",
              "status": "succeeded",
              "metadata": {"payment_id": str(payment.pk), "deal_id": str(payment.deal_id)}}
    return {"id": event_id, "object": "event", "type": "payment_intent.succeeded",
            "data": {"object": intent}}


@pytest.fixture
def failed_event(card_payment) -> WebhookEvent:
    response = deliver(succeeded(card_payment))
    assert response.json() == {"id": "evt_1", "status": "failed", "duplicate": False}
    return WebhookEvent.objects.get(event_id="evt_1")


def fix_the_cause(payment: Payment) -> None:
    """Staff find at Stripe that pi_1 is this payment's intent and correct the row."""
    Payment.objects.filter(pk=payment.pk).update(provider_id="pi_1")


def test_a_failed_event_whose_cause_was_fixed_is_applied_once_on_retry(
        failed_event, card_payment, signed_deal, staff):
    assert failed_event.error == STALE_ERROR.format(pk=card_payment.pk)
    assert entries(signed_deal) == []
    fix_the_cause(card_payment)

    event = webhook_retry(actor=staff, webhook_event_id=failed_event.pk)

    assert (event.pk, event.status, event.error, event.attempts) == (
        failed_event.pk, WebhookStatus.APPLIED, "", 2)
    card_payment.refresh_from_db()
    assert (card_payment.status, card_payment.received_krw) == (PaymentStatus.SUCCEEDED,
                                                                5_000_000)
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert entries(signed_deal) == PAID
    balance = deal_balance(deal_id=signed_deal.pk)
    assert (balance.balanced, balance.received_krw, balance.platform_fee_krw,
            balance.creator_share_krw) == (True, 5_000_000, 500_000, 4_500_000)
    audit = AuditEntry.objects.get(action="webhook.retry")
    assert (audit.actor_id, audit.target_type, audit.target_id, audit.from_state,
            audit.to_state) == (staff.pk, "payments.webhookevent", str(failed_event.pk),
                                "failed", "applied")
    assert audit.data == {"event_id": "evt_1", "type": "payment_intent.succeeded",
                          "attempts": 2,
                          "failed_with": STALE_ERROR.format(pk=card_payment.pk),
                          "error": ""}


def test_a_second_retry_is_refused_and_changes_nothing(failed_event, card_payment,
                                                       signed_deal, staff):
    fix_the_cause(card_payment)
    first = webhook_retry(actor=staff, webhook_event_id=failed_event.pk)

    with pytest.raises(Conflict) as refused:
        webhook_retry(actor=staff, webhook_event_id=failed_event.pk)

    assert refused.value.code == "webhook_not_failed"
    again = WebhookEvent.objects.get(pk=failed_event.pk)
    assert (again.status, again.attempts, again.processed_at) == (
        WebhookStatus.APPLIED, 2, first.processed_at)
    assert entries(signed_deal) == PAID
    assert AuditEntry.objects.filter(action="webhook.retry").count() == 1
    assert AuditEntry.objects.filter(action="payment.succeed").count() == 1


def test_stripe_delivering_the_event_again_after_the_retry_changes_nothing(
        failed_event, card_payment, signed_deal, staff):
    fix_the_cause(card_payment)
    webhook_retry(actor=staff, webhook_event_id=failed_event.pk)

    response = deliver(succeeded(card_payment))

    assert response.json() == {"id": "evt_1", "status": "applied", "duplicate": True}
    assert entries(signed_deal) == PAID


def test_a_retry_before_the_cause_is_fixed_fails_again_and_may_be_retried_later(
        failed_event, card_payment, signed_deal, staff):
    event = webhook_retry(actor=staff, webhook_event_id=failed_event.pk)

    assert (event.status, event.error, event.attempts) == (
        WebhookStatus.FAILED, STALE_ERROR.format(pk=card_payment.pk), 2)
    assert entries(signed_deal) == []
    card_payment.refresh_from_db()
    assert card_payment.status == PaymentStatus.PROCESSING
    assert AuditEntry.objects.get(action="webhook.retry").to_state == "failed"

    fix_the_cause(card_payment)
    later = webhook_retry(actor=staff, webhook_event_id=failed_event.pk)

    assert (later.status, later.attempts) == (WebhookStatus.APPLIED, 3)
    assert entries(signed_deal) == PAID


@pytest.mark.parametrize("who", ["producer", "owner", "other_producer"])
def test_only_staff_retry_and_a_refusal_changes_nothing(failed_event, card_payment,
                                                        signed_deal, request, who):
    fix_the_cause(card_payment)

    with pytest.raises(Forbidden):
        webhook_retry(actor=request.getfixturevalue(who), webhook_event_id=failed_event.pk)

    event = WebhookEvent.objects.get(pk=failed_event.pk)
    assert (event.status, event.attempts, event.error) == (
        WebhookStatus.FAILED, 1, STALE_ERROR.format(pk=card_payment.pk))
    assert entries(signed_deal) == []
    assert AuditEntry.objects.filter(action="webhook.retry").count() == 0


def _applied(payment: Payment) -> WebhookEvent:
    fix_the_cause(payment)
    deliver(succeeded(payment, event_id="evt_ok"))
    return WebhookEvent.objects.get(event_id="evt_ok")


def _ignored(payment: Payment) -> WebhookEvent:
    deliver({"id": "evt_cus", "object": "event", "type": "customer.created",
             "data": {"object": {"id": "cus_1", "object": "customer"}}})
    return WebhookEvent.objects.get(event_id="evt_cus")


def _received(payment: Payment) -> WebhookEvent:
    """Stored, and the process died before applying it: the reconcile task's to apply."""
    fix_the_cause(payment)
    event = succeeded(payment, event_id="evt_stored")
    return WebhookEvent.objects.create(event_id=event["id"], type=event["type"], payload=event)


@pytest.mark.parametrize("make, status", [(_applied, WebhookStatus.APPLIED),
                                          (_ignored, WebhookStatus.IGNORED),
                                          (_received, WebhookStatus.RECEIVED)])
def test_only_a_failed_event_can_be_retried(card_payment, signed_deal, staff, make, status):
    stored = make(card_payment)
    before = entries(signed_deal)

    with pytest.raises(Conflict) as refused:
        webhook_retry(actor=staff, webhook_event_id=stored.pk)

    assert refused.value.code == "webhook_not_failed"
    event = WebhookEvent.objects.get(pk=stored.pk)
    assert (event.status, event.attempts, event.processed_at) == (
        status, stored.attempts, stored.processed_at)
    assert entries(signed_deal) == before
    assert AuditEntry.objects.filter(action="webhook.retry").count() == 0


def test_an_event_that_does_not_exist_is_not_found(db, staff):
    with pytest.raises(NotFound):
        webhook_retry(actor=staff, webhook_event_id=404)


RETRIES = 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_retrying_at_once_apply_the_event_once(failed_event, card_payment,
                                                         signed_deal, staff):
    fix_the_cause(card_payment)

    def retry(desk: int) -> str:
        return webhook_retry(actor=staff, webhook_event_id=failed_event.pk).status

    assert at_once(RETRIES, retry) == ["applied", "webhook_not_failed"]
    assert WebhookEvent.objects.get(pk=failed_event.pk).attempts == 2
    assert entries(signed_deal) == PAID
    assert AuditEntry.objects.filter(action="webhook.retry").count() == 1
