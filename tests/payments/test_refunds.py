"""Staff refunds, full and partial, over the API.

A card payment is refunded at localstripe (its idempotency key is our refund
row); only when the refund succeeded are the ledger entries written (the refund,
and its part of the split taken back in proportion) and the licence ended. A
full refund always ends the licence; for a partial one staff say whether it
stays. A bank payment's refund records the transfer back staff made, e.g. of
money held for a refused payment. Every deal's ledger balances after each test.
"""

from __future__ import annotations

import pytest

from licensing import services as licensing
from licensing.models import DealStatus, RightsClaim
from payments.models import EntryKind, Payment, PaymentStatus, Refund
from payments.selectors import deal_balance
from payments.services import bank_receipt_record

from .conftest import deliver, entries, lapse, sign_both
from .test_card_payment import pay_by_card

FEE = 5_000_000


def refund(client, payment, **body):
    return client.post(f"/api/v1/payments/payments/{payment.pk}/refunds/", body, format="json")


@pytest.fixture
def card_paid(localstripe, signed_deal, producer, client_for) -> Payment:
    return pay_by_card(localstripe, client_for(producer), signed_deal)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_full_refund_gives_the_money_back_reverses_the_split_and_ends_the_licence(
        localstripe, card_paid, signed_deal, staff, client_for):
    response = refund(client_for(staff), card_paid, reason="The licensee cancelled in time")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["amount_krw"], body["keep_licence"]) == ("succeeded", FEE, False)
    [at_stripe] = localstripe.get("/v1/refunds")["data"]
    assert (at_stripe["id"], at_stripe["amount"], at_stripe["metadata"]) == (
        body["provider_id"], FEE, {"refund_id": str(body["id"])})
    assert entries(signed_deal)[3:] == [(EntryKind.REFUND, -FEE),
                                        (EntryKind.PLATFORM_FEE, -500_000),
                                        (EntryKind.CREATOR_SHARE, -4_500_000)]
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.REVOKED
    assert not RightsClaim.objects.filter(deal=signed_deal, active=True).exists()
    balance = deal_balance(deal_id=signed_deal.pk)
    assert (balance.platform_fee_krw, balance.creator_share_krw) == (0, 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_partial_refunds_keep_the_licence_when_staff_say_so_and_add_up_to_the_split(
        localstripe, card_paid, signed_deal, staff, client_for):
    client = client_for(staff)

    first = refund(client, card_paid, amount_krw=1_234_567, keep_licence=True,
                   reason="Late delivery of the source files: price reduced")
    rest = refund(client, card_paid, reason="Cancelled after all")

    assert (first.status_code, rest.status_code) == (201, 201)
    assert rest.json()["amount_krw"] == FEE - 1_234_567
    fee_part = 500_000 * 1_234_567 // FEE
    assert entries(signed_deal)[3:] == [
        (EntryKind.REFUND, -1_234_567), (EntryKind.PLATFORM_FEE, -fee_part),
        (EntryKind.CREATOR_SHARE, -(1_234_567 - fee_part)),
        (EntryKind.REFUND, -(FEE - 1_234_567)), (EntryKind.PLATFORM_FEE, -(500_000 - fee_part)),
        (EntryKind.CREATOR_SHARE, -(4_500_000 - 1_234_567 + fee_part))]
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.REVOKED  # only the last, full refund ended it
    assert sorted(r["amount"] for r in localstripe.get("/v1/refunds")["data"]) == [
        1_234_567, FEE - 1_234_567]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_partial_refund_ends_the_licence_when_staff_say_so(localstripe, card_paid,
                                                             signed_deal, staff, client_for):
    response = refund(client_for(staff), card_paid, amount_krw=1_000_000, keep_licence=False,
                      reason="Breach: used outside the licensed territory")

    assert response.status_code == 201
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.REVOKED
    assert signed_deal.reason.startswith("Refunded (1000000 KRW): Breach")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("body, field", [
    ({"amount_krw": 1_000_000, "reason": "Discount"}, "keep_licence"),
    ({"keep_licence": True, "reason": "A full refund"}, "keep_licence"),
    ({"amount_krw": FEE + 1, "keep_licence": False, "reason": "Too much"}, "amount_krw"),
    ({"amount_krw": 1_000}, "reason"),
])
def test_refusals_name_the_field_and_move_no_money(localstripe, card_paid, signed_deal, staff,
                                                   client_for, body, field):
    response = refund(client_for(staff), card_paid, **body)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert Refund.objects.count() == 0
    assert localstripe.get("/v1/refunds")["data"] == []
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("who", ["producer", "owner", "other_producer"])
def test_only_staff_refund(localstripe, card_paid, signed_deal, client_for, request, who):
    response = refund(client_for(request.getfixturevalue(who)), card_paid, reason="Please")

    assert response.status_code == 403
    assert Refund.objects.count() == 0
    assert len(entries(signed_deal)) == 3


# --- bank transfer -------------------------------------------------------------------


def test_staff_record_the_return_of_money_held_for_a_refused_bank_payment(
        invoice, signed_deal, owner, other_producer, staff, make_deal, client_for):
    lapse(signed_deal)
    rival = licensing.deal_accept(actor=owner, deal=make_deal(by=other_producer))
    licensing.deal_mark_paid(actor=staff, deal=sign_both(rival))
    with pytest.raises(Exception, match="can no longer be licensed"):
        bank_receipt_record(actor=staff, reference=invoice.reference, amount_krw=FEE,
                            bank_transaction_id="KJB-0001")
    assert deal_balance(deal_id=signed_deal.pk).held_krw == FEE
    client = client_for(staff)

    response = refund(client, invoice, reason="Rights taken meanwhile: returned",
                      bank_transaction_id="KJB-RET-0001")
    again = refund(client, invoice, reason="Rights taken meanwhile: returned",
                   bank_transaction_id="KJB-RET-0001")

    assert response.status_code == 201
    assert again.json()["id"] == response.json()["id"]
    invoice.refresh_from_db()
    assert invoice.status == PaymentStatus.REFUSED
    assert entries(signed_deal) == [(EntryKind.BANK_RECEIPT, FEE), (EntryKind.REFUND, -FEE)]
    assert deal_balance(deal_id=signed_deal.pk).held_krw == 0
    assert refund(client, invoice, reason="Twice").json()["code"] == "nothing_to_refund"


def test_a_bank_paid_licence_refunded_in_full_ends(invoice, signed_deal, staff, client_for):
    bank_receipt_record(actor=staff, reference=invoice.reference, amount_krw=FEE)

    response = refund(client_for(staff), invoice, reason="Returned by bank transfer",
                      bank_transaction_id="KJB-RET-0002")

    assert response.status_code == 201
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.REVOKED
    assert entries(signed_deal)[3:] == [(EntryKind.REFUND, -FEE),
                                        (EntryKind.PLATFORM_FEE, -500_000),
                                        (EntryKind.CREATOR_SHARE, -4_500_000)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refund_pending_at_stripe_ends_the_licence_only_when_stripe_says_it_succeeded(
        recorded_stripe, signed_deal, staff, client_for):
    payment = Payment.objects.create(deal=signed_deal, method="stripe", amount_krw=FEE,
                                     reference="CIPX-0000-0000", payer=signed_deal.producer,
                                     provider_id="pi_3QkS1a", status="processing")
    intent = {"id": "pi_3QkS1a", "object": "payment_intent", "amount": FEE,
              "amount_received": FEE, "currency": "krw", "status": "succeeded",
              "latest_charge": "ch_3QkS1a",
              "metadata": {"payment_id": str(payment.pk), "deal_id": str(signed_deal.pk)}}
    deliver({"id": "evt_pi_9", "object": "event", "type": "payment_intent.succeeded",
             "data": {"object": intent}})
    pending = {"id": "re_3QkS2b", "object": "refund", "amount": FEE, "currency": "krw",
               "payment_intent": "pi_3QkS1a", "status": "pending", "metadata": {}}
    recorded_stripe.expect("POST", "/v1/refunds", pending)

    response = refund(client_for(staff), payment, reason="Cancelled")

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert recorded_stripe.received[-1].headers["Idempotency-Key"] \
        == f"cipx-refund-{response.json()['id']}"
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert len(entries(signed_deal)) == 3

    done = {**pending, "status": "succeeded",
            "metadata": {"refund_id": str(response.json()["id"])}}
    delivered = deliver({"id": "evt_re_1", "object": "event", "type": "refund.updated",
                         "data": {"object": done}})

    assert delivered.json()["status"] == "applied"
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.REVOKED
    assert entries(signed_deal)[3:] == [(EntryKind.REFUND, -FEE),
                                        (EntryKind.PLATFORM_FEE, -500_000),
                                        (EntryKind.CREATOR_SHARE, -4_500_000)]
