"""POST /webhooks/stripe/: verified over the raw body, stored under the event id
before it is applied, applied exactly once whatever the order or repetition.

Payloads are signed as Stripe signs them: HMAC-SHA256 with the endpoint secret
over "<timestamp>.<raw body>", sent as `Stripe-Signature: t=<timestamp>,v1=<hex>`.
No Stripe server is involved.
"""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from exchange.audit.models import AuditEntry
from licensing import services as licensing
from licensing.models import DealStatus
from payments.gateways import stripe as gateway
from payments.models import (
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
    WebhookStatus,
)
from payments.references import reference_new
from payments.services import invoice_issue, refundable_krw
from payments.services.webhooks import webhook_store
from payments.tasks import reconcile_payments

from .conftest import lapse, sign_both, signature

URL = "/webhooks/stripe/"

pytestmark = pytest.mark.usefixtures("stripe_keys")


@pytest.fixture
def card_payment(signed_deal) -> Payment:
    """A card payment as our row stands before Stripe's answer was written to it:
    still pending, no intent id yet (test data, as a factory would make it)."""
    return Payment.objects.create(deal=signed_deal, method=PaymentMethod.STRIPE,
                                  amount_krw=5_000_000, reference=reference_new(),
                                  payer=signed_deal.producer)


def event(event_type: str, obj: dict, *, event_id: str = "evt_1") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": event_type,
                       "data": {"object": obj}}).encode()


def intent(payment: Payment, *, intent_id: str = "pi_1", amount: int | None = None) -> dict:
    amount = payment.amount_krw if amount is None else amount
    return {"id": intent_id, "object": "payment_intent", "amount": amount,
            "amount_received": amount, "currency": "krw", "status": "succeeded",
            "metadata": {"payment_id": str(payment.pk), "deal_id": str(payment.deal_id)}}


def post(body: bytes, sig: str | None = None):
    return Client().post(URL, data=body, content_type="application/json",
                         HTTP_STRIPE_SIGNATURE=signature(body) if sig is None else sig)


def charges() -> list[tuple[str, int]]:
    return list(LedgerEntry.objects.order_by("id").values_list("kind", "amount_krw"))


def test_a_succeeded_intent_arriving_before_our_row_was_updated_licenses_the_deal_once(
        card_payment, signed_deal):
    response = post(event("payment_intent.succeeded", intent(card_payment)))

    assert response.status_code == 200
    assert response.json() == {"id": "evt_1", "status": "applied", "duplicate": False}
    card_payment.refresh_from_db()
    assert (card_payment.status, card_payment.provider_id) == (PaymentStatus.SUCCEEDED, "pi_1")
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert charges() == [(EntryKind.CHARGE, 5_000_000), (EntryKind.PLATFORM_FEE, 500_000),
                         (EntryKind.CREATOR_SHARE, 4_500_000)]


def test_a_repeated_delivery_is_answered_200_and_changes_nothing(card_payment):
    body = event("payment_intent.succeeded", intent(card_payment))
    post(body)

    again = post(body)

    assert again.status_code == 200
    assert again.json() == {"id": "evt_1", "status": "applied", "duplicate": True}
    assert WebhookEvent.objects.count() == 1
    assert len(charges()) == 3


def test_a_second_event_about_the_same_intent_does_not_charge_twice(card_payment):
    post(event("payment_intent.succeeded", intent(card_payment), event_id="evt_1"))

    response = post(event("payment_intent.succeeded", intent(card_payment), event_id="evt_2"))

    assert response.json()["status"] == "applied"
    assert len(charges()) == 3


def test_a_failure_arriving_after_the_success_leaves_the_payment_paid(card_payment):
    post(event("payment_intent.succeeded", intent(card_payment), event_id="evt_1"))

    late = post(event("payment_intent.payment_failed", intent(card_payment), event_id="evt_0"))

    assert late.json()["status"] == "applied"
    card_payment.refresh_from_db()
    assert card_payment.status == PaymentStatus.SUCCEEDED


def test_a_forged_signature_is_a_400_and_stores_nothing(card_payment):
    body = event("payment_intent.succeeded", intent(card_payment))

    response = post(body, signature(body, secret="whsec_someone_else"))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert WebhookEvent.objects.count() == 0
    assert charges() == []


def test_a_body_changed_after_signing_is_a_400(card_payment):
    body = event("payment_intent.succeeded", intent(card_payment))
    sig = signature(body)

    response = post(body.replace(b"5000000", b"5000001"), sig)

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_a_stale_signature_is_a_400_and_stores_nothing(card_payment):
    body = event("payment_intent.succeeded", intent(card_payment))

    response = post(body, signature(body, at=int(time.time()) - 301))

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_a_missing_signature_is_a_400(card_payment):
    response = post(event("payment_intent.succeeded", intent(card_payment)), "")

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_an_event_type_we_do_not_handle_is_stored_as_ignored_and_answered_200(db):
    response = post(event("customer.created", {"id": "cus_1", "object": "customer"}))

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert WebhookEvent.objects.get().status == WebhookStatus.IGNORED


def test_an_intent_with_another_amount_is_recorded_as_failed_and_moves_no_money(card_payment):
    response = post(event("payment_intent.succeeded", intent(card_payment, amount=4_000_000)))

    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookStatus.FAILED
    assert stored.error == ("EventNotApplicable: intent pi_1 received 4000000 krw, payment "
                            f"{card_payment.pk} is 5000000 krw")
    assert charges() == []
    card_payment.refresh_from_db()
    assert card_payment.status == PaymentStatus.PENDING


def test_an_event_stored_but_never_applied_is_applied_by_the_reconcile_task(card_payment,
                                                                            signed_deal):
    # The process died right after storing the event: it is stored and not applied.
    body = event("payment_intent.succeeded", intent(card_payment))
    stored, created = webhook_store(payload=body, signature=signature(body))
    assert (created, stored.status) == (True, WebhookStatus.RECEIVED)

    assert reconcile_payments.delay().get() == 1

    stored.refresh_from_db()
    assert stored.status == WebhookStatus.APPLIED
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert len(charges()) == 3
    assert reconcile_payments.delay().get() == 0


def test_the_endpoint_does_not_exist_while_stripe_is_off(settings, db):
    settings.STRIPE_ENABLED = False
    body = event("customer.created", {"id": "cus_1"})

    assert post(body).status_code == 404
    assert WebhookEvent.objects.count() == 0


def test_a_charge_for_rights_taken_meanwhile_is_held_for_refund_not_applied(
        card_payment, signed_deal, owner, other_producer, staff, make_deal):
    lapse(signed_deal)
    rival = licensing.deal_accept(actor=owner, deal=make_deal(by=other_producer))
    licensing.deal_mark_paid(actor=staff, deal=sign_both(rival))

    response = post(event("payment_intent.succeeded", intent(card_payment)))

    assert response.json()["status"] == "applied"
    card_payment.refresh_from_db()
    assert card_payment.status == PaymentStatus.REFUSED
    assert "immersive" in card_payment.reason and "KR" in card_payment.reason  # what blocks
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LAPSED
    assert charges() == [(EntryKind.CHARGE, 5_000_000)]


def test_stripe_is_never_called_inside_a_database_transaction(card_payment):
    # pytest-django runs this test inside a transaction: the call must refuse to start.
    with pytest.raises(RuntimeError, match="inside a database transaction"):
        gateway.payment_intent_create(payment_id=card_payment.pk, deal_id=card_payment.deal_id,
                                      amount_krw=card_payment.amount_krw)


# --- payment_intent.canceled ------------------------------------------------------------


def canceled(payment: Payment, *, reason: str | None = "requested_by_customer") -> dict:
    return {**intent(payment), "status": "canceled", "amount_received": 0,
            "cancellation_reason": reason}


def test_a_canceled_intent_cancels_the_payment_and_moves_no_money(card_payment, signed_deal):
    Payment.objects.filter(pk=card_payment.pk).update(status=PaymentStatus.PROCESSING,
                                                      provider_id="pi_1")

    response = post(event("payment_intent.canceled", canceled(card_payment)))

    assert response.json() == {"id": "evt_1", "status": "applied", "duplicate": False}
    card_payment.refresh_from_db()
    assert (card_payment.status, card_payment.reason) == (PaymentStatus.CANCELED,
                                                          "requested_by_customer")
    assert charges() == []
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.ACCEPTED  # still held, payable another way
    audit = AuditEntry.objects.get(action="payment.cancel")
    assert (audit.actor_id, audit.from_state, audit.to_state) == (None, "processing", "canceled")


def test_a_repeated_cancellation_changes_nothing(card_payment):
    body = event("payment_intent.canceled", canceled(card_payment, reason=None))
    post(body)

    again = post(body)

    assert again.json() == {"id": "evt_1", "status": "applied", "duplicate": True}
    card_payment.refresh_from_db()
    assert (card_payment.status, card_payment.reason) == (PaymentStatus.CANCELED,
                                                          "the card payment was canceled")
    assert AuditEntry.objects.filter(action="payment.cancel").count() == 1


def test_a_cancellation_arriving_after_the_success_leaves_the_payment_paid(card_payment,
                                                                          signed_deal):
    post(event("payment_intent.succeeded", intent(card_payment), event_id="evt_1"))

    late = post(event("payment_intent.canceled", canceled(card_payment), event_id="evt_0"))

    assert late.json()["status"] == "applied"
    card_payment.refresh_from_db()
    assert card_payment.status == PaymentStatus.SUCCEEDED
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert len(charges()) == 3


def test_after_a_canceled_card_payment_the_deal_can_be_invoiced(card_payment, signed_deal,
                                                                producer):
    post(event("payment_intent.canceled", canceled(card_payment)))

    invoice = invoice_issue(actor=producer, deal=signed_deal)

    assert (invoice.method, invoice.status) == (PaymentMethod.BANK_TRANSFER,
                                                PaymentStatus.PENDING)


# --- refund.failed ----------------------------------------------------------------------


@pytest.fixture
def paid_by_card(card_payment) -> Payment:
    post(event("payment_intent.succeeded", intent(card_payment), event_id="evt_paid"))
    card_payment.refresh_from_db()
    return card_payment


def pending_refund(payment: Payment, staff, *, amount: int = 1_000_000) -> Refund:
    """A refund sent to Stripe that has not answered yet (test data, as a factory
    would make it)."""
    return Refund.objects.create(payment=payment, deal_id=payment.deal_id, amount_krw=amount,
                                 reason="Price reduced", keep_licence=True,
                                 requested_by=staff)


def stripe_refund(refund: Refund, status: str, **extra) -> dict:
    return {"id": "re_1", "object": "refund", "amount": refund.amount_krw, "currency": "krw",
            "payment_intent": "pi_1", "status": status,
            "metadata": {"refund_id": str(refund.pk)}, **extra}


def test_a_failed_refund_is_recorded_and_moves_no_money(paid_by_card, signed_deal, staff):
    refund = pending_refund(paid_by_card, staff)

    response = post(event("refund.failed", stripe_refund(
        refund, "failed", failure_reason="expired_or_canceled_card"), event_id="evt_rf"))

    assert response.json() == {"id": "evt_rf", "status": "applied", "duplicate": False}
    refund.refresh_from_db()
    assert (refund.status, refund.failure, refund.provider_id) == (
        RefundStatus.FAILED, "expired_or_canceled_card", "re_1")
    assert len(charges()) == 3  # charge and split only: nothing went back
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert refundable_krw(paid_by_card) == 5_000_000  # staff may try again
    audit = AuditEntry.objects.get(action="refund.fail")
    assert (audit.from_state, audit.to_state, audit.reason) == (
        "pending", "failed", "expired_or_canceled_card")


def test_a_repeated_refund_failure_changes_nothing(paid_by_card, staff):
    refund = pending_refund(paid_by_card, staff)
    body = event("refund.failed", stripe_refund(refund, "failed"), event_id="evt_rf")
    post(body)

    again = post(body)

    assert again.json()["duplicate"] is True
    assert AuditEntry.objects.filter(action="refund.fail").count() == 1


def test_a_refund_reported_failed_after_it_succeeded_is_flagged_for_staff(paid_by_card, staff):
    refund = pending_refund(paid_by_card, staff)
    post(event("refund.updated", stripe_refund(refund, "succeeded"), event_id="evt_ok"))
    before = charges()

    response = post(event("refund.failed", stripe_refund(
        refund, "failed", failure_reason="lost_or_stolen_card"), event_id="evt_rf"))

    assert response.status_code == 200
    stored = WebhookEvent.objects.get(event_id="evt_rf")
    assert stored.status == WebhookStatus.FAILED
    assert f"refund #{refund.pk} succeeded earlier" in stored.error
    assert "lost_or_stolen_card" in stored.error
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert charges() == before == [
        (EntryKind.CHARGE, 5_000_000), (EntryKind.PLATFORM_FEE, 500_000),
        (EntryKind.CREATOR_SHARE, 4_500_000), (EntryKind.REFUND, -1_000_000),
        (EntryKind.PLATFORM_FEE, -100_000), (EntryKind.CREATOR_SHARE, -900_000)]


def test_a_failure_of_a_refund_that_is_not_ours_is_recorded_as_failed(db):
    response = post(event("refund.failed", {"id": "re_x", "object": "refund",
                                            "status": "failed", "metadata": {}}))

    assert response.status_code == 200
    assert WebhookEvent.objects.get(event_id="evt_1").status == WebhookStatus.FAILED
