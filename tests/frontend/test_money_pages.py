"""Canceling an invoice, refunding a payment, revoking a licence and activating a
royalty-only licence through the pages, and a deal's money on its page.

People: `owner` (the creator), `producer` (the payer), `other_producer` (a
stranger), `staff`. The deal is the listing's offer (3,000,000 KRW) requested,
accepted and signed by both; PLATFORM_FEE_PERCENT is 10. Only bank payments move
money here, so Stripe is never involved."""

from __future__ import annotations

import pytest

from exchange.audit.models import AuditEntry
from licensing import services
from licensing.models import Deal, DealStatus
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from payments.services import bank_receipt_record
from tests.licensing.conftest import custom_terms, sign_both

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _ten_percent(settings):
    settings.PLATFORM_FEE_PERCENT = 10


@pytest.fixture
def paid(invoice, staff) -> Payment:
    """The invoice paid in full by bank transfer: the deal is licensed."""
    return bank_receipt_record(actor=staff, reference=invoice.reference, amount_krw=3_000_000,
                               bank_transaction_id="T-1")


# --- canceling an invoice ---------------------------------------------------------------


def test_the_producer_drops_their_invoice_and_may_then_pay_another_way(page_client, invoice,
                                                                       producer):
    client = page_client(producer, "en")
    page = _html(client.get(f"/deals/{invoice.deal_id}/invoice/"))

    response = client.post(f"/invoices/{invoice.pk}/cancel/", {"cancel-reason": ""},
                           follow=True)

    assert 'id="invoice-cancel-form"' in page
    assert 'for="id_cancel-reason"' in page  # labelled
    invoice.refresh_from_db()
    assert invoice.status == PaymentStatus.CANCELED
    assert response.redirect_chain[-1][0] == f"/deals/{invoice.deal_id}/"
    assert f"Invoice {invoice.reference} is canceled" in _html(response)
    assert 'id="invoice-get"' in _html(response)  # pay options again


def test_staff_must_give_a_reason_shown_next_to_the_field(page_client, invoice, staff):
    client = page_client(staff, "en")

    refused = client.post(f"/invoices/{invoice.pk}/cancel/", {"cancel-reason": ""})
    done = client.post(f"/invoices/{invoice.pk}/cancel/",
                       {"cancel-reason": "Paying by card instead"})

    assert refused.status_code == 400
    assert 'id="id_cancel-reason_errors"' in _html(refused)
    assert done.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.reason) == (PaymentStatus.CANCELED,
                                                "Paying by card instead")


def test_the_staff_payments_page_links_each_cancelable_invoice(page_client, invoice, staff):
    page = _html(page_client(staff, "en").get("/staff/payments/"))

    assert f'id="invoice-cancel-{invoice.pk}"' in page
    assert 'id="receipt-form"' in page


def test_in_korean_the_cancel_page_keeps_what_was_typed(page_client, invoice, staff):
    response = page_client(staff, "ko").post(f"/invoices/{invoice.pk}/cancel/",
                                             {"cancel-reason": "x" * 2001})

    assert response.status_code == 400
    assert "x" * 2001 in _html(response)
    assert "청구서" in _html(response)


@pytest.mark.parametrize("who, status", [("owner", 403), ("other_producer", 404)])
def test_the_creator_and_strangers_cannot_cancel(page_client, invoice, request, who, status):
    client = page_client(request.getfixturevalue(who), "en")

    assert client.get(f"/invoices/{invoice.pk}/cancel/").status_code == status
    assert client.post(f"/invoices/{invoice.pk}/cancel/",
                       {"cancel-reason": "no"}).status_code == status
    invoice.refresh_from_db()
    assert invoice.status == PaymentStatus.PENDING


def test_an_invoice_with_money_on_it_offers_no_cancel(page_client, invoice, staff, producer):
    bank_receipt_record(actor=staff, reference=invoice.reference, amount_krw=1_000)

    page = _html(page_client(producer, "en").get(f"/deals/{invoice.deal_id}/invoice/"))
    response = page_client(producer, "en").post(f"/invoices/{invoice.pk}/cancel/", {},
                                                follow=True)

    assert 'id="invoice-cancel-form"' not in page
    assert "cannot be canceled" in _html(response)
    invoice.refresh_from_db()
    assert invoice.status == PaymentStatus.PARTIALLY_RECEIVED


# --- refunds ----------------------------------------------------------------------------


def test_a_partial_refund_asks_whether_the_licence_stays_next_to_the_field(page_client, paid,
                                                                          staff):
    client = page_client(staff, "en")
    listed = _html(client.get("/staff/payments/"))

    refused = client.post(f"/staff/payments/{paid.pk}/refund/", {
        "amount_krw": "1000000", "reason": "Price reduced", "bank_transaction_id": "T-9"})

    assert f'id="refund-link-{paid.pk}"' in listed
    assert refused.status_code == 400
    page = _html(refused)
    assert 'id="id_keep_licence_errors"' in page
    assert 'value="1000000"' in page and "Price reduced" in page
    assert Refund.objects.count() == 0


def test_staff_refund_part_keeping_the_licence_and_the_parties_see_it(page_client, paid, staff,
                                                                     producer, owner):
    response = page_client(staff, "en").post(f"/staff/payments/{paid.pk}/refund/", {
        "amount_krw": "1000000", "keep_licence": "keep", "reason": "Price reduced",
        "bank_transaction_id": "T-9"}, follow=True)

    refund = Refund.objects.get()
    assert (refund.status, refund.amount_krw, refund.keep_licence) == (
        RefundStatus.SUCCEEDED, 1_000_000, True)
    assert f"₩1,000,000 was refunded on {paid.reference}" in _html(response)
    assert Deal.objects.get(pk=paid.deal_id).status == DealStatus.LICENSED
    for who in (producer, owner):
        page = _html(page_client(who, "en").get(f"/deals/{paid.deal_id}/"))
        assert f'id="deal-refund-{refund.pk}"' in page
        assert 'id="deal-ledger"' in page
        assert '<dd class="price" id="deal-balance-refunded">₩1,000,000</dd>' in page
        assert f'id="deal-refund-link-{paid.pk}"' not in page  # staff only


def test_a_full_refund_from_the_deal_page_ends_the_licence(page_client, paid, staff):
    client = page_client(staff, "en")
    deal_page = _html(client.get(f"/deals/{paid.deal_id}/"))

    client.post(f"/staff/payments/{paid.pk}/refund/", {
        "reason": "Licence cancelled by agreement", "bank_transaction_id": "T-10"})

    assert f'id="deal-refund-link-{paid.pk}"' in deal_page
    assert Refund.objects.get().amount_krw == 3_000_000
    assert Deal.objects.get(pk=paid.deal_id).status == DealStatus.REVOKED


def test_a_refund_over_what_is_left_is_refused_next_to_the_amount(page_client, paid, staff):
    response = page_client(staff, "en").post(f"/staff/payments/{paid.pk}/refund/", {
        "amount_krw": "3000001", "reason": "Oops", "keep_licence": "end"})

    assert response.status_code == 400
    assert 'id="id_amount_krw_errors"' in _html(response)
    assert Refund.objects.count() == 0


@pytest.mark.parametrize("who", ["producer", "owner"])
def test_only_staff_reach_the_refund_page(page_client, paid, request, who):
    client = page_client(request.getfixturevalue(who), "en")

    assert client.get(f"/staff/payments/{paid.pk}/refund/").status_code == 403
    assert client.post(f"/staff/payments/{paid.pk}/refund/",
                       {"reason": "x"}).status_code == 403
    assert Refund.objects.count() == 0


# --- revoking a licence -----------------------------------------------------------------


def test_the_creator_revokes_after_confirming_and_the_producer_sees_why(page_client, paid,
                                                                       owner, producer):
    client = page_client(owner, "en")
    licence = _html(client.get(f"/deals/{paid.deal_id}/licence/"))
    confirm = _html(client.get(f"/deals/{paid.deal_id}/licence/revoke/"))
    empty = client.post(f"/deals/{paid.deal_id}/licence/revoke/", {"revoke-reason": ""})
    done = client.post(f"/deals/{paid.deal_id}/licence/revoke/",
                       {"revoke-reason": "Used in an advert, outside the licence"})

    assert 'id="licence-revoke-link"' in licence
    assert 'id="revoke-confirm"' in confirm and 'for="id_revoke-reason"' in confirm
    assert empty.status_code == 400 and 'id="id_revoke-reason_errors"' in _html(empty)
    assert done.status_code == 302
    assert Deal.objects.get(pk=paid.deal_id).status == DealStatus.REVOKED
    assert AuditEntry.objects.filter(action="deal.revoke", actor=owner).count() == 1
    seen = _html(page_client(producer, "en").get(f"/deals/{paid.deal_id}/licence/"))
    assert 'id="licence-status" data-status="revoked"' in seen
    assert "Used in an advert, outside the licence" in seen
    assert 'id="licence-revoke-link"' not in seen


def test_staff_may_revoke(page_client, paid, staff):
    page_client(staff, "en").post(f"/deals/{paid.deal_id}/licence/revoke/",
                                  {"revoke-reason": "Rights dispute upheld"})

    assert Deal.objects.get(pk=paid.deal_id).status == DealStatus.REVOKED


@pytest.mark.parametrize("who, status", [("producer", 403), ("other_producer", 404)])
def test_the_licensee_and_strangers_cannot_revoke(page_client, paid, request, who, status):
    client = page_client(request.getfixturevalue(who), "en")

    assert client.get(f"/deals/{paid.deal_id}/licence/revoke/").status_code == status
    assert client.post(f"/deals/{paid.deal_id}/licence/revoke/",
                       {"revoke-reason": "x"}).status_code == status
    assert Deal.objects.get(pk=paid.deal_id).status == DealStatus.LICENSED


# --- royalty-only licences --------------------------------------------------------------


@pytest.fixture
def royalty_deal(producer, owner, listing) -> Deal:
    deal = services.deal_request(producer=producer, listing=listing, production="A game",
                                 terms=custom_terms(fee_krw=0, royalty_pct="8.00"))
    return sign_both(services.deal_accept(actor=owner, deal=deal))


def test_producers_read_what_happens_next_and_staff_activate(page_client, royalty_deal,
                                                             producer, staff):
    producer_page = _html(page_client(producer, "en").get(f"/deals/{royalty_deal.pk}/"))
    staff_page = _html(page_client(staff, "en").get(f"/deals/{royalty_deal.pk}/"))

    response = page_client(staff, "en").post(f"/deals/{royalty_deal.pk}/activate/",
                                             follow=True)

    assert 'id="royalty-next"' in producer_page and 'id="royalty-activate"' not in producer_page
    assert 'id="invoice-get"' not in producer_page
    assert 'id="royalty-activate"' in staff_page
    assert Deal.objects.get(pk=royalty_deal.pk).status == DealStatus.LICENSED
    assert 'id="licence-link"' in _html(response)
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("who", ["producer", "owner"])
def test_only_staff_activate(page_client, royalty_deal, request, who):
    response = page_client(request.getfixturevalue(who), "en").post(
        f"/deals/{royalty_deal.pk}/activate/")

    assert response.status_code == 403
    assert Deal.objects.get(pk=royalty_deal.pk).status == DealStatus.ACCEPTED
