"""Paying through the pages: the invoice with what to transfer where, staff recording
receipts (partial, then the rest), the creator's earnings, and the Stripe parts that
appear only while Stripe is on (pay by card, payouts onboarding).

People: `owner` (the creator), `producer` (the payer), `other_producer` (a stranger),
`staff`. Where Stripe is on, the real gateway (payments.gateways.stripe, with the official
`stripe` library) talks to Stripe's stand-ins on 127.0.0.1 (tests/stripe_fakes.py): the
card payment to localstripe, and Connect onboarding, which localstripe lacks, to a server
answering with responses recorded from Stripe. The gateway never calls Stripe inside a
database transaction, so those tests commit for real (transaction=True)."""

from __future__ import annotations

import re

import pytest

from licensing import services
from licensing.models import Deal, DealStatus
from payments.models import ConnectedAccount, Payment, PaymentMethod, PaymentStatus
from tests.stripe_fakes import (  # noqa: F401  (fixtures used by this module)
    ACCOUNT,
    ACCOUNT_CREATED,
    ACCOUNT_LINK,
    localstripe,
    localstripe_url,
    recorded_stripe,
)

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


# --- the invoice -----------------------------------------------------------------------


def test_the_invoice_speaks_korean_with_won_and_the_due_date(page_client, invoice, producer):
    page = _html(page_client(producer, "ko").get(f"/deals/{invoice.deal_id}/invoice/"))

    due = re.search(r'<dd id="invoice-due">(.*?)</dd>', page).group(1)
    assert '<dd class="price" id="invoice-amount">₩3,000,000</dd>' in page
    assert f'<code id="invoice-reference">{invoice.reference}</code>' in page
    assert "년" in due and "월" in due
    assert '<dd id="bank-name">Development Bank (not a real account)</dd>' in page
    assert '<dd id="bank-holder">Content IP Exchange</dd>' in page


def test_the_parties_and_staff_see_the_invoice_and_a_stranger_does_not(
    page_client, invoice, owner, staff, other_producer
):
    url = f"/deals/{invoice.deal_id}/invoice/"

    creator_page = _html(page_client(owner).get(url))

    assert invoice.reference in creator_page and 'id="invoice-get"' not in creator_page
    assert page_client(staff).get(url).status_code == 200
    assert page_client(other_producer).get(url).status_code == 404
    assert page_client(other_producer).post(url).status_code == 404
    assert Payment.objects.count() == 1


def test_before_both_signed_there_is_no_invoice_to_get(page_client, producer, owner, listing):
    deal = services.deal_request(producer=producer, listing=listing, production="VR",
                                 offer=listing.offers.get())
    deal = services.deal_accept(actor=owner, deal=deal)
    client = page_client(producer, "en")

    page = _html(client.get(f"/deals/{deal.pk}/"))
    refused = client.post(f"/deals/{deal.pk}/invoice/", follow=True)

    assert 'id="invoice-get"' not in page
    assert "once both parties have signed" in page
    assert "still needs the signature" in _html(refused)
    assert Payment.objects.count() == 0


# --- staff record bank receipts ----------------------------------------------------------


def test_staff_record_a_partial_receipt_then_the_rest(page_client, invoice, staff, producer):
    client = page_client(staff, "en")

    listed = _html(client.get("/staff/payments/"))
    first = client.post("/staff/payments/", {"reference": invoice.reference,
                                             "amount_krw": "1000000",
                                             "bank_transaction_id": "T-1"}, follow=True)
    invoice.refresh_from_db()
    partly = (invoice.status, invoice.received_krw)
    producer_view = _html(page_client(producer, "en").get(f"/deals/{invoice.deal_id}/invoice/"))
    rest = client.post("/staff/payments/", {"reference": invoice.reference,
                                            "amount_krw": "2000000",
                                            "bank_transaction_id": "T-2"}, follow=True)

    assert f'id="invoice-row-{invoice.pk}"' in listed
    assert "₩2,000,000 is still outstanding" in _html(first)
    assert partly == (PaymentStatus.PARTIALLY_RECEIVED, 1_000_000)
    assert '<dd id="invoice-outstanding">₩2,000,000</dd>' in producer_view
    assert "paid in full" in _html(rest)
    assert f'id="invoice-row-{invoice.pk}"' not in _html(rest)
    assert Deal.objects.get(pk=invoice.deal_id).status == DealStatus.LICENSED


def test_a_reference_from_the_open_invoices_fills_the_form(page_client, invoice, staff):
    page = _html(page_client(staff).get(f"/staff/payments/?reference={invoice.reference}"))

    assert f'name="reference" value="{invoice.reference}"' in page


# --- earnings ----------------------------------------------------------------------------


def test_the_creator_s_earnings_show_the_share_after_the_platform_fee(page_client, invoice,
                                                                      staff, owner):
    page_client(staff).post("/staff/payments/", {"reference": invoice.reference,
                                                 "amount_krw": "3000000"})

    page = _html(page_client(owner, "en").get("/creator/earnings/"))

    assert '<dd class="price" id="earned">₩2,700,000</dd>' in page
    assert '<dd class="price" id="owed">₩2,700,000</dd>' in page
    assert "platform fee of 10%" in page


# --- Stripe ----------------------------------------------------------------------------


def test_without_stripe_the_pages_offer_bank_transfer_only(page_client, signed_deal, producer,
                                                            owner):
    deal_page = _html(page_client(producer).get(f"/deals/{signed_deal.pk}/"))
    earnings = _html(page_client(owner).get("/creator/earnings/"))
    card = page_client(producer).post(f"/deals/{signed_deal.pk}/pay-by-card/")

    assert 'id="invoice-get"' in deal_page and 'id="pay-by-card"' not in deal_page
    assert 'id="stripe-onboarding"' not in earnings
    assert card.status_code == 404
    assert page_client(owner).post("/creator/payouts/stripe/").status_code == 302
    assert ConnectedAccount.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_stripe_the_producer_pays_by_card_on_stripe_s_form(
    page_client, localstripe, signed_deal, producer  # noqa: F811  (the imported fixture)
):
    client = page_client(producer, "en")

    offered = _html(client.get(f"/deals/{signed_deal.pk}/"))
    on_invoice_page = _html(client.get(f"/deals/{signed_deal.pk}/invoice/"))
    card = client.post(f"/deals/{signed_deal.pk}/pay-by-card/")
    after = _html(client.get(f"/deals/{signed_deal.pk}/"))

    assert 'id="pay-by-card"' in offered and 'id="pay-by-card"' in on_invoice_page
    assert card.status_code == 200
    [intent] = localstripe.get("/v1/payment_intents")["data"]
    payment = Payment.objects.get(deal=signed_deal)
    assert (intent["amount"], intent["currency"], intent["status"], intent["metadata"]) == (
        3_000_000, "krw", "requires_payment_method",
        {"payment_id": str(payment.pk), "deal_id": str(signed_deal.pk)})
    assert f'data-client-secret="{intent["client_secret"]}"' in _html(card)
    assert 'data-publishable-key="pk_test_localstripe"' in _html(card)
    assert "script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com" in card[
        "Content-Security-Policy"]
    assert (payment.method, payment.status, payment.provider_id) == (
        PaymentMethod.STRIPE, PaymentStatus.PROCESSING, intent["id"])
    assert 'id="card-payment-status"' in after and 'id="pay-by-card"' not in after
    assert "script-src 'self' 'wasm-unsafe-eval';" in client.get(f"/deals/{signed_deal.pk}/")[
        "Content-Security-Policy"]


def test_the_creator_of_a_deal_cannot_pay_it_by_card(
    page_client, recorded_stripe, signed_deal, owner  # noqa: F811  (the imported fixture)
):
    response = page_client(owner).post(f"/deals/{signed_deal.pk}/pay-by-card/")

    assert response.status_code == 403
    assert Payment.objects.count() == 0
    assert recorded_stripe.received == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_stripe_the_creator_sets_up_payouts_on_stripe(
    page_client, recorded_stripe, owner  # noqa: F811  (the imported fixture)
):
    recorded_stripe.expect("POST", "/v1/accounts", ACCOUNT_CREATED)
    recorded_stripe.expect("POST", "/v1/account_links", ACCOUNT_LINK)
    client = page_client(owner, "en")

    before = _html(client.get("/creator/earnings/"))
    response = client.post("/creator/payouts/stripe/")

    assert 'id="stripe-onboarding"' in before and "Set up payouts with Stripe" in before
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT_LINK["url"]
    account = ConnectedAccount.objects.get(user=owner)
    assert account.stripe_account_id == ACCOUNT
    create, link = recorded_stripe.received
    assert create.headers["Idempotency-Key"] == f"cipx-connect-{account.pk}-account"
    assert {name: values[0] for name, values in create.form.items()} == {
        "type": "express", "country": "KR", "email": "owner@example.com",
        "capabilities[transfers][requested]": "true",
        "tos_acceptance[service_agreement]": "recipient",
        "metadata[account_id]": str(account.pk), "metadata[user_id]": str(owner.pk)}
    assert {name: values[0] for name, values in link.form.items()} == {
        "account": ACCOUNT, "type": "account_onboarding",
        "return_url": "http://testserver/creator/earnings/?stripe=return",
        "refresh_url": "http://testserver/creator/earnings/?stripe=refresh"}
    assert 'data-status="started"' in _html(client.get("/creator/earnings/"))
