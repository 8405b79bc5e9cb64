"""Canceling an invoice, refunding a payment, revoking a licence, activating a
royalty-only licence and retrying a Stripe event that failed through the pages, and
a deal's money on its page.

People: `owner` (the creator), `producer` (the payer), `other_producer` (a
stranger), `staff`. The deal is the listing's offer (3,000,000 KRW) requested,
accepted and signed by both; PLATFORM_FEE_PERCENT is 10. Bank payments move money
here; the one Stripe event is signed with the endpoint secret and posted to
/webhooks/stripe/ (no Stripe server is involved)."""

from __future__ import annotations

import pytest
from django.test import Client

from exchange.audit.models import AuditEntry
from licensing import services
from licensing.models import Deal, DealStatus
from payments.models import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
    WebhookStatus,
)
from payments.references import reference_new
from payments.services import bank_receipt_record
from tests.licensing.conftest import custom_terms, sign_both
from tests.payments.conftest import WEBHOOK_SECRET, deliver

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


# --- Stripe events that failed ----------------------------------------------------------


@pytest.fixture
def stripe_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_not_used_here"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_ENABLED = True


@pytest.fixture
def failed_event(stripe_on, signed_deal) -> WebhookEvent:
    """Stripe says intent pi_1 paid the deal's card payment, but the payment's row still
    names the intent of an earlier attempt (test data, as a factory would make it): the
    event does not fit and is stored as failed."""
    payment = Payment.objects.create(deal=signed_deal, method=PaymentMethod.STRIPE,
                                     status=PaymentStatus.PROCESSING, amount_krw=3_000_000,
                                     reference=reference_new(), payer=signed_deal.producer,
                                     provider_id="pi_stale")
    intent = {"id": "pi_1", "object": "payment_intent", "amount": 3_000_000,
              "amount_received": 3_000_000, "currency": "krw", "status": "succeeded",
              "metadata": {"payment_id": str(payment.pk), "deal_id": str(signed_deal.pk)}}
    response = deliver({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
                        "data": {"object": intent}})
    assert response.json()["status"] == "failed"
    return WebhookEvent.objects.get(event_id="evt_1")


def _fix_the_cause(event: WebhookEvent) -> Payment:
    """Staff find at Stripe that pi_1 is the payment's intent and correct the row."""
    payment_id = int(event.payload["data"]["object"]["metadata"]["payment_id"])
    Payment.objects.filter(pk=payment_id).update(provider_id="pi_1")
    return Payment.objects.get(pk=payment_id)


def _staff_client(staff) -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    return client


def test_staff_see_the_failed_event_and_its_retry_button_applies_it(failed_event, staff):
    client = _staff_client(staff)
    page = _html(client.get("/staff/payments/"))
    payment = _fix_the_cause(failed_event)

    response = client.post(f"/staff/payments/stripe-events/{failed_event.pk}/retry/",
                           {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                           follow=True)

    assert 'id="failed-events-count">1</span>' in page
    row = page[page.index(f'id="failed-event-row-{failed_event.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "<code>payment_intent.succeeded</code>" in row
    assert "<code>evt_1</code>" in row
    assert "<td>1</td>" in row  # attempts
    assert f"EventNotApplicable: payment {payment.pk} is paid by another intent" in row
    assert (f'action="/staff/payments/stripe-events/{failed_event.pk}/retry/"' in row
            and 'name="csrfmiddlewaretoken"' in row)
    assert response.redirect_chain[-1][0] == "/staff/payments/#failed-events-heading"
    after = _html(response)
    assert "Stripe event evt_1 (payment_intent.succeeded) was applied." in after
    assert 'id="failed-events-count">0</span>' in after
    assert f'id="failed-event-row-{failed_event.pk}"' not in after
    assert "No Stripe event failed." in after
    failed_event.refresh_from_db()
    assert (failed_event.status, failed_event.attempts) == (WebhookStatus.APPLIED, 2)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert Deal.objects.get(pk=payment.deal_id).status == DealStatus.LICENSED


def test_a_second_click_on_retry_is_refused_with_a_message(failed_event, page_client, staff):
    _fix_the_cause(failed_event)
    client = page_client(staff, "en")
    client.post(f"/staff/payments/stripe-events/{failed_event.pk}/retry/")

    again = client.post(f"/staff/payments/stripe-events/{failed_event.pk}/retry/",
                        follow=True)

    assert "Only a Stripe event that failed can be retried" in _html(again)
    failed_event.refresh_from_db()
    assert (failed_event.status, failed_event.attempts) == (WebhookStatus.APPLIED, 2)
    assert AuditEntry.objects.filter(action="webhook.retry").count() == 1


def test_a_retry_that_fails_again_says_why(failed_event, page_client, staff):
    response = page_client(staff, "en").post(
        f"/staff/payments/stripe-events/{failed_event.pk}/retry/", follow=True)

    assert "Stripe event evt_1 (payment_intent.succeeded) failed again: " in _html(response)
    assert 'id="failed-events-count">1</span>' in _html(response)
    failed_event.refresh_from_db()
    assert (failed_event.status, failed_event.attempts) == (WebhookStatus.FAILED, 2)


def test_a_retry_without_the_csrf_token_is_refused(failed_event, staff):
    _fix_the_cause(failed_event)

    response = _staff_client(staff).post(
        f"/staff/payments/stripe-events/{failed_event.pk}/retry/")

    assert response.status_code == 403
    failed_event.refresh_from_db()
    assert (failed_event.status, failed_event.attempts) == (WebhookStatus.FAILED, 1)


@pytest.mark.parametrize("who", ["producer", "owner"])
def test_only_staff_see_and_retry_failed_events(failed_event, page_client, request, who):
    _fix_the_cause(failed_event)
    client = page_client(request.getfixturevalue(who), "en")

    assert client.get("/staff/payments/").status_code == 403
    assert client.post(
        f"/staff/payments/stripe-events/{failed_event.pk}/retry/").status_code == 403
    failed_event.refresh_from_db()
    assert (failed_event.status, failed_event.attempts) == (WebhookStatus.FAILED, 1)
    assert AuditEntry.objects.filter(action="webhook.retry").count() == 0


def test_retry_is_a_post(failed_event, page_client, staff):
    response = page_client(staff, "en").get(
        f"/staff/payments/stripe-events/{failed_event.pk}/retry/")

    assert response.status_code == 405
    failed_event.refresh_from_db()
    assert failed_event.status == WebhookStatus.FAILED


def test_with_stripe_on_and_nothing_failed_the_section_says_so(stripe_on, page_client, staff):
    page = _html(page_client(staff, "en").get("/staff/payments/"))

    assert 'id="failed-events-count">0</span>' in page
    assert "No Stripe event failed." in page
    assert 'id="failed-events"' not in page


def test_with_stripe_off_and_nothing_failed_there_is_no_section(settings, page_client, staff):
    settings.STRIPE_ENABLED = False

    page = _html(page_client(staff, "en").get("/staff/payments/"))

    assert 'id="failed-events-heading"' not in page
    assert "Stripe events that failed" not in page


def test_events_that_failed_before_stripe_was_turned_off_are_still_listed(
        failed_event, settings, page_client, staff):
    settings.STRIPE_ENABLED = False

    page = _html(page_client(staff, "en").get("/staff/payments/"))

    assert f'id="failed-event-row-{failed_event.pk}"' in page


def test_in_korean_the_section_is_translated(failed_event, page_client, staff):
    page = _html(page_client(staff, "ko").get("/staff/payments/"))

    assert "실패한 Stripe 이벤트" in page
    assert f'id="webhook-retry-{failed_event.pk}"' in page
