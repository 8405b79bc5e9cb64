"""Paying through the pages: the invoice with what to transfer where, staff recording
receipts (partial, then the rest), the creator's earnings, and the Stripe parts that
appear only while Stripe is on (pay by card, payouts onboarding).

People: `owner` (the creator), `producer` (the payer), `other_producer` (a stranger),
`staff`. Stripe is never reached: its gateway functions are replaced per test."""

from __future__ import annotations

import re

import pytest

from licensing import services
from licensing.models import Deal, DealStatus
from payments.gateways import stripe as gateway
from payments.models import ConnectedAccount, Payment, PaymentMethod, PaymentStatus

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def stripe_on(settings):
    settings.STRIPE_ENABLED = True
    settings.STRIPE_SECRET_KEY = "sk_test_pages"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_pages"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_pages"


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


def test_with_stripe_the_producer_pays_by_card_on_stripe_s_form(
    page_client, stripe_on, signed_deal, producer, monkeypatch
):
    def intent_create(*, payment_id, deal_id, amount_krw):
        assert (deal_id, amount_krw) == (signed_deal.pk, 3_000_000)
        return {"id": "pi_pages", "client_secret": "pi_pages_secret_x",
                "status": "requires_payment_method"}

    monkeypatch.setattr(gateway, "payment_intent_create", intent_create)
    client = page_client(producer, "en")

    offered = _html(client.get(f"/deals/{signed_deal.pk}/"))
    on_invoice_page = _html(client.get(f"/deals/{signed_deal.pk}/invoice/"))
    card = client.post(f"/deals/{signed_deal.pk}/pay-by-card/")
    after = _html(client.get(f"/deals/{signed_deal.pk}/"))

    assert 'id="pay-by-card"' in offered and 'id="pay-by-card"' in on_invoice_page
    assert card.status_code == 200
    assert 'data-client-secret="pi_pages_secret_x"' in _html(card)
    assert 'data-publishable-key="pk_test_pages"' in _html(card)
    assert "script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com" in card[
        "Content-Security-Policy"]
    payment = Payment.objects.get(deal=signed_deal)
    assert (payment.method, payment.status, payment.provider_id) == (
        PaymentMethod.STRIPE, PaymentStatus.PROCESSING, "pi_pages")
    assert 'id="card-payment-status"' in after and 'id="pay-by-card"' not in after
    assert "script-src 'self' 'wasm-unsafe-eval';" in client.get(f"/deals/{signed_deal.pk}/")[
        "Content-Security-Policy"]


def test_the_creator_of_a_deal_cannot_pay_it_by_card(page_client, stripe_on, signed_deal, owner):
    response = page_client(owner).post(f"/deals/{signed_deal.pk}/pay-by-card/")

    assert response.status_code == 403
    assert Payment.objects.count() == 0


def test_with_stripe_the_creator_sets_up_payouts_on_stripe(page_client, stripe_on, owner,
                                                           monkeypatch):
    asked = {}

    def account_create(**kwargs):
        return {"id": "acct_pages", "details_submitted": False, "payouts_enabled": False,
                "capabilities": {}}

    def link_create(**kwargs):
        asked.update(kwargs)
        return {"url": "https://connect.stripe.com/setup/e/acct_pages/abc"}

    monkeypatch.setattr(gateway, "connected_account_create", account_create)
    monkeypatch.setattr(gateway, "account_link_create", link_create)
    client = page_client(owner, "en")

    before = _html(client.get("/creator/earnings/"))
    response = client.post("/creator/payouts/stripe/")

    assert 'id="stripe-onboarding"' in before and "Set up payouts with Stripe" in before
    assert response.status_code == 302
    assert response["Location"] == "https://connect.stripe.com/setup/e/acct_pages/abc"
    assert asked["return_url"] == "http://testserver/creator/earnings/?stripe=return"
    assert asked["refresh_url"] == "http://testserver/creator/earnings/?stripe=refresh"
    assert ConnectedAccount.objects.get(user=owner).stripe_account_id == "acct_pages"
    assert 'data-status="started"' in _html(client.get("/creator/earnings/"))
