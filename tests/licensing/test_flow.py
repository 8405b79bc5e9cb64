"""The whole licence over the API, start to finish: a producer asks, the creator
counters, the producer accepts, both sign, staff confirm payment, the public
verifies and the licensee downloads.

Personas: `owner` (creator), `producer` (licensee), `staff`, the anonymous public.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from listings.services import media_attach

from .conftest import as_json, custom_terms

pytestmark = pytest.mark.django_db


def test_request_counter_accept_sign_pay_verify_download(
    client_for, anonymous_client, owner, producer, staff, listing, media_root
):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    media_attach(actor=owner, listing=listing, role="deliverable", title="Master",
                 file=SimpleUploadedFile("m.png", buffer.getvalue(), content_type="image/png"))
    creator, licensee, finance = client_for(owner), client_for(producer), client_for(staff)

    availability = anonymous_client.get(f"/api/v1/listings/{listing.pk}/availability/", {
        "media": "immersive", "territory": "KR", "start": custom_terms()["start_date"],
        "end": custom_terms()["end_date"], "exclusive": "true"})
    assert availability.data["available"] is True

    deal = licensee.post("/api/v1/deals/", {"listing": listing.pk, "production": "XR show",
                                            **as_json(custom_terms())}, format="json").data
    url = f"/api/v1/deals/{deal['id']}/"
    assert creator.post(url + "counter/", {"fee_krw": 7_000_000}, format="json").status_code \
        == 200
    accepted = licensee.post(url + "accept/").data
    assert (accepted["status"], accepted["terms"]["fee_krw"]) == ("accepted", 7_000_000)

    agreement = licensee.get(f"/api/v1/agreements/{accepted['agreement']}/").data
    assert agreement["document"]["terms"]["fee_krw"] == 7_000_000
    for client in (licensee, creator):
        signed = client.post(agreement["links"]["sign"], {"sha256": agreement["sha256"]},
                             format="json")
        assert signed.status_code == 201
    assert signed.data["fully_signed"] is True

    paid = finance.post(url + "mark-paid/").data
    assert paid["status"] == "licensed"
    assert paid["licence"]["status"] == "active"

    verified = anonymous_client.get(paid["licence"]["certificate"]["verify_api"])
    assert (verified.data["licensee"], verified.data["status"]) == ("Producer", "active")
    taken = anonymous_client.get(f"/api/v1/listings/{listing.pk}/availability/", {
        "media": "immersive", "territory": "WW", "start": custom_terms()["start_date"],
        "end": custom_terms()["start_date"]})
    assert taken.data["available"] is False

    links = licensee.get(url + "deliverables/").data
    download = anonymous_client.get(links[0]["download_url"])
    assert download.status_code == 200
    assert [t["action"] for t in licensee.get(url).data["transitions"]] == [
        "request", "counter", "accept", "pay"]
