"""Paying by card over the API, against localstripe (a Stripe fake on 127.0.0.1).

Given an accepted deal at 5,000,000 KRW whose agreement both parties signed
(`signed_deal`: `owner` is the creator, `producer` pays), the producer starts a
card payment and gets the PaymentIntent's client secret; their browser confirms
the intent with a test card at localstripe; Stripe's signed
payment_intent.succeeded event arrives at /webhooks/stripe/ and licenses the
deal once. Stripe is never called inside a database transaction, so these tests
commit for real (transaction=True).
"""

from __future__ import annotations

import pytest

from licensing import services as licensing
from licensing.models import ClaimKind, DealStatus, RightsClaim
from payments.models import EntryKind, Payment, PaymentMethod, PaymentStatus, Refund

from .conftest import deliver, entries, lapse, sign_both

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FEE = 5_000_000


def start(client, deal):
    return client.post(f"/api/v1/payments/deals/{deal.pk}/card-payment/")


def pay_by_card(localstripe, client, deal) -> Payment:
    """The whole card flow: start, confirm with a test card, Stripe's event delivered."""
    started = start(client, deal)
    assert started.status_code == 201, started.json()
    payment = Payment.objects.get(pk=started.json()["payment"]["id"])
    localstripe.confirm(payment.provider_id)
    [event] = [e for e in localstripe.events("payment_intent.succeeded")
               if e["data"]["object"]["id"] == payment.provider_id]
    assert deliver(event).status_code == 200
    payment.refresh_from_db()
    return payment


def test_a_producer_pays_by_card_end_to_end_and_the_deal_is_licensed_once(
        localstripe, signed_deal, producer, client_for):
    client = client_for(producer)

    started = start(client, signed_deal)

    assert started.status_code == 201
    payment = Payment.objects.get(deal=signed_deal)
    assert (payment.method, payment.status) == (PaymentMethod.STRIPE, PaymentStatus.PROCESSING)
    intent = localstripe.get(f"/v1/payment_intents/{payment.provider_id}")
    assert (intent["amount"], intent["currency"], intent["metadata"]) == (
        FEE, "krw", {"payment_id": str(payment.pk), "deal_id": str(signed_deal.pk)})
    assert started.json()["client_secret"] == intent["client_secret"]
    assert started.json()["payment"]["status"] == "processing"

    confirmed = localstripe.confirm(payment.provider_id)
    assert confirmed["status"] == "succeeded"
    [event] = localstripe.events("payment_intent.succeeded")
    first = deliver(event)
    again = deliver(event)

    assert first.json() == {"id": event["id"], "status": "applied", "duplicate": False}
    assert again.json() == {"id": event["id"], "status": "applied", "duplicate": True}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.provider_charge_id == confirmed["latest_charge"]["id"]
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert RightsClaim.objects.filter(deal=signed_deal, kind=ClaimKind.GRANT,
                                      active=True).count() == 1
    assert entries(signed_deal) == [(EntryKind.CHARGE, FEE), (EntryKind.PLATFORM_FEE, 500_000),
                                    (EntryKind.CREATOR_SHARE, 4_500_000)]


def test_asking_again_returns_the_same_payment_and_intent(localstripe, signed_deal, producer,
                                                          client_for):
    client = client_for(producer)
    first = start(client, signed_deal).json()

    again = start(client, signed_deal)

    assert again.status_code == 201
    assert again.json()["payment"]["id"] == first["payment"]["id"]
    assert again.json()["client_secret"] == first["client_secret"]
    assert len(localstripe.get("/v1/payment_intents")["data"]) == 1


def test_card_payment_is_a_409_while_stripe_is_off(signed_deal, producer, client_for,
                                                   settings):
    settings.STRIPE_ENABLED = False
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""

    response = start(client_for(producer), signed_deal)

    assert response.status_code == 409
    assert response.json()["code"] == "stripe_disabled"
    assert Payment.objects.count() == 0


def test_rights_taken_meanwhile_are_refused_before_any_money_moves(
        localstripe, signed_deal, producer, owner, other_producer, staff, make_deal,
        client_for):
    lapse(signed_deal)
    rival = licensing.deal_accept(actor=owner, deal=make_deal(by=other_producer))
    licensing.deal_mark_paid(actor=staff, deal=sign_both(rival))

    response = start(client_for(producer), signed_deal)

    assert response.status_code == 409
    assert response.json()["code"] == "rights_unavailable"
    assert Payment.objects.filter(deal=signed_deal).count() == 0
    assert localstripe.get("/v1/payment_intents")["data"] == []


def test_an_open_bank_invoice_blocks_a_card_payment(localstripe, invoice, signed_deal, producer,
                                                    client_for):
    response = start(client_for(producer), signed_deal)

    assert response.status_code == 409
    assert response.json()["code"] == "payment_in_progress"
    assert list(Payment.objects.values_list("method", flat=True)) == ["bank_transfer"]


@pytest.mark.parametrize("who, status", [("owner", 403), ("other_producer", 404)])
def test_only_the_producer_or_staff_start_a_card_payment(localstripe, signed_deal, client_for,
                                                         request, who, status):
    response = start(client_for(request.getfixturevalue(who)), signed_deal)

    assert response.status_code == status
    assert Payment.objects.count() == 0
    assert localstripe.get("/v1/payment_intents")["data"] == []


def test_a_charge_that_raced_for_rights_taken_meanwhile_is_refunded_automatically(
        localstripe, signed_deal, producer, owner, other_producer, staff, make_deal,
        client_for):
    # The producer starts paying while the rights are still free ...
    lapse(signed_deal)
    started = start(client_for(producer), signed_deal)
    payment = Payment.objects.get(pk=started.json()["payment"]["id"])
    # ... another producer licenses them before the card is confirmed ...
    rival = licensing.deal_accept(actor=owner, deal=make_deal(by=other_producer))
    licensing.deal_mark_paid(actor=staff, deal=sign_both(rival))
    localstripe.confirm(payment.provider_id)
    [event] = localstripe.events("payment_intent.succeeded")

    # ... and the charge arrives.
    assert deliver(event).json()["status"] == "applied"

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUSED
    refund = Refund.objects.get(payment=payment)
    assert (refund.status, refund.amount_krw, refund.requested_by) == ("succeeded", FEE, None)
    [at_stripe] = localstripe.get("/v1/refunds")["data"]
    assert (at_stripe["id"], at_stripe["amount"], at_stripe["payment_intent"]) == (
        refund.provider_id, FEE, payment.provider_id)
    assert entries(signed_deal) == [(EntryKind.CHARGE, FEE), (EntryKind.REFUND, -FEE)]
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LAPSED
    assert not RightsClaim.objects.filter(deal=signed_deal, active=True).exists()
