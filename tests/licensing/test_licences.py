"""The licence after payment: a certificate anyone can verify (and learn nothing
private from), deliverables for the licensee by expiring links, expiry at the
end date and revocation for breach.

Personas: `owner` (creator), `producer` (licensee), `other_producer` (a
stranger), `staff`, the anonymous public.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from exchange.audit.models import AuditEntry
from licensing import services, tasks
from licensing.models import Deal, DealStatus, RightsClaim
from listings.services import media_attach

from .conftest import days_ahead

pytestmark = pytest.mark.django_db


def png(name: str = "master.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def verify(client, deal):
    return client.get(f"/api/v1/verify/{deal.certificate.code}/")


# --- certificate ---------------------------------------------------------------------


def test_payment_issues_a_certificate_with_an_unguessable_code(client_for, licensed_deal,
                                                               producer):
    code = licensed_deal.certificate.code
    body = client_for(producer).get(f"/api/v1/deals/{licensed_deal.pk}/").data

    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", code)
    assert body["licence"] == {"status": "active", "certificate": {
        "code": code, "issued_at": body["licence"]["certificate"]["issued_at"],
        "verify_page": f"http://testserver/verify/{code}/",
        "verify_api": f"http://testserver/api/v1/verify/{code}/",
        "qr_svg": f"http://testserver/verify/{code}/qr.svg",
    }}


def test_verification_shows_the_licence_and_nothing_more(anonymous_client, licensed_deal):
    response = verify(anonymous_client, licensed_deal)

    assert response.status_code == 200
    assert response.data == {
        "ip": "달빛 야시장 Lantern Market", "licensee": "Producer", "media": ["immersive"],
        "territories": ["KR"], "start_date": days_ahead(30).isoformat(),
        "end_date": days_ahead(394).isoformat(), "status": "active",
    }


def test_the_public_page_and_qr_code(client, licensed_deal):
    code = licensed_deal.certificate.code

    page = client.get(f"/verify/{code}/")
    qr = client.get(f"/verify/{code}/qr.svg")

    assert page.status_code == 200
    html = page.content.decode()
    # Korean by default, codes as the reader's words: medium, country and status.
    for shown in ("달빛 야시장 Lantern Market", "Producer", "실감형", "대한민국",
                  'data-status="active"'):
        assert shown in html
    for private in ("5000000", "5,000,000", "producer@example.com", "Owner", "exclusive"):
        assert private not in html
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<?xml")


def test_an_unknown_code_is_a_404(anonymous_client, client, licensed_deal):
    assert anonymous_client.get("/api/v1/verify/not-a-code/").status_code == 404
    assert client.get("/verify/not-a-code/").status_code == 404


# --- expiry and revocation ------------------------------------------------------------


def test_the_beat_task_ends_licences_after_their_last_day(anonymous_client, licensed_deal):
    Deal.objects.filter(pk=licensed_deal.pk).update(start_date=days_ahead(-10),
                                                    end_date=days_ahead(-1))
    assert verify(anonymous_client, licensed_deal).data["status"] == "expired"  # before the task

    assert tasks.end_expired_licences.delay().get() == 1
    assert tasks.end_expired_licences.delay().get() == 0
    assert tasks.end_licence.delay(licensed_deal.pk).get() == "ended"

    licensed_deal.refresh_from_db()
    assert licensed_deal.status == DealStatus.ENDED
    assert verify(anonymous_client, licensed_deal).data["status"] == "expired"


def test_a_licence_still_running_is_not_ended(licensed_deal):
    assert tasks.end_expired_licences.delay().get() == 0
    assert tasks.end_licence.delay(licensed_deal.pk).get() == "licensed"


def test_the_creator_revokes_for_breach_and_the_rights_are_free_again(
    client_for, anonymous_client, licensed_deal, owner, producer, other_producer
):
    url = f"/api/v1/deals/{licensed_deal.pk}/revoke/"
    assert client_for(producer).post(url, {"reason": "x"}, format="json").status_code == 403
    assert client_for(other_producer).post(url, {"reason": "x"}, format="json").status_code == 404
    no_reason = client_for(owner).post(url, {}, format="json")
    assert no_reason.status_code == 400

    response = client_for(owner).post(url, {"reason": "Used beyond the licensed media"},
                                      format="json")

    assert response.status_code == 200
    assert response.data["status"] == "revoked"
    assert response.data["licence"]["status"] == "revoked"
    assert verify(anonymous_client, licensed_deal).data["status"] == "revoked"
    assert RightsClaim.objects.filter(deal=licensed_deal, active=True).count() == 0
    entry = AuditEntry.objects.get(action="deal.revoke")
    assert (entry.actor, entry.reason, entry.from_state, entry.to_state) == (
        owner, "Used beyond the licensed media", "licensed", "revoked")
    # and another producer may now take the same exclusive rights
    services.deal_request(producer=other_producer, listing=licensed_deal.listing,
                          production="Game", terms={
                              "media": ["immersive"], "territories": ["KR"],
                              "start_date": days_ahead(30), "end_date": days_ahead(60),
                              "exclusive": True, "fee_krw": 1_000_000})


def test_staff_may_revoke_too(licensed_deal, staff):
    deal = services.deal_revoke(actor=staff, deal=licensed_deal, reason="Court order")

    assert deal.status == DealStatus.REVOKED


# --- deliverables --------------------------------------------------------------------


@pytest.fixture
def deliverable(media_root, owner, listing):
    return media_attach(actor=owner, listing=listing, file=png(), role="deliverable",
                        title="Master artwork")


def links(client, deal):
    return client.get(f"/api/v1/deals/{deal.pk}/deliverables/")


def test_the_licensee_downloads_deliverables_through_expiring_links(
    client_for, anonymous_client, licensed_deal, producer, deliverable, listing, owner
):
    media_attach(actor=owner, listing=listing, file=png("gallery.png"), role="gallery")

    response = links(client_for(producer), licensed_deal)

    assert response.status_code == 200
    assert [(row["id"], row["title"]) for row in response.data] == [
        (deliverable.pk, "Master artwork")]
    download = anonymous_client.get(response.data[0]["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("who", ["owner", "other_producer", "staff"])
def test_only_the_licensee_gets_links(client_for, request, licensed_deal, deliverable, who):
    response = links(client_for(request.getfixturevalue(who)), licensed_deal)

    assert response.status_code == 404


def test_no_links_before_payment(client_for, accepted_deal, producer, deliverable):
    assert links(client_for(producer), accepted_deal).status_code == 404


def test_a_link_stops_working_when_it_expires(settings, client_for, anonymous_client,
                                              licensed_deal, producer, deliverable,
                                              monkeypatch):
    url = links(client_for(producer), licensed_deal).data[0]["download_url"]
    assert anonymous_client.get(url).status_code == 200

    # A minute past the link's lifetime, as the signature's clock sees it
    later = timezone.now() + dt.timedelta(minutes=settings.LICENSING_DOWNLOAD_LINK_MINUTES + 1)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())

    assert anonymous_client.get(url).status_code == 404


def test_a_link_stops_working_when_the_licence_is_revoked(client_for, anonymous_client,
                                                          licensed_deal, producer, owner,
                                                          deliverable):
    url = links(client_for(producer), licensed_deal).data[0]["download_url"]
    services.deal_revoke(actor=owner, deal=licensed_deal, reason="Breach")

    assert anonymous_client.get(url).status_code == 404
    assert anonymous_client.get(url.replace("/deliverables/", "/deliverables/x")) \
        .status_code == 404


# --- the payments integration ---------------------------------------------------------


def test_a_completed_payment_licenses_once_however_often_it_is_reported(accepted_deal):
    from .conftest import sign_both

    sign_both(accepted_deal)

    first = services.deal_payment_completed(deal_id=accepted_deal.pk, reference="pi_123")
    again = services.deal_payment_completed(deal_id=accepted_deal.pk, reference="pi_123")

    assert (first.status, again.status) == (DealStatus.LICENSED, DealStatus.LICENSED)
    assert accepted_deal.transitions.filter(action="pay").count() == 1
    entry = AuditEntry.objects.get(action="deal.pay")
    assert (entry.actor, entry.data) == (None, {"payment_reference": "pi_123"})
    assert RightsClaim.objects.get(deal=accepted_deal).kind == "grant"


def test_the_system_cannot_take_a_partys_move(make_deal):
    from exchange.errors import Forbidden

    deal = make_deal()
    with pytest.raises(Forbidden):
        services.deal_reject(actor=None, deal=deal, reason="no")
    deal.refresh_from_db()
    assert deal.status == DealStatus.REQUESTED
