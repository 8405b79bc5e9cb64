"""Canceling a bank-transfer invoice before any money arrived, over the API, and
activating a licence with no upfront fee (royalties only).

Given an accepted deal at 5,000,000 KRW whose agreement both parties signed and
an invoice the producer asked for: staff may cancel it (saying why), the
producer may drop it (the reason is optional), the creator and strangers may
not, and once any money arrived nobody can.
"""

from __future__ import annotations

import pytest

from exchange.audit.models import AuditEntry
from licensing.models import Certificate, DealStatus
from payments.models import Payment, PaymentMethod, PaymentStatus

from .conftest import sign_both


def cancel(client, invoice, **body):
    return client.post(f"/api/v1/payments/payments/{invoice.pk}/cancel/", body, format="json")


def test_the_producer_drops_their_unpaid_invoice_and_can_then_ask_for_a_new_one(
        invoice, producer, client_for):
    response = cancel(client_for(producer), invoice)

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("canceled", "")
    invoice.refresh_from_db()
    assert invoice.status == PaymentStatus.CANCELED
    audit = AuditEntry.objects.get(action="payment.cancel")
    assert (audit.actor_id, audit.from_state, audit.to_state, audit.data) == (
        producer.pk, "pending", "canceled", {"by": "payer", "reference": invoice.reference})
    assert invoice.deal.status == DealStatus.ACCEPTED  # the hold is untouched

    again = client_for(producer).post(f"/api/v1/payments/deals/{invoice.deal_id}/invoice/")
    assert again.status_code == 201
    assert again.json()["reference"] != invoice.reference


def test_staff_cancel_with_a_reason_the_producer_then_reads(invoice, staff, producer,
                                                            client_for):
    response = cancel(client_for(staff), invoice, reason="The producer will pay by card.")

    assert response.status_code == 200
    seen = client_for(producer).get(f"/api/v1/payments/deals/{invoice.deal_id}/invoice/")
    assert (seen.json()["status"], seen.json()["reason"]) == (
        "canceled", "The producer will pay by card.")
    assert AuditEntry.objects.get(action="payment.cancel").reason == \
        "The producer will pay by card."


def test_staff_must_say_why_and_nothing_changes_without_a_reason(invoice, staff, client_for):
    response = cancel(client_for(staff), invoice, reason="  ")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["reason"]
    invoice.refresh_from_db()
    assert invoice.status == PaymentStatus.PENDING
    assert not AuditEntry.objects.filter(action="payment.cancel").exists()


@pytest.mark.parametrize("who, status", [("owner", 403), ("other_producer", 404),
                                         ("other_creator", 404)])
def test_the_creator_and_strangers_cannot_cancel(invoice, client_for, request, who, status):
    response = cancel(client_for(request.getfixturevalue(who)), invoice, reason="no")

    assert response.status_code == status
    invoice.refresh_from_db()
    assert invoice.status == PaymentStatus.PENDING


def test_an_invoice_with_money_received_cannot_be_canceled(invoice, staff, producer,
                                                          client_for):
    client_for(staff).post("/api/v1/payments/receipts/", {
        "reference": invoice.reference, "amount_krw": 1_000_000}, format="json")

    for who in (staff, producer):
        response = cancel(client_for(who), invoice, reason="Pay by card instead")
        assert response.status_code == 409
        assert response.json()["code"] == "money_received"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.received_krw) == (PaymentStatus.PARTIALLY_RECEIVED,
                                                      1_000_000)


def test_a_paid_invoice_cannot_be_canceled(invoice, staff, client_for):
    client_for(staff).post("/api/v1/payments/receipts/", {
        "reference": invoice.reference, "amount_krw": 5_000_000}, format="json")

    response = cancel(client_for(staff), invoice, reason="late")

    assert response.status_code == 409
    assert response.json()["code"] == "money_received"
    invoice.refresh_from_db()
    assert invoice.status == PaymentStatus.SUCCEEDED


def test_a_canceled_invoice_is_not_canceled_twice(invoice, producer, client_for):
    cancel(client_for(producer), invoice)

    response = cancel(client_for(producer), invoice)

    assert response.status_code == 409
    assert response.json()["code"] == "payment_closed"
    assert AuditEntry.objects.filter(action="payment.cancel").count() == 1


def test_a_receipt_for_a_canceled_invoice_is_refused(invoice, producer, staff, client_for):
    cancel(client_for(producer), invoice)

    response = client_for(staff).post("/api/v1/payments/receipts/", {
        "reference": invoice.reference, "amount_krw": 5_000_000}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "payment_closed"


# --- royalty-only licences --------------------------------------------------------------


@pytest.fixture
def royalty_deal(make_deal, owner):
    from licensing import services as licensing

    deal = make_deal(fee_krw=0, royalty_pct="8.00")
    return licensing.deal_accept(actor=owner, deal=deal)


def activate(client, deal):
    return client.post(f"/api/v1/payments/deals/{deal.pk}/royalty-activation/")


def test_staff_activate_a_signed_royalty_only_licence(royalty_deal, staff, client_for):
    sign_both(royalty_deal)

    response = activate(client_for(staff), royalty_deal)

    assert response.status_code == 200
    assert response.json() == {"deal": royalty_deal.pk, "status": "licensed"}
    assert Certificate.objects.filter(deal=royalty_deal).count() == 1
    assert Payment.objects.filter(deal=royalty_deal).count() == 0
    audit = AuditEntry.objects.get(action="deal.pay")
    assert (audit.actor_id, audit.to_state) == (staff.pk, "licensed")


def test_a_royalty_only_deal_cannot_be_invoiced(royalty_deal, producer, client_for):
    sign_both(royalty_deal)

    response = client_for(producer).post(f"/api/v1/payments/deals/{royalty_deal.pk}/invoice/")

    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_pay"
    assert not Payment.objects.filter(method=PaymentMethod.BANK_TRANSFER).exists()


def test_activation_waits_for_both_signatures(royalty_deal, staff, client_for):
    response = activate(client_for(staff), royalty_deal)

    assert response.status_code == 409
    assert response.json()["code"] == "unsigned"
    royalty_deal.refresh_from_db()
    assert royalty_deal.status == DealStatus.ACCEPTED


def test_a_deal_with_a_fee_is_not_activated_without_payment(signed_deal, staff, client_for):
    response = activate(client_for(staff), signed_deal)

    assert response.status_code == 409
    assert response.json()["code"] == "fee_due"
    signed_deal.refresh_from_db()
    assert signed_deal.status == DealStatus.ACCEPTED


@pytest.mark.parametrize("who", ["owner", "producer"])
def test_only_staff_activate(royalty_deal, client_for, request, who):
    sign_both(royalty_deal)

    response = activate(client_for(request.getfixturevalue(who)), royalty_deal)

    assert response.status_code == 403
    royalty_deal.refresh_from_db()
    assert royalty_deal.status == DealStatus.ACCEPTED
