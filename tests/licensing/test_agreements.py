"""Agreements: acceptance freezes the terms as canonical JSON with a SHA-256, both
parties sign over the hash they saw, and the agreement reads in Korean and
English as a page, a PDF and an ODRL policy.

Personas: `owner` (creator, assigner), `producer` (licensee, assignee),
`other_producer` (a stranger: 404, nothing changes), `staff`.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from pypdf import PdfReader

from exchange.audit.models import AuditEntry
from licensing.models import Agreement, DealStatus, Signature
from licensing.services.agreements import canonical_json

from .conftest import days_ahead, sign_both

pytestmark = pytest.mark.django_db


def agreement_url(agreement, suffix: str = "") -> str:
    return f"/api/v1/agreements/{agreement.pk}/{suffix}"


def sign(client, agreement, sha256=None, **extra):
    return client.post(agreement_url(agreement, "sign/"),
                       {"sha256": sha256 or agreement.sha256}, format="json", **extra)


def test_acceptance_freezes_terms_and_parties_with_their_hash(accepted_deal, owner, producer,
                                                              listing):
    agreement = Agreement.objects.get(deal=accepted_deal)
    document = json.loads(agreement.canonical_json)

    assert document == {
        "type": "content-ip-licence-agreement", "format_version": 1,
        "deal": accepted_deal.pk,
        "accepted_at": document["accepted_at"],
        "listing": {"id": listing.pk, "title": "달빛 야시장 Lantern Market",
                    "rights_holder": "Studio Lantern",
                    "copyright_registration_number": "C-2024-012345"},
        "licensor": {"user_id": owner.pk, "display_name": "Owner"},
        "licensee": {"user_id": producer.pk, "display_name": "Producer", "organisation": None},
        "terms": {"media": ["immersive"], "territories": ["KR"],
                  "start_date": days_ahead(30).isoformat(),
                  "end_date": days_ahead(394).isoformat(), "exclusive": True,
                  "fee_krw": 5_000_000, "royalty_pct": None},
        "production": "A VR exhibition at the Asia Culture Center",
    }
    assert canonical_json(document) == agreement.canonical_json
    assert agreement.sha256 == hashlib.sha256(agreement.canonical_json.encode()).hexdigest()


def test_both_parties_sign_by_click_through_recording_who_when_where_and_what(
    client_for, accepted_deal, owner, producer
):
    agreement = accepted_deal.agreement

    first = sign(client_for(producer), agreement, REMOTE_ADDR="198.51.100.4",
                 HTTP_USER_AGENT="Firefox/130")
    second = sign(client_for(owner), agreement)

    assert first.status_code == 201, first.data
    assert [s["party"] for s in first.data["signatures"]] == ["producer"]
    assert first.data["fully_signed"] is False
    assert second.data["fully_signed"] is True
    recorded = Signature.objects.get(agreement=agreement, party="producer")
    assert (recorded.signer, recorded.ip_address, recorded.user_agent, recorded.sha256) == (
        producer, "198.51.100.4", "Firefox/130", agreement.sha256)
    assert AuditEntry.objects.filter(action="agreement.sign").count() == 2


def test_a_stale_hash_is_refused_and_nothing_is_signed(client_for, accepted_deal, producer):
    agreement = accepted_deal.agreement

    stale = sign(client_for(producer), agreement, sha256="0" * 64)
    malformed = sign(client_for(producer), agreement, sha256="abc")

    assert stale.status_code == 409
    assert stale.data["code"] == "stale_agreement"
    assert malformed.status_code == 400
    assert list(malformed.data["fields"]) == ["sha256"]
    assert Signature.objects.count() == 0


def test_signing_someone_elses_agreement_is_a_404_and_nothing_changes(
    client_for, accepted_deal, other_producer, other_creator, staff
):
    agreement = accepted_deal.agreement

    for stranger in (other_producer, other_creator):
        assert sign(client_for(stranger), agreement).status_code == 404
        assert client_for(stranger).get(agreement_url(agreement)).status_code == 404
        assert client_for(stranger).get(agreement_url(agreement, "pdf/")).status_code == 404
        assert client_for(stranger).get(agreement_url(agreement, "odrl/")).status_code == 404
    assert sign(client_for(staff), agreement).status_code == 403
    assert Signature.objects.count() == 0


def test_signing_twice_is_a_conflict(client_for, accepted_deal, producer):
    sign(client_for(producer), accepted_deal.agreement)

    again = sign(client_for(producer), accepted_deal.agreement)

    assert again.status_code == 409
    assert again.data["code"] == "already_signed"
    assert Signature.objects.count() == 1


def test_payment_waits_for_both_signatures(client_for, accepted_deal, staff, producer):
    sign(client_for(producer), accepted_deal.agreement)

    response = client_for(staff).post(f"/api/v1/deals/{accepted_deal.pk}/mark-paid/")

    assert response.status_code == 409
    assert response.data["code"] == "unsigned"
    assert response.data["message"] == "The agreement still needs the signature of the creator."
    accepted_deal.refresh_from_db()
    assert accepted_deal.status == DealStatus.ACCEPTED


def test_the_pdf_carries_the_korean_and_english_terms(client_for, accepted_deal, producer):
    response = client_for(producer).get(agreement_url(accepted_deal.agreement, "pdf/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for korean in ("콘텐츠 IP 이용허락 계약서", "달빛 야시장", "실감형 콘텐츠", "대한민국", "독점",
                   "5,000,000원"):
        assert korean in text
    for english in ("Content IP Licence Agreement", "Territories: Korea, Republic of",
                    "Exclusivity: exclusive", accepted_deal.agreement.sha256):
        assert english in text.replace("\n", " ") or english in text


def test_the_page_shows_the_agreement_to_its_parties_only(client, accepted_deal, producer,
                                                          other_producer):
    url = f"/agreements/{accepted_deal.agreement.pk}/"
    client.force_login(other_producer)
    assert client.get(url).status_code == 404

    client.force_login(producer)
    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert "콘텐츠 IP 이용허락 계약서" in html
    assert "Content IP Licence Agreement" in html
    assert accepted_deal.agreement.sha256 in html


def test_odrl_policy_states_parties_target_constraints_and_exclusivity(
    client_for, accepted_deal, owner, producer, listing
):
    response = client_for(owner).get(agreement_url(accepted_deal.agreement, "odrl/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    policy = json.loads(response.content)
    assert policy["@context"][0] == "http://www.w3.org/ns/odrl.jsonld"
    assert policy["@type"] == "Agreement"
    assert policy["assigner"]["uid"] == f"urn:content-ip-exchange:user:{owner.pk}"
    assert policy["assignee"]["uid"] == f"urn:content-ip-exchange:user:{producer.pk}"
    assert policy["target"] == f"http://testserver/api/v1/listings/{listing.pk}/"
    assert policy["cipx:exclusive"] is True
    permission = policy["permission"][0]
    assert permission["action"] == "use"
    assert [(c["leftOperand"], c["operator"]) for c in permission["constraint"]] == [
        ("spatial", "isAnyOf"), ("dateTime", "gteq"), ("dateTime", "lteq"),
        ("purpose", "isAnyOf")]
    assert permission["constraint"][0]["rightOperand"] == ["KR"]
    assert permission["constraint"][1]["rightOperand"]["@value"] == days_ahead(30).isoformat()
    assert permission["constraint"][3]["rightOperand"] == ["cipx:medium/immersive"]
    assert permission["duty"][0]["constraint"][0]["rightOperand"]["@value"] == "5000000"
    assert policy["prohibition"][0]["action"] == "grantUse"


def test_a_non_exclusive_policy_has_no_prohibition(client_for, make_deal, owner):
    from licensing import services

    deal = services.deal_accept(actor=owner, deal=make_deal(exclusive=False))
    policy = json.loads(client_for(owner).get(agreement_url(deal.agreement, "odrl/")).content)

    assert policy["cipx:exclusive"] is False
    assert "prohibition" not in policy


def test_the_deal_points_at_its_agreement(client_for, accepted_deal, producer):
    sign_both(accepted_deal)
    body = client_for(producer).get(f"/api/v1/deals/{accepted_deal.pk}/").data

    assert body["agreement"] == accepted_deal.agreement.pk
    assert body["licence"] is None
