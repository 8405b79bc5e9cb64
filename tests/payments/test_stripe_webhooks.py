"""POST /webhooks/stripe/: verified over the raw body, stored under the event id
before it is applied, applied exactly once whatever the order or repetition.

Payloads are signed as Stripe signs them: HMAC-SHA256 with the endpoint secret
over "<timestamp>.<raw body>", sent as `Stripe-Signature: t=<timestamp>,v1=<hex>`.
No Stripe server is involved.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from licensing import services as licensing
from licensing.models import DealStatus
from payments.gateways import stripe as gateway
from payments.models import (
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentStatus,
    WebhookEvent,
    WebhookStatus,
)
from payments.references import reference_new
from payments.services.webhooks import webhook_store
from payments.tasks import reconcile_payments

from .conftest import lapse, sign_both

SECRET = "whsec_test_content_ip_exchange"
URL = "/webhooks/stripe/"


@pytest.fixture(autouse=True)
def _stripe_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_not_used_here"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_ENABLED = True
    settings.PLATFORM_FEE_PERCENT = 10


@pytest.fixture
def card_payment(signed_deal) -> Payment:
    """A card payment as our row stands before Stripe's answer was written to it:
    still pending, no intent id yet (test data, as a factory would make it)."""
    return Payment.objects.create(deal=signed_deal, method=PaymentMethod.STRIPE,
                                  amount_krw=5_000_000, reference=reference_new(),
                                  payer=signed_deal.producer)


def signature(body: bytes, *, secret: str = SECRET, at: int | None = None) -> str:
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


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
