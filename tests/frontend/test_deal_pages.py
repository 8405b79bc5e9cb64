"""Licensing through the pages, as people use them: a producer requests a licence on a
listing, the creator counters, the producer accepts, both sign the agreement, the
producer gets the invoice, staff record the bank transfer, and the producer downloads
the deliverable and shows a certificate that verifies publicly. Also: who may not
see or move a deal, and refused input shown next to its field with what was typed.

People: `owner` (the creator of the listing), `producer` (the licensee),
`other_producer` and `other_creator` (strangers to the deal), `staff`."""

from __future__ import annotations

import re

import pytest

from licensing.models import Deal, DealStatus, Signature
from listings.services import media_attach
from payments.models import Payment, PaymentStatus
from payments.services import invoice_issue
from tests.licensing.conftest import days_ahead, sign_both
from tests.listings.fixtures_files import png_bytes, upload

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _field_errors(html: str, field_id: str) -> str:
    match = re.search(rf'<ul class="field-errors" id="{field_id}_errors">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def _custom_request(**overrides) -> dict:
    """The request form filled in with custom terms: exclusive immersive rights in KR for
    a year from 30 days ahead, 5,000,000 KRW."""
    return {
        "offer": "custom", "media": ["immersive"], "territories": "kr",
        "start_date": days_ahead(30).isoformat(), "end_date": days_ahead(394).isoformat(),
        "exclusive": "on", "fee_krw": "5000000", "royalty_pct": "",
        "production": "광주 아시아문화전당 VR 전시 · A VR exhibition in Gwangju",
        "message": "We open in the spring.",
        **overrides,
    }


# --- the whole flow ------------------------------------------------------------------


def test_request_counter_accept_sign_invoice_receipt_download_and_verify(
    page_client, media_root, listing, owner, producer, staff
):
    # given a deliverable on the listing
    media_attach(actor=owner, listing=listing, role="deliverable", title="Master artwork",
                 file=upload(png_bytes(), "master.png", "image/png"))
    as_producer, as_owner = page_client(producer, "en"), page_client(owner, "en")

    # the producer finds "Request a licence" on the listing and sends custom terms
    listing_page = _html(as_producer.get(f"/ip/{listing.pk}/"))
    assert f'id="request-licence" href="/ip/{listing.pk}/request/"' in listing_page
    assert as_producer.get(f"/ip/{listing.pk}/request/").status_code == 200
    sent = as_producer.post(f"/ip/{listing.pk}/request/", _custom_request())
    deal = Deal.objects.get(listing=listing, producer=producer)
    assert sent.status_code == 302 and sent["Location"] == f"/deals/{deal.pk}/"
    assert (deal.status, deal.awaiting, deal.territories, deal.exclusive, deal.fee_krw) == (
        DealStatus.REQUESTED, "creator", ["KR"], True, 5_000_000)
    assert "We open in the spring." in _html(as_producer.get(f"/deals/{deal.pk}/"))

    # the creator sees it on the dashboard and counters with a higher fee
    dashboard = _html(as_owner.get("/creator/"))
    assert f'id="deal-link-{deal.pk}"' in dashboard.split('id="incoming-requests"')[1]
    creator_view = _html(as_owner.get(f"/deals/{deal.pk}/"))
    assert 'id="deal-accept"' in creator_view and 'id="deal-reject"' in creator_view
    assert 'id="deal-withdraw"' not in creator_view
    counter_form = _html(as_owner.get(f"/deals/{deal.pk}/counter/"))
    assert 'name="fee_krw" value="5000000"' in counter_form
    countered = as_owner.post(f"/deals/{deal.pk}/counter/", {
        "media": ["immersive"], "territories": "KR", "start_date": deal.start_date.isoformat(),
        "end_date": deal.end_date.isoformat(), "exclusive": "on", "fee_krw": "6000000",
        "note": "Exclusive rights cost more.",
    })
    deal.refresh_from_db()
    assert countered.status_code == 302
    assert (deal.status, deal.awaiting, deal.fee_krw) == (DealStatus.COUNTERED, "producer",
                                                          6_000_000)

    # the producer accepts the counter
    producer_view = _html(as_producer.get(f"/deals/{deal.pk}/"))
    assert "Exclusive rights cost more." in producer_view and 'id="deal-withdraw"' in producer_view
    assert as_producer.post(f"/deals/{deal.pk}/accept/").status_code == 302
    deal.refresh_from_db()
    assert deal.status == DealStatus.ACCEPTED

    # both sign by click-through over the hash shown on the agreement page
    for client in (as_producer, as_owner):
        page = _html(client.get(f"/deals/{deal.pk}/agreement/"))
        shown = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
        assert shown == deal.agreement.sha256 and 'id="agreement-hash"' in page
        signed = client.post(f"/deals/{deal.pk}/agreement/sign/",
                             {"sha256": shown, "confirm": "on"})
        assert signed.status_code == 302
    assert set(Signature.objects.filter(agreement__deal=deal).values_list("party", flat=True)) \
        == {"creator", "producer"}

    # the producer gets the invoice: bank details, amount, reference, due date
    issued = as_producer.post(f"/deals/{deal.pk}/invoice/")
    invoice = Payment.objects.get(deal=deal)
    assert issued.status_code == 302 and issued["Location"] == f"/deals/{deal.pk}/invoice/"
    invoice_page = _html(as_producer.get(f"/deals/{deal.pk}/invoice/"))
    assert f'<code id="invoice-reference">{invoice.reference}</code>' in invoice_page
    assert '<dd class="price" id="invoice-amount">₩6,000,000</dd>' in invoice_page
    assert '<dd id="bank-account">000-000000-00-000</dd>' in invoice_page
    assert 'id="invoice-due"' in invoice_page and 'data-status="pending"' in invoice_page

    # staff see it among the open invoices and record the transfer
    as_staff = page_client(staff, "en")
    assert invoice.reference in _html(as_staff.get("/staff/payments/"))
    recorded = as_staff.post("/staff/payments/", {
        "reference": invoice.reference.lower().replace("-", " "), "amount_krw": "6000000",
        "bank_transaction_id": "KB-2026-0001", "note": "",
    })
    assert recorded.status_code == 302
    deal.refresh_from_db()
    invoice.refresh_from_db()
    assert (deal.status, invoice.status) == (DealStatus.LICENSED, PaymentStatus.SUCCEEDED)
    assert "paid in full" in _html(as_staff.get("/staff/payments/"))

    # the producer downloads the deliverable and the certificate verifies for anyone
    licence_page = _html(as_producer.get(f"/deals/{deal.pk}/licence/"))
    assert 'data-status="active"' in licence_page
    download = re.search(r'class="deliverable-download" href="([^"]+)"', licence_page).group(1)
    got = page_client().get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == png_bytes()
    verify = re.search(r'id="certificate-verify" href="([^"]+)"', licence_page).group(1)
    assert verify == f"/verify/{deal.certificate.code}/"
    public = _html(page_client().get(verify))
    assert "달빛 야시장 Lantern Market" in public and 'data-status="active"' in public

    # the creator's earnings: the fee less the platform's 10 %
    earnings = _html(as_owner.get("/creator/earnings/"))
    assert '<dd class="price" id="earned">₩5,400,000</dd>' in earnings
    assert f'id="deal-link-{deal.pk}"' in earnings.split('id="sales"')[1]


def test_a_producer_requests_an_offer_as_it_stands_from_a_first_day(page_client, listing,
                                                                      producer):
    offer = listing.offers.get()

    response = page_client(producer).post(f"/ip/{listing.pk}/request/", {
        "offer": str(offer.pk), "start_date": days_ahead(10).isoformat(),
        "production": "미디어아트 전시",
    })

    deal = Deal.objects.get(producer=producer)
    assert response.status_code == 302
    assert (deal.offer_id, deal.media, deal.start_date, deal.fee_krw) == (
        offer.pk, ["exhibition", "immersive"], days_ahead(10), 3_000_000)


def test_the_producer_dashboard_groups_deals_by_what_is_next(page_client, accepted_deal,
                                                              producer, listing):
    page = _html(page_client(producer, "en").get("/producer/"))

    to_sign = page.split('id="to-sign"')[1].split('id="to-pay"')[0]
    assert f'id="deal-link-{accepted_deal.pk}"' in to_sign
    assert 'id="nav-producer-dashboard"' in page


# --- who may not -----------------------------------------------------------------------


def test_anonymous_visitors_are_led_to_sign_in_and_back(page_client, listing):
    client = page_client()

    listing_page = _html(client.get(f"/ip/{listing.pk}/"))
    response = client.get(f"/ip/{listing.pk}/request/")

    assert f'href="/accounts/sign-in/?next=/ip/{listing.pk}/request/"' in listing_page
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/sign-in/?next=/ip/{listing.pk}/request/"


@pytest.mark.parametrize("path", ["/deals/{pk}/", "/deals/{pk}/agreement/",
                                  "/deals/{pk}/invoice/", "/deals/{pk}/counter/"])
@pytest.mark.parametrize("who", ["other_producer", "other_creator"])
def test_a_stranger_gets_404_on_another_s_deal(page_client, request, accepted_deal, path, who):
    response = page_client(request.getfixturevalue(who)).get(path.format(pk=accepted_deal.pk))

    assert response.status_code == 404


def test_a_stranger_cannot_move_another_s_deal(page_client, deal, other_producer):
    client = page_client(other_producer)

    responses = [client.post(f"/deals/{deal.pk}/accept/"),
                 client.post(f"/deals/{deal.pk}/withdraw/", {"withdraw-reason": "x"}),
                 client.post(f"/deals/{deal.pk}/messages/", {"message-body": "hello"})]

    assert [r.status_code for r in responses] == [404, 404, 404]
    deal.refresh_from_db()
    assert (deal.status, deal.version, deal.messages.count()) == (DealStatus.REQUESTED, 1, 0)


def test_a_party_is_refused_the_other_party_s_moves(page_client, deal, producer, owner):
    rejected_by_producer = page_client(producer).post(f"/deals/{deal.pk}/reject/",
                                                      {"reject-reason": "no"})
    withdrawn_by_creator = page_client(owner).post(f"/deals/{deal.pk}/withdraw/", {})
    invoice_by_creator = page_client(owner).post(f"/deals/{deal.pk}/invoice/")

    assert rejected_by_producer.status_code == 403
    assert withdrawn_by_creator.status_code == 403
    assert invoice_by_creator.status_code == 403
    deal.refresh_from_db()
    assert deal.status == DealStatus.REQUESTED


def test_pages_of_a_role_refuse_people_without_it(page_client, owner, producer, listing):
    assert page_client(owner).get("/producer/").status_code == 403
    assert page_client(owner).get(f"/ip/{listing.pk}/request/").status_code == 403
    assert page_client(producer).get("/creator/earnings/").status_code == 403
    assert page_client(producer).get("/staff/payments/").status_code == 403
    assert page_client(producer).post("/staff/payments/", {
        "reference": "CIPX-0000-0000", "amount_krw": "1"}).status_code == 403


def test_accepting_out_of_turn_says_why_and_changes_nothing(page_client, deal, producer):
    response = page_client(producer, "en").post(f"/deals/{deal.pk}/accept/", follow=True)

    assert "It is the other party&#x27;s move." in _html(response)
    deal.refresh_from_db()
    assert deal.status == DealStatus.REQUESTED


# --- refused input stays next to its field -----------------------------------------------


def test_request_errors_stand_next_to_their_field_and_keep_what_was_typed(page_client, listing,
                                                                           producer):
    response = page_client(producer, "en").post(f"/ip/{listing.pk}/request/", _custom_request(
        territories="", end_date=days_ahead(1).isoformat(), production="VR 전시 계획"))

    html = _html(response)
    assert response.status_code == 400
    assert "This field is required." in _field_errors(html, "id_territories")
    assert "VR 전시 계획</textarea>" in html and 'value="5000000"' in html
    assert Deal.objects.count() == 0

    # the service's reasons land next to their field too
    after = _html(page_client(producer, "en").post(f"/ip/{listing.pk}/request/", _custom_request(
        end_date=days_ahead(1).isoformat())))
    assert "must be on or after start_date" in _field_errors(after, "id_end_date")


def test_a_rejection_needs_a_reason_shown_in_place(page_client, deal, owner):
    response = page_client(owner, "en").post(f"/deals/{deal.pk}/reject/", {"reject-reason": ""})

    assert response.status_code == 400
    assert "This field is required." in _field_errors(_html(response), "id_reject-reason")
    deal.refresh_from_db()
    assert deal.status == DealStatus.REQUESTED


def test_a_counter_that_changes_nothing_is_refused_in_place(page_client, deal, owner):
    response = page_client(owner, "en").post(f"/deals/{deal.pk}/counter/", {
        "media": deal.media, "territories": ",".join(deal.territories),
        "start_date": deal.start_date.isoformat(), "end_date": deal.end_date.isoformat(),
        "fee_krw": str(deal.fee_krw), "note": "same",
    })

    assert response.status_code == 400
    assert "a counter must change at least one term" in _html(response)
    deal.refresh_from_db()
    assert (deal.status, deal.version) == (DealStatus.REQUESTED, 1)


def test_signing_needs_the_explicit_yes_and_the_current_hash(page_client, accepted_deal,
                                                             producer):
    client = page_client(producer, "en")
    url = f"/deals/{accepted_deal.pk}/agreement/sign/"

    no_yes = client.post(url, {"sha256": accepted_deal.agreement.sha256})
    stale = client.post(url, {"sha256": "0" * 64, "confirm": "on"})

    assert no_yes.status_code == 400 and _field_errors(_html(no_yes), "id_confirm")
    assert stale.status_code == 400
    assert "not the current one" in _html(stale)
    assert f'value="{accepted_deal.agreement.sha256}"' in _html(stale)
    assert Signature.objects.count() == 0


def test_a_bank_receipt_error_stands_next_to_its_field(page_client, accepted_deal, staff):
    sign_both(accepted_deal)
    invoice = invoice_issue(actor=accepted_deal.producer, deal=accepted_deal)
    client = page_client(staff, "en")

    typo = client.post("/staff/payments/", {"reference": "CIPX-0000-0001",
                                            "amount_krw": "3000000"})
    too_much = client.post("/staff/payments/", {"reference": invoice.reference,
                                                "amount_krw": "3000001"})

    assert typo.status_code == 400 and too_much.status_code == 400
    assert "has a typo" in _field_errors(_html(typo), "id_reference")
    assert 'value="3000000"' in _html(typo)
    assert "outstanding" in _field_errors(_html(too_much), "id_amount_krw")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.received_krw) == (PaymentStatus.PENDING, 0)
