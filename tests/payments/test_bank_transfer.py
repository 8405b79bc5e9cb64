"""Paying by bank transfer against an invoice, over the API.

Given an accepted deal at 5,000,000 KRW whose agreement both parties signed,
the producer gets an invoice with a reference; staff record what the bank
statement shows; the receipt that completes the amount licenses the deal and
splits the money (PLATFORM_FEE_PERCENT = 10: 500,000 to the platform,
4,500,000 to the creator).
"""

from __future__ import annotations

import pytest

from licensing import services as licensing
from licensing.models import Certificate, ClaimKind, DealStatus, RightsClaim
from payments.models import EntryKind, LedgerEntry, Payment, PaymentStatus
from payments.selectors import deal_balance

from .conftest import lapse, sign_both

FEE = 5_000_000


@pytest.fixture(autouse=True)
def _ten_percent(settings):
    settings.PLATFORM_FEE_PERCENT = 10


def entries(deal) -> list[tuple[str, int]]:
    return list(LedgerEntry.objects.filter(deal=deal).order_by("id")
                .values_list("kind", "amount_krw"))


def receive(client, invoice, amount, **extra):
    return client.post("/api/v1/payments/receipts/",
                       {"reference": invoice.reference, "amount_krw": amount, **extra},
                       format="json")


# --- the invoice ----------------------------------------------------------------------


def test_the_producer_gets_an_invoice_with_a_reference_and_the_account_to_pay(
        signed_deal, producer, client_for, settings):
    settings.BANK_TRANSFER_BANK_NAME = "광주은행"
    settings.BANK_TRANSFER_ACCOUNT_NUMBER = "123-456-789012"
    settings.BANK_TRANSFER_ACCOUNT_HOLDER = "(주)콘텐츠IP거래소"

    response = client_for(producer).post(f"/api/v1/payments/deals/{signed_deal.pk}/invoice/")

    assert response.status_code == 201
    invoice = Payment.objects.get(deal=signed_deal)
    body = response.json()
    assert body["reference"] == invoice.reference
    assert {k: body[k] for k in ("deal", "status", "currency", "amount_krw", "received_krw",
                                 "outstanding_krw")} == {
        "deal": signed_deal.pk, "status": "pending", "currency": "KRW",
        "amount_krw": FEE, "received_krw": 0, "outstanding_krw": FEE}
    assert body["pay_to"] == {"bank": "광주은행", "account_number": "123-456-789012",
                              "account_holder": "(주)콘텐츠IP거래소", "memo": invoice.reference}
    assert body["due_by"] is not None


def test_asking_again_returns_the_same_invoice(signed_deal, producer, client_for):
    client = client_for(producer)
    first = client.post(f"/api/v1/payments/deals/{signed_deal.pk}/invoice/")

    again = client.post(f"/api/v1/payments/deals/{signed_deal.pk}/invoice/")
    read = client.get(f"/api/v1/payments/deals/{signed_deal.pk}/invoice/")

    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"] == read.json()["reference"]
    assert Payment.objects.filter(deal=signed_deal).count() == 1


def test_the_creator_reads_the_invoice_but_cannot_issue_it(signed_deal, invoice, owner,
                                                           client_for):
    client = client_for(owner)

    assert client.get(f"/api/v1/payments/deals/{signed_deal.pk}/invoice/").json()[
        "reference"] == invoice.reference
    assert client.post(f"/api/v1/payments/deals/{signed_deal.pk}/invoice/").status_code == 403


def test_a_stranger_finds_no_invoice_and_cannot_issue_one(signed_deal, other_producer,
                                                          client_for):
    client = client_for(other_producer)

    assert client.post(f"/api/v1/payments/deals/{signed_deal.pk}/invoice/").status_code == 404
    assert client.get(f"/api/v1/payments/deals/{signed_deal.pk}/invoice/").status_code == 404
    assert Payment.objects.count() == 0


def test_no_invoice_before_both_parties_signed(accepted_deal, producer, client_for):
    response = client_for(producer).post(f"/api/v1/payments/deals/{accepted_deal.pk}/invoice/")

    assert response.status_code == 409
    assert response.json()["code"] == "unsigned"
    assert Payment.objects.count() == 0


def test_no_invoice_for_a_deal_still_under_negotiation(make_deal, producer, client_for):
    deal = make_deal()

    response = client_for(producer).post(f"/api/v1/payments/deals/{deal.pk}/invoice/")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Payment.objects.count() == 0


# --- receipts -------------------------------------------------------------------------


def test_the_full_amount_received_licenses_the_deal_and_splits_the_money(
        invoice, signed_deal, staff, client_for):
    response = receive(client_for(staff), invoice, FEE, bank_transaction_id="KJB-20260301-0001")

    assert response.status_code == 201
    assert response.json()["status"] == "succeeded"
    assert response.json()["outstanding_krw"] == 0
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert set(RightsClaim.objects.filter(deal=signed_deal, active=True)
               .values_list("kind", flat=True)) == {ClaimKind.GRANT}
    assert Certificate.objects.filter(deal=signed_deal).count() == 1
    assert entries(signed_deal) == [(EntryKind.BANK_RECEIPT, 5_000_000),
                                    (EntryKind.PLATFORM_FEE, 500_000),
                                    (EntryKind.CREATOR_SHARE, 4_500_000)]
    balance = deal_balance(deal_id=signed_deal.pk)
    assert (balance.received_krw, balance.platform_fee_krw, balance.creator_share_krw,
            balance.held_krw, balance.balanced) == (FEE, 500_000, 4_500_000, 0, True)
    assert signed_deal.transitions.last().action == "pay"


def test_a_partial_amount_is_recorded_and_the_deal_stays_unpaid_until_the_rest_arrives(
        invoice, signed_deal, staff, client_for):
    client = client_for(staff)

    partial = receive(client, invoice, 2_000_000)

    assert partial.status_code == 201
    assert (partial.json()["status"], partial.json()["received_krw"],
            partial.json()["outstanding_krw"]) == ("partially_received", 2_000_000, 3_000_000)
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.ACCEPTED
    assert entries(signed_deal) == [(EntryKind.BANK_RECEIPT, 2_000_000)]
    assert deal_balance(deal_id=signed_deal.pk).held_krw == 2_000_000

    rest = receive(client, invoice, 3_000_000)

    assert rest.json()["status"] == "succeeded"
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED
    assert entries(signed_deal) == [(EntryKind.BANK_RECEIPT, 2_000_000),
                                    (EntryKind.BANK_RECEIPT, 3_000_000),
                                    (EntryKind.PLATFORM_FEE, 500_000),
                                    (EntryKind.CREATOR_SHARE, 4_500_000)]


def test_more_than_is_outstanding_is_refused_and_nothing_is_written(invoice, signed_deal, staff,
                                                                   client_for):
    response = receive(client_for(staff), invoice, FEE + 1)

    assert response.status_code == 400
    assert response.json()["fields"] == {"amount_krw": [
        f"is more than the 5000000 KRW outstanding on {invoice.reference}; "
        "return the difference to the payer"]}
    assert entries(signed_deal) == []
    invoice.refresh_from_db()
    assert (invoice.status, invoice.received_krw) == (PaymentStatus.PENDING, 0)


def test_a_mistyped_reference_is_caught_by_its_check_character(invoice, staff, client_for):
    last = invoice.reference[-1]
    typo = invoice.reference[:-1] + ("0" if last != "0" else "1")

    response = client_for(staff).post("/api/v1/payments/receipts/",
                                      {"reference": typo, "amount_krw": FEE}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reference"]
    assert LedgerEntry.objects.count() == 0


def test_a_well_formed_reference_of_no_invoice_is_refused(invoice, staff, client_for):
    response = client_for(staff).post("/api/v1/payments/receipts/",
                                      {"reference": "CIPX-7K2M-Q9XM", "amount_krw": FEE},
                                      format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"reference": ["no invoice has this reference"]}


def test_the_same_bank_transaction_recorded_twice_counts_once(invoice, signed_deal, staff,
                                                              client_for):
    client = client_for(staff)

    first = receive(client, invoice, 1_000_000, bank_transaction_id="KJB-1")
    again = receive(client, invoice, 1_000_000, bank_transaction_id="KJB-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["received_krw"] == 1_000_000
    assert entries(signed_deal) == [(EntryKind.BANK_RECEIPT, 1_000_000)]


@pytest.mark.parametrize("who", ["owner", "producer", "other_producer"])
def test_only_staff_record_receipts(who, invoice, signed_deal, client_for, request):
    response = receive(client_for(request.getfixturevalue(who)), invoice, FEE)

    assert response.status_code == 403
    assert entries(signed_deal) == []
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.ACCEPTED


def test_an_invoice_already_paid_takes_no_more_money(invoice, staff, client_for):
    client = client_for(staff)
    receive(client, invoice, FEE)

    response = receive(client, invoice, 1)

    assert response.status_code == 409
    assert response.json()["code"] == "payment_closed"
    assert LedgerEntry.objects.filter(kind=EntryKind.BANK_RECEIPT).count() == 1


# --- rights taken meanwhile -----------------------------------------------------------


def test_a_lapsed_deal_whose_rights_are_still_free_is_licensed_by_its_payment(
        invoice, signed_deal, staff, client_for):
    assert lapse(signed_deal).status == DealStatus.LAPSED

    response = receive(client_for(staff), invoice, FEE)

    assert response.json()["status"] == "succeeded"
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LICENSED


def test_money_for_rights_taken_meanwhile_is_recorded_not_applied_and_staff_are_told(
        invoice, signed_deal, staff, owner, other_producer, make_deal, client_for):
    lapse(signed_deal)
    rival = licensing.deal_accept(actor=owner, deal=make_deal(by=other_producer))
    sign_both(rival)
    licensing.deal_mark_paid(actor=staff, deal=rival)

    response = receive(client_for(staff), invoice, FEE)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "rights_unavailable"
    assert body["fields"] == {"reference": [invoice.reference], "refund_due_krw": ["5000000"]}
    assert "return it" in body["message"]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.received_krw) == (PaymentStatus.REFUSED, FEE)
    assert invoice.reason.startswith("its rights were taken meanwhile: immersive in KR")
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.LAPSED
    assert entries(signed_deal) == [(EntryKind.BANK_RECEIPT, FEE)]
    balance = deal_balance(deal_id=signed_deal.pk)
    assert (balance.held_krw, balance.platform_fee_krw, balance.creator_share_krw,
            balance.balanced) == (FEE, 0, 0, True)
