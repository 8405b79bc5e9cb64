"""Destination charges, at the HTTP boundary: localstripe refuses
application_fee_amount and has no Connect, so the Stripe API is a local server
that answers with responses recorded from Stripe (test mode) and keeps the
requests the real `stripe` library sent through our gateway.

Given `owner` (the creator, in Korea) whose cross-border `recipient` account can
receive money, the producer's card payment of the 5,000,000 KRW deal is a
destination charge: Stripe transfers it to the creator's account and keeps the
10 % platform fee as an application fee. Stripe's signed payment_intent.succeeded
licenses the deal once and records the charge, the split and the transfer Stripe
made (its id read from the charge); nothing is transferred separately. A refund
takes its part of the transfer and of the fee back in the same Stripe call.
"""

from __future__ import annotations

import pytest

from licensing import services as licensing
from licensing.models import ClaimKind, DealStatus, RightsClaim
from payments.models import (
    ChargeType,
    ConnectedAccount,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentStatus,
    Refund,
    Transfer,
)
from payments.tasks import identify_destination_transfer, transfer_owed_shares

from .conftest import deliver, entries, lapse, sign_both

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FEE = 5_000_000
PLATFORM_FEE = 500_000
SHARE = 4_500_000
ACCOUNT = "acct_1QkR2wKr4Xmpl3Kr"
INTENT = "pi_3QkU1aKr4Xmpl3Kr"
CHARGE = "ch_3QkU1aKr4Xmpl3Kr0e1f2g3h"
TRANSFER = "tr_3QkU1aKr4Xmpl3Kr1i2j3k4l"

# Recorded from Stripe's API (test mode), trimmed to the fields that matter here.
INTENT_CREATED = {
    "id": INTENT, "object": "payment_intent", "amount": FEE, "currency": "krw",
    "status": "requires_payment_method", "client_secret": f"{INTENT}_secret_Zx9Yw8",
    "application_fee_amount": PLATFORM_FEE, "transfer_data": {"destination": ACCOUNT},
    "on_behalf_of": None, "transfer_group": None, "latest_charge": None, "livemode": False,
    "metadata": {},
}
CHARGE_READ = {
    "id": CHARGE, "object": "charge", "amount": FEE, "currency": "krw", "paid": True,
    "status": "succeeded", "payment_intent": INTENT, "application_fee": "fee_1QkU2bKr4X",
    "application_fee_amount": PLATFORM_FEE, "transfer": TRANSFER,
    "transfer_data": {"amount": None, "destination": ACCOUNT},
    "transfer_group": f"group_{INTENT}", "livemode": False, "metadata": {},
}


def start(client, deal):
    return client.post(f"/api/v1/payments/deals/{deal.pk}/card-payment/")


def refund(client, payment, **body):
    return client.post(f"/api/v1/payments/payments/{payment.pk}/refunds/", body, format="json")


def ready_account(user, *, country: str = "KR", agreement: str = "recipient",
                  ready: bool = True) -> ConnectedAccount:
    """Test data: the creator's connected account as account.updated left it."""
    return ConnectedAccount.objects.create(
        user=user, stripe_account_id=ACCOUNT, country=country, service_agreement=agreement,
        details_submitted=ready, payouts_enabled=ready, transfers_active=ready)


def succeeded(payment: Payment, *, event_id: str, **intent_fields) -> dict:
    """Stripe's payment_intent.succeeded of a destination charge, as delivered: the
    intent names its charge by id (events are never expanded)."""
    intent = {**INTENT_CREATED, "status": "succeeded", "amount_received": FEE,
              "client_secret": None, "latest_charge": CHARGE,
              "transfer_group": f"group_{INTENT}",
              "metadata": {"payment_id": str(payment.pk), "deal_id": str(payment.deal_id)},
              **intent_fields}
    return {"id": event_id, "object": "event", "type": "payment_intent.succeeded",
            "api_version": "2025-03-31.basil", "data": {"object": intent}}


def pay_by_destination_charge(recorded_stripe, client, deal) -> Payment:
    """Start, the browser confirms (not our code), Stripe's event delivered."""
    recorded_stripe.expect("POST", "/v1/payment_intents", INTENT_CREATED)
    recorded_stripe.expect("GET", f"/v1/charges/{CHARGE}", CHARGE_READ)
    started = start(client, deal)
    assert started.status_code == 201, started.json()
    payment = Payment.objects.get(pk=started.json()["payment"]["id"])
    assert deliver(succeeded(payment, event_id="evt_pi_dest_1")).json()["status"] == "applied"
    payment.refresh_from_db()
    return payment


def test_a_creator_who_can_receive_money_is_paid_by_a_destination_charge_with_an_application_fee(
        recorded_stripe, owner, producer, signed_deal, client_for):
    ready_account(owner)
    recorded_stripe.expect("POST", "/v1/payment_intents", INTENT_CREATED)

    started = start(client_for(producer), signed_deal)

    assert started.status_code == 201
    assert started.json()["client_secret"] == INTENT_CREATED["client_secret"]
    payment = Payment.objects.get(deal=signed_deal)
    assert (payment.charge_type, payment.status, payment.provider_id) == (
        ChargeType.DESTINATION, PaymentStatus.PROCESSING, INTENT)
    [sent] = recorded_stripe.received
    assert (sent.method, sent.path) == ("POST", "/v1/payment_intents")
    assert sent.headers["Idempotency-Key"] == f"cipx-payment-{payment.pk}-intent"
    assert {k: v[0] for k, v in sent.form.items()} == {
        "amount": "5000000", "currency": "krw",
        "transfer_data[destination]": ACCOUNT, "application_fee_amount": "500000",
        "metadata[payment_id]": str(payment.pk), "metadata[deal_id]": str(signed_deal.pk)}


@pytest.mark.parametrize("account", [
    None,
    {"ready": False},
    {"country": "IN"},  # cross-border payouts to India: separate charges and transfers only
    {"country": "JP", "agreement": "full"},
], ids=["no-account", "not-ready", "india", "full-agreement"])
def test_otherwise_the_payment_is_charged_to_the_platform_as_before(
        recorded_stripe, owner, producer, signed_deal, client_for, account):
    if account is not None:
        ready_account(owner, **account)
    recorded_stripe.expect("POST", "/v1/payment_intents", {
        **INTENT_CREATED, "application_fee_amount": None, "transfer_data": None})

    assert start(client_for(producer), signed_deal).status_code == 201

    payment = Payment.objects.get(deal=signed_deal)
    assert payment.charge_type == ChargeType.PLATFORM
    [sent] = recorded_stripe.received
    assert {k: v[0] for k, v in sent.form.items() if not k.startswith("metadata")} == {
        "amount": "5000000", "currency": "krw"}


def test_the_succeeded_event_licenses_once_and_records_the_transfer_stripe_made(
        recorded_stripe, owner, producer, signed_deal, client_for):
    ready_account(owner)
    recorded_stripe.expect("POST", "/v1/payment_intents", INTENT_CREATED)
    recorded_stripe.expect("GET", f"/v1/charges/{CHARGE}", CHARGE_READ)
    start(client_for(producer), signed_deal)
    payment = Payment.objects.get(deal=signed_deal)
    event = succeeded(payment, event_id="evt_pi_dest_2")

    first = deliver(event)
    again = deliver(event)

    assert first.json() == {"id": "evt_pi_dest_2", "status": "applied", "duplicate": False}
    assert again.json() == {"id": "evt_pi_dest_2", "status": "applied", "duplicate": True}
    payment.refresh_from_db()
    assert (payment.status, payment.provider_charge_id) == (PaymentStatus.SUCCEEDED, CHARGE)
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert RightsClaim.objects.filter(deal=signed_deal, kind=ClaimKind.GRANT,
                                      active=True).count() == 1
    assert entries(signed_deal) == [
        (EntryKind.CHARGE, FEE), (EntryKind.PLATFORM_FEE, PLATFORM_FEE),
        (EntryKind.CREATOR_SHARE, SHARE), (EntryKind.TRANSFER, SHARE)]
    assert LedgerEntry.objects.get(kind=EntryKind.TRANSFER).external_id == CHARGE
    transfer = Transfer.objects.get(payment=payment)
    assert (transfer.status, transfer.amount_krw, transfer.provider_id, transfer.account.user) \
        == ("succeeded", SHARE, TRANSFER, owner)
    # The transfer's id was read from the charge; nothing was transferred by us.
    assert [(r.method, r.path) for r in recorded_stripe.received] == [
        ("POST", "/v1/payment_intents"), ("GET", f"/v1/charges/{CHARGE}")]
    assert transfer_owed_shares(owner.pk) == 0
    earnings = client_for(owner).get("/api/v1/payments/earnings/").json()
    assert (earnings["earned_krw"], earnings["paid_out_krw"], earnings["owed_krw"]) == (
        SHARE, SHARE, 0)


def test_an_event_that_embeds_the_charge_names_the_transfer_without_asking_stripe(
        recorded_stripe, owner, signed_deal):
    """API versions before 2022-11-15 send the intent's charges in the event."""
    ready_account(owner)
    payment = Payment.objects.create(
        deal=signed_deal, method="stripe", amount_krw=FEE, reference="CIPX-0000-0001",
        payer=signed_deal.producer, provider_id=INTENT, status="processing",
        charge_type=ChargeType.DESTINATION)

    delivered = deliver(succeeded(payment, event_id="evt_pi_dest_3", latest_charge=None,
                                  charges={"object": "list", "data": [CHARGE_READ]}))

    assert delivered.json()["status"] == "applied"
    assert Transfer.objects.get(payment=payment).provider_id == TRANSFER
    assert recorded_stripe.received == []


def test_a_partial_refund_takes_back_its_part_of_the_transfer_and_of_the_fee_with_the_refund(
        recorded_stripe, owner, producer, signed_deal, staff, client_for):
    ready_account(owner)
    payment = pay_by_destination_charge(recorded_stripe, client_for(producer), signed_deal)
    recorded_stripe.expect("POST", "/v1/refunds", {
        "id": "re_3QkU3c", "object": "refund", "amount": 1_234_567, "currency": "krw",
        "payment_intent": INTENT, "charge": CHARGE, "status": "succeeded",
        "transfer_reversal": "trr_1QkU3d", "metadata": {}})
    client = client_for(staff)

    response = refund(client, payment, amount_krw=1_234_567, keep_licence=True,
                      reason="Late delivery of the source files: price reduced")

    assert response.status_code == 201
    sent = recorded_stripe.received[-1]
    assert sent.headers["Idempotency-Key"] == f"cipx-refund-{response.json()['id']}"
    assert {k: v[0] for k, v in sent.form.items()} == {
        "payment_intent": INTENT, "amount": "1234567", "reverse_transfer": "true",
        "refund_application_fee": "true", "metadata[refund_id]": str(response.json()["id"])}
    fee_part = PLATFORM_FEE * 1_234_567 // FEE
    share_part = 1_234_567 - fee_part
    assert entries(signed_deal)[4:] == [
        (EntryKind.REFUND, -1_234_567), (EntryKind.PLATFORM_FEE, -fee_part),
        (EntryKind.CREATOR_SHARE, -share_part), (EntryKind.TRANSFER, -share_part)]
    assert LedgerEntry.objects.filter(kind=EntryKind.TRANSFER, amount_krw__lt=0).get() \
        .external_id == "trr_1QkU3d"
    made = Refund.objects.get(pk=response.json()["id"])
    assert (made.creator_part_krw, made.transfer_reversal_id) == (share_part, "trr_1QkU3d")
    assert Transfer.objects.get(payment=payment).reversed_krw == share_part
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    earnings = client_for(owner).get("/api/v1/payments/earnings/").json()
    assert (earnings["earned_krw"], earnings["paid_out_krw"], earnings["owed_krw"]) == (
        SHARE - share_part, SHARE - share_part, 0)

    # The rest is refunded too: everything nets to zero and the licence ends.
    recorded_stripe.expect("POST", "/v1/refunds", {
        "id": "re_3QkU4e", "object": "refund", "amount": FEE - 1_234_567, "currency": "krw",
        "payment_intent": INTENT, "charge": CHARGE, "status": "succeeded",
        "transfer_reversal": "trr_1QkU4f", "metadata": {}})

    rest = refund(client, payment, reason="Cancelled after all")

    assert rest.status_code == 201
    assert recorded_stripe.received[-1].form["reverse_transfer"] == ["true"]
    assert entries(signed_deal)[8:] == [
        (EntryKind.REFUND, -(FEE - 1_234_567)),
        (EntryKind.PLATFORM_FEE, -(PLATFORM_FEE - fee_part)),
        (EntryKind.CREATOR_SHARE, -(SHARE - share_part)),
        (EntryKind.TRANSFER, -(SHARE - share_part))]
    assert Transfer.objects.get(payment=payment).reversed_krw == SHARE
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.REVOKED
    # No separate transfer reversal was ever asked for.
    assert [r.path for r in recorded_stripe.received] == [
        "/v1/payment_intents", f"/v1/charges/{CHARGE}", "/v1/refunds", "/v1/refunds"]


def test_a_full_refund_of_a_destination_charge_ends_the_licence_and_nets_the_payout_to_zero(
        recorded_stripe, owner, producer, signed_deal, staff, client_for):
    ready_account(owner)
    payment = pay_by_destination_charge(recorded_stripe, client_for(producer), signed_deal)
    recorded_stripe.expect("POST", "/v1/refunds", {
        "id": "re_3QkU5g", "object": "refund", "amount": FEE, "currency": "krw",
        "payment_intent": INTENT, "charge": CHARGE, "status": "succeeded",
        "transfer_reversal": "trr_1QkU5h", "metadata": {}})

    response = refund(client_for(staff), payment, reason="The licensee cancelled in time")

    assert response.status_code == 201
    sent = recorded_stripe.received[-1]
    assert {k: v[0] for k, v in sent.form.items() if not k.startswith("metadata")} == {
        "payment_intent": INTENT, "amount": "5000000", "reverse_transfer": "true",
        "refund_application_fee": "true"}
    assert entries(signed_deal)[4:] == [
        (EntryKind.REFUND, -FEE), (EntryKind.PLATFORM_FEE, -PLATFORM_FEE),
        (EntryKind.CREATOR_SHARE, -SHARE), (EntryKind.TRANSFER, -SHARE)]
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.REVOKED
    assert not RightsClaim.objects.filter(deal=signed_deal, active=True).exists()
    earnings = client_for(owner).get("/api/v1/payments/earnings/").json()
    assert (earnings["earned_krw"], earnings["paid_out_krw"], earnings["owed_krw"]) == (0, 0, 0)


def test_a_destination_charge_that_raced_for_rights_taken_meanwhile_is_refunded_in_full(
        recorded_stripe, owner, producer, other_producer, staff, signed_deal, make_deal,
        client_for):
    ready_account(owner)
    lapse(signed_deal)
    recorded_stripe.expect("POST", "/v1/payment_intents", INTENT_CREATED)
    start(client_for(producer), signed_deal)
    payment = Payment.objects.get(deal=signed_deal)
    rival = licensing.deal_accept(actor=owner, deal=make_deal(by=other_producer))
    licensing.deal_mark_paid(actor=staff, deal=sign_both(rival))
    recorded_stripe.expect("POST", "/v1/refunds", {
        "id": "re_3QkU6i", "object": "refund", "amount": FEE, "currency": "krw",
        "payment_intent": INTENT, "charge": CHARGE, "status": "succeeded",
        "transfer_reversal": "trr_1QkU6j", "metadata": {}})

    assert deliver(succeeded(payment, event_id="evt_pi_dest_4")).json()["status"] == "applied"

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUSED
    sent = recorded_stripe.received[-1]
    assert (sent.path, sent.form["amount"], sent.form["reverse_transfer"],
            sent.form["refund_application_fee"]) == (
        "/v1/refunds", ["5000000"], ["true"], ["true"])
    # The transfer Stripe made went back in full with the refund: neither is recorded.
    assert entries(signed_deal) == [(EntryKind.CHARGE, FEE), (EntryKind.REFUND, -FEE)]
    assert Transfer.objects.count() == 0


def test_the_transfer_id_is_asked_for_again_when_stripe_could_not_say(
        recorded_stripe, owner, producer, signed_deal, client_for):
    ready_account(owner)
    recorded_stripe.expect("POST", "/v1/payment_intents", INTENT_CREATED)
    recorded_stripe.expect("GET", f"/v1/charges/{CHARGE}", {
        "error": {"type": "invalid_request_error", "message": "No such charge"}}, status=404)
    start(client_for(producer), signed_deal)
    payment = Payment.objects.get(deal=signed_deal)

    assert deliver(succeeded(payment, event_id="evt_pi_dest_5")).json()["status"] == "applied"

    transfer = Transfer.objects.get(payment=payment)
    assert (transfer.status, transfer.provider_id) == ("succeeded", "")
    assert entries(signed_deal)[-1] == (EntryKind.TRANSFER, SHARE)

    recorded_stripe.expect("GET", f"/v1/charges/{CHARGE}", CHARGE_READ)
    assert identify_destination_transfer(payment.pk) == TRANSFER
    assert identify_destination_transfer(payment.pk) == TRANSFER  # asked once only
    assert len(recorded_stripe.received) == 3
