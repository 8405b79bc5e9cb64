"""Stripe Connect for creators, at the HTTP boundary: localstripe has no
accounts, account links or transfers, so the Stripe API is a local server that
answers with responses recorded from Stripe and keeps the requests our code sent.

`owner` (the creator, in Korea) onboards: a cross-border Express account under
the `recipient` service agreement is created once, and each visit gets a fresh
onboarding link. Stripe's signed `account.updated` says when the account can
receive money; the creator's share of a card payment charged to the platform
(separate charges and transfers: paid before the account was ready) is then
transferred to it, and a refund takes back its part of the transfer. A payment
started once the account is ready is a destination charge instead
(test_destination_charges.py).
"""

from __future__ import annotations

import pytest

from exchange.audit.models import AuditEntry
from payments.models import (
    ConnectedAccount,
    EntryKind,
    Payment,
    PaymentMethod,
    Transfer,
)
from payments.references import reference_new
from payments.tasks import resubmit_transfer
from tests.stripe_fakes import ACCOUNT, ACCOUNT_CREATED, ACCOUNT_LINK

from .conftest import deliver, entries

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHARGE = "ch_3QkR5sKr4Xmpl3Kr0a1b2c3d"
RETURN = {"return_url": "https://exchange.example/ko/earnings/",
          "refresh_url": "https://exchange.example/ko/earnings/connect/"}

# Recorded from Stripe's API (test mode), trimmed to the fields that matter here; the
# account and its onboarding link are in tests/stripe_fakes.py, shared with the pages.
TRANSFER = {
    "id": "tr_1QkR6tKr4Xmpl3Kr", "object": "transfer", "amount": 4_500_000,
    "amount_reversed": 0, "currency": "krw", "destination": ACCOUNT,
    "source_transaction": CHARGE, "reversed": False, "livemode": False, "metadata": {},
}


def onboard(client, **extra):
    return client.post("/api/v1/payments/connect/", {**RETURN, **extra}, format="json")


def account_updated(*, ready: bool, event_id: str) -> dict:
    account = {**ACCOUNT_CREATED, "details_submitted": ready, "payouts_enabled": ready,
               "capabilities": {"transfers": "active" if ready else "inactive"}}
    return {"id": event_id, "object": "event", "type": "account.updated",
            "data": {"object": account}}


def card_payment_succeeds(deal, *, intent_id: str, event_id: str, **payment_fields) -> Payment:
    """A card payment of the deal's 5,000,000 KRW, and Stripe's event that it succeeded."""
    payment = Payment.objects.create(deal=deal, method=PaymentMethod.STRIPE,
                                     amount_krw=5_000_000, reference=reference_new(),
                                     payer=deal.producer, **payment_fields)
    intent = {"id": intent_id, "object": "payment_intent", "amount": 5_000_000,
              "amount_received": 5_000_000, "currency": "krw", "status": "succeeded",
              "latest_charge": CHARGE,
              "metadata": {"payment_id": str(payment.pk), "deal_id": str(deal.pk)}}
    deliver({"id": event_id, "object": "event", "type": "payment_intent.succeeded",
             "data": {"object": intent}})
    return payment


def test_a_korean_creator_gets_a_recipient_account_once_and_a_fresh_link_each_time(
        recorded_stripe, owner, client_for):
    recorded_stripe.expect("POST", "/v1/accounts", ACCOUNT_CREATED)
    recorded_stripe.expect("POST", "/v1/account_links", ACCOUNT_LINK)
    recorded_stripe.expect("POST", "/v1/account_links", ACCOUNT_LINK)
    client = client_for(owner)

    first = onboard(client)
    again = onboard(client)

    assert first.status_code == again.status_code == 200
    assert first.json()["url"] == ACCOUNT_LINK["url"]
    assert first.json()["account"] == {
        "stripe_account_id": ACCOUNT, "country": "KR", "service_agreement": "recipient",
        "details_submitted": False, "payouts_enabled": False, "transfers_active": False,
        "ready": False}
    create, link, link_again = recorded_stripe.received
    row = ConnectedAccount.objects.get(user=owner)
    assert create.headers["Idempotency-Key"] == f"cipx-connect-{row.pk}-account"
    assert {k: v[0] for k, v in create.form.items() if not k.startswith("metadata")} == {
        "type": "express", "country": "KR", "email": "owner@example.com",
        "capabilities[transfers][requested]": "true",
        "tos_acceptance[service_agreement]": "recipient"}
    assert {k: v[0] for k, v in link.form.items()} == {
        "account": ACCOUNT, "type": "account_onboarding", **RETURN}
    assert link_again.path == "/v1/account_links"
    assert AuditEntry.objects.filter(action="connect.account_create").count() == 1


def test_a_creator_in_a_country_stripe_fully_supports_gets_a_full_express_account(
        recorded_stripe, owner, client_for):
    recorded_stripe.expect("POST", "/v1/accounts", {**ACCOUNT_CREATED, "country": "JP",
                                                    "tos_acceptance": {}})
    recorded_stripe.expect("POST", "/v1/account_links", ACCOUNT_LINK)

    response = onboard(client_for(owner), country="jp")

    assert response.json()["account"]["service_agreement"] == "full"
    form = recorded_stripe.received[0].form
    assert form["capabilities[card_payments][requested]"] == ["true"]
    assert "tos_acceptance[service_agreement]" not in form


def test_a_country_stripe_cannot_pay_is_refused_naming_the_field(recorded_stripe, owner,
                                                                 client_for):
    response = onboard(client_for(owner), country="KP")

    assert response.status_code == 400
    assert response.json()["fields"] == {"country": ["Stripe cannot pay creators there"]}
    assert recorded_stripe.received == []
    assert ConnectedAccount.objects.count() == 0


def test_a_producer_without_the_creator_role_gets_no_account(recorded_stripe, producer,
                                                             client_for):
    response = onboard(client_for(producer))

    assert response.status_code == 403
    assert recorded_stripe.received == []


def test_a_bad_return_url_is_refused_naming_the_field(recorded_stripe, owner, client_for):
    response = onboard(client_for(owner), return_url="javascript:alert(1)")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["return_url"]


def test_the_creators_share_is_transferred_once_the_account_is_ready_and_a_refund_reverses_it(
        recorded_stripe, owner, signed_deal, staff, client_for):
    # Onboarding, then Stripe says the account can receive money.
    recorded_stripe.expect("POST", "/v1/accounts", ACCOUNT_CREATED)
    recorded_stripe.expect("POST", "/v1/account_links", ACCOUNT_LINK)
    onboard(client_for(owner))
    assert deliver(account_updated(ready=True, event_id="evt_acct_1")).json()["status"] \
        == "applied"
    account = ConnectedAccount.objects.get(user=owner)
    assert (account.details_submitted, account.payouts_enabled, account.ready) == (
        True, True, True)

    # The producer's card payment succeeds: the share goes to the creator's account.
    recorded_stripe.expect("POST", "/v1/transfers", TRANSFER)
    payment = card_payment_succeeds(signed_deal, intent_id="pi_3QkR5s", event_id="evt_pi_1",
                                    provider_id="pi_3QkR5s", status="processing")

    transfer = Transfer.objects.get(payment=payment)
    assert (transfer.status, transfer.amount_krw, transfer.provider_id) == (
        "succeeded", 4_500_000, TRANSFER["id"])
    sent = recorded_stripe.received[-1]
    assert sent.headers["Idempotency-Key"] == f"cipx-transfer-{transfer.pk}"
    assert {k: v[0] for k, v in sent.form.items() if not k.startswith("metadata")} == {
        "amount": "4500000", "currency": "krw", "destination": ACCOUNT,
        "source_transaction": CHARGE}
    earnings = client_for(owner).get("/api/v1/payments/earnings/").json()
    assert (earnings["earned_krw"], earnings["paid_out_krw"], earnings["owed_krw"]) == (
        4_500_000, 4_500_000, 0)

    # Staff refund a fifth, keeping the licence: the creator's part comes back.
    recorded_stripe.expect("POST", "/v1/refunds", {
        "id": "re_3QkR7u", "object": "refund", "amount": 1_000_000, "currency": "krw",
        "payment_intent": "pi_3QkR5s", "status": "succeeded", "metadata": {}})
    recorded_stripe.expect("POST", f"/v1/transfers/{TRANSFER['id']}/reversals", {
        "id": "trr_1QkR8v", "object": "transfer_reversal", "amount": 900_000,
        "currency": "krw", "transfer": TRANSFER["id"], "metadata": {}})
    response = client_for(staff).post(f"/api/v1/payments/payments/{payment.pk}/refunds/", {
        "amount_krw": 1_000_000, "keep_licence": True, "reason": "Price reduced"},
        format="json")

    assert response.status_code == 201
    reversal = recorded_stripe.received[-1]
    assert reversal.form["amount"] == ["900000"]
    assert reversal.headers["Idempotency-Key"] == f"cipx-refund-{response.json()['id']}-reversal"
    assert entries(signed_deal) == [
        (EntryKind.CHARGE, 5_000_000), (EntryKind.PLATFORM_FEE, 500_000),
        (EntryKind.CREATOR_SHARE, 4_500_000), (EntryKind.TRANSFER, 4_500_000),
        (EntryKind.REFUND, -1_000_000), (EntryKind.PLATFORM_FEE, -100_000),
        (EntryKind.CREATOR_SHARE, -900_000), (EntryKind.TRANSFER, -900_000)]
    transfer.refresh_from_db()
    assert transfer.reversed_krw == 900_000
    earnings = client_for(owner).get("/api/v1/payments/earnings/").json()
    assert (earnings["earned_krw"], earnings["paid_out_krw"]) == (3_600_000, 3_600_000)


def test_no_transfer_while_the_creators_account_cannot_receive_money(
        recorded_stripe, owner, signed_deal, client_for):
    recorded_stripe.expect("POST", "/v1/accounts", ACCOUNT_CREATED)
    recorded_stripe.expect("POST", "/v1/account_links", ACCOUNT_LINK)
    onboard(client_for(owner))
    deliver(account_updated(ready=False, event_id="evt_acct_2"))

    card_payment_succeeds(signed_deal, intent_id="pi_3QkR9w", event_id="evt_pi_2")

    assert Transfer.objects.count() == 0
    assert [r.path for r in recorded_stripe.received] == ["/v1/accounts", "/v1/account_links"]


def test_a_refund_while_the_creators_transfer_is_pending_is_taken_back_once_it_went_out(
        recorded_stripe, owner, signed_deal, staff, client_for):
    """The transfer of the share was sent but Stripe has not answered (it is retried
    with the same key, so its amount stays 4,500,000). A refund meanwhile reverses
    its part of the split in the ledger at once; when the transfer then succeeds,
    that part is taken back from it, so the creator keeps exactly their share."""
    payment = card_payment_succeeds(signed_deal, intent_id="pi_3QkS1a", event_id="evt_pi_3",
                                    provider_id="pi_3QkS1a", status="processing")
    # Test data as the rows stand after a transfer request that got no answer.
    account = ConnectedAccount.objects.create(
        user=owner, stripe_account_id=ACCOUNT, country="KR", service_agreement="recipient",
        details_submitted=True, payouts_enabled=True, transfers_active=True)
    transfer = Transfer.objects.create(payment=payment, deal=signed_deal, account=account,
                                       amount_krw=4_500_000)

    recorded_stripe.expect("POST", "/v1/refunds", {
        "id": "re_3QkS2b", "object": "refund", "amount": 1_000_000, "currency": "krw",
        "payment_intent": "pi_3QkS1a", "status": "succeeded", "metadata": {}})
    refunded = client_for(staff).post(f"/api/v1/payments/payments/{payment.pk}/refunds/", {
        "amount_krw": 1_000_000, "keep_licence": True, "reason": "Price reduced"},
        format="json")

    assert refunded.status_code == 201
    assert [r.path for r in recorded_stripe.received] == ["/v1/refunds"]  # nothing to reverse
    assert entries(signed_deal)[-3:] == [
        (EntryKind.REFUND, -1_000_000), (EntryKind.PLATFORM_FEE, -100_000),
        (EntryKind.CREATOR_SHARE, -900_000)]

    # The reconcile sweep asks again: Stripe made the transfer of 4,500,000.
    recorded_stripe.expect("POST", "/v1/transfers", TRANSFER)
    recorded_stripe.expect("POST", f"/v1/transfers/{TRANSFER['id']}/reversals", {
        "id": "trr_1QkS3c", "object": "transfer_reversal", "amount": 900_000,
        "currency": "krw", "transfer": TRANSFER["id"], "metadata": {}})
    resubmit_transfer(transfer.pk)

    reversal = recorded_stripe.received[-1]
    assert reversal.form["amount"] == ["900000"]
    assert reversal.headers["Idempotency-Key"] == \
        f"cipx-refund-{refunded.json()['id']}-reversal"
    assert entries(signed_deal)[-2:] == [(EntryKind.TRANSFER, 4_500_000),
                                         (EntryKind.TRANSFER, -900_000)]
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reversed_krw) == ("succeeded", 900_000)
    earnings = client_for(owner).get("/api/v1/payments/earnings/").json()
    assert (earnings["earned_krw"], earnings["paid_out_krw"], earnings["owed_krw"]) == (
        3_600_000, 3_600_000, 0)

    # Asked once more, nothing is reversed twice.
    resubmit_transfer(transfer.pk)
    assert len(recorded_stripe.received) == 3
