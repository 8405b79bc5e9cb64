"""Deals over the API: a producer asks, the creator answers, each party sees only
its own deals.

Personas: `owner` (creator of `listing`), `producer` (asks), `other_producer`
and `other_creator` (strangers: 404 and nothing changes), `staff`.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from exchange.audit.models import AuditEntry
from licensing.models import Deal, DealMessage, DealStatus, DealTransition, RightsClaim
from listings.models import ListingStatus
from tests import factories

from .conftest import as_json, custom_terms, days_ahead, sign_both

pytestmark = pytest.mark.django_db

DEALS = "/api/v1/deals/"


def deal_url(deal, suffix: str = "") -> str:
    return f"{DEALS}{deal.pk}/{suffix}"


def request_body(listing, **terms) -> dict:
    return {"listing": listing.pk, "production": "VR exhibition, 6 months in Gwangju",
            **as_json(custom_terms(**terms))}


def snapshot(deal: Deal) -> tuple:
    deal.refresh_from_db()
    return (deal.status, deal.awaiting, deal.version, deal.transitions.count(),
            deal.messages.count(), RightsClaim.objects.filter(deal=deal).count())


# --- request -------------------------------------------------------------------------


def test_producer_requests_custom_terms_and_the_creator_is_told(
    client_for, producer, owner, listing, django_capture_on_commit_callbacks
):
    # Given a published listing; when the producer requests custom terms with a message
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(producer).post(
            DEALS, {**request_body(listing, territories=["kr", "JP"], royalty_pct="5.5"),
                    "message": "안녕하세요, 전시용으로 문의드립니다."}, format="json")

    # Then a requested deal awaits the creator, with the cleaned terms
    assert response.status_code == 201, response.data
    body = response.data
    assert body["status"] == "requested"
    assert body["awaiting"] == "creator"
    assert body["your_role"] == "producer"
    assert body["your_actions"] == ["withdraw"]
    assert body["terms"] == {
        "media": ["immersive"], "territories": ["JP", "KR"],
        "start_date": days_ahead(30).isoformat(), "end_date": days_ahead(394).isoformat(),
        "exclusive": True, "fee_krw": 5_000_000, "royalty_pct": "5.50",
    }
    assert [p["version"] for p in body["proposals"]] == [1]
    assert [(t["action"], t["from_status"], t["to_status"], t["actor"])
            for t in body["transitions"]] == [("request", "", "requested", "producer")]
    deal = Deal.objects.get(pk=body["id"])
    assert (deal.creator, deal.producer) == (owner, producer)
    assert deal.messages.get().body == "안녕하세요, 전시용으로 문의드립니다."
    assert AuditEntry.objects.filter(action="deal.request", target_id=str(deal.pk)).count() == 1
    # and the creator got one e-mail
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "A new licence request arrived." in mail.outbox[0].body
    assert DealTransition.objects.get(deal=deal).notified_at is not None


def test_producer_requests_a_standard_offer_from_a_start_date(client_for, producer, listing):
    offer = listing.offers.get()
    start = dt.date(2030, 1, 31)
    response = client_for(producer).post(DEALS, {
        "listing": listing.pk, "offer": offer.pk, "start_date": start.isoformat(),
        "production": "Media-art exhibition"}, format="json")

    assert response.status_code == 201, response.data
    assert response.data["offer"] == offer.pk
    # 12 months from 31 January: up to and including 30 January of the next year
    assert response.data["terms"] == {
        "media": ["exhibition", "immersive"], "territories": ["KR"],
        "start_date": "2030-01-31", "end_date": "2031-01-30", "exclusive": False,
        "fee_krw": 3_000_000, "royalty_pct": None,
    }


BAD_REQUESTS = [
    ({"end_date": days_ahead(10).isoformat()}, "end_date", "must be on or after start_date"),
    ({"territories": ["XX"]}, "territories",
     "unknown territory 'XX'; use an ISO 3166-1 alpha-2 code or WW"),
    ({"territories": ["WW", "KR"]}, "territories",
     "WW already covers every country; send WW alone"),
    ({"royalty_pct": "50.01"}, "royalty_pct",
     "Ensure this value is less than or equal to 50."),
    ({"royalty_pct": "-1"}, "royalty_pct",
     "Ensure this value is greater than or equal to 0."),
    ({"media": ["cinema"]}, "media.0", '"cinema" is not a valid choice.'),
    ({"fee_krw": 0}, "fee_krw", "a fee of 0 is allowed only with a royalty_pct"),
    ({"start_date": days_ahead(-1).isoformat()}, "start_date", "must be today or later"),
    ({"status": "licensed"}, "status", "this field is not accepted here"),
]


@pytest.mark.parametrize(("change", "field", "reason"), BAD_REQUESTS)
def test_bad_terms_are_a_400_naming_the_field_and_nothing_is_written(
    client_for, producer, listing, change, field, reason
):
    body = {**request_body(listing), **change}
    response = client_for(producer).post(DEALS, body, format="json")

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["fields"] == {field: [reason]}
    assert Deal.objects.count() == 0
    assert AuditEntry.objects.filter(action__startswith="deal.").count() == 0


def test_an_offer_of_another_listing_is_refused(client_for, producer, listing, other_creator):
    elsewhere = factories.make_listing(owner=other_creator, status=ListingStatus.PUBLISHED)
    response = client_for(producer).post(DEALS, {
        "listing": listing.pk, "offer": elsewhere.offers.get().pk,
        "production": "VR"}, format="json")

    assert response.status_code == 400
    assert response.data["fields"] == {"offer": ["is not an offer of this listing"]}
    assert Deal.objects.count() == 0


@pytest.mark.parametrize("who", ["owner", "other_creator"])
def test_only_producers_other_than_the_owner_may_request(client_for, request, listing, who):
    user = request.getfixturevalue(who)
    response = client_for(user).post(DEALS, request_body(listing), format="json")

    assert response.status_code == 403
    assert Deal.objects.count() == 0


def test_an_unpublished_listing_cannot_be_requested(client_for, producer, owner):
    draft = factories.make_listing(owner=owner, status=ListingStatus.DRAFT)
    response = client_for(producer).post(DEALS, request_body(draft), format="json")

    assert response.status_code == 404
    assert Deal.objects.count() == 0


def test_anonymous_cannot_request(anonymous_client, listing):
    response = anonymous_client.post(DEALS, request_body(listing), format="json")

    assert response.status_code in (401, 403)
    assert Deal.objects.count() == 0


# --- who sees what -------------------------------------------------------------------


def test_each_party_sees_only_its_own_deals(client_for, make_deal, producer, owner,
                                            other_producer, other_creator, staff):
    deal = make_deal()

    for user in (producer, owner, staff):
        assert client_for(user).get(deal_url(deal)).status_code == 200
        assert [d["id"] for d in client_for(user).get(DEALS).data["results"]] == [deal.pk]
    for stranger in (other_producer, other_creator):
        assert client_for(stranger).get(deal_url(deal)).status_code == 404
        assert client_for(stranger).get(DEALS).data["results"] == []
        assert client_for(stranger).get(deal_url(deal, "messages/")).status_code == 404


@pytest.mark.parametrize("action", ["accept/", "reject/", "counter/", "withdraw/", "messages/"])
def test_strangers_get_404_and_nothing_changes(client_for, make_deal, other_producer,
                                               other_creator, action):
    deal = make_deal()
    before = snapshot(deal)

    for stranger in (other_producer, other_creator):
        response = client_for(stranger).post(deal_url(deal, action),
                                             {"reason": "x", "body": "hi", "fee_krw": 1},
                                             format="json")
        assert response.status_code == 404
    assert snapshot(deal) == before


# --- answers -------------------------------------------------------------------------


def test_creator_accepts_and_the_rights_are_held(client_for, make_deal, owner, producer,
                                                 django_capture_on_commit_callbacks):
    deal = make_deal(territories=["KR", "JP"], media=["immersive", "game"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(deal_url(deal, "accept/"))

    assert response.status_code == 200, response.data
    assert response.data["status"] == "accepted"
    assert response.data["awaiting"] == ""
    assert response.data["your_actions"] == []
    assert response.data["hold_expires_at"] is not None
    holds = RightsClaim.objects.filter(deal=deal, active=True)
    assert sorted(holds.values_list("kind", "medium", "territory", "exclusive")) == [
        ("hold", "game", "JP", True), ("hold", "game", "KR", True),
        ("hold", "immersive", "JP", True), ("hold", "immersive", "KR", True),
    ]
    assert [m.to for m in mail.outbox] == [[producer.email]]


def test_producer_cannot_accept_its_own_request(client_for, make_deal, producer):
    deal = make_deal()
    before = snapshot(deal)

    response = client_for(producer).post(deal_url(deal, "accept/"))

    assert response.status_code == 409
    assert response.data["code"] == "not_your_move"
    assert snapshot(deal) == before


def test_creator_rejects_with_a_reason(client_for, make_deal, owner, producer):
    deal = make_deal()

    no_reason = client_for(owner).post(deal_url(deal, "reject/"), {}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.data["fields"] == {"reason": ["say why, so the other party can act on it"]}

    response = client_for(owner).post(deal_url(deal, "reject/"),
                                      {"reason": "Already promised to a museum"}, format="json")
    assert response.status_code == 200
    assert response.data["status"] == "rejected"
    assert response.data["reason"] == "Already promised to a museum"
    assert client_for(producer).post(deal_url(deal, "reject/"), {"reason": "x"},
                                     format="json").status_code == 403


def test_counter_and_counter_again_then_accept(client_for, make_deal, owner, producer,
                                               django_capture_on_commit_callbacks):
    deal = make_deal()

    # The creator counters with a higher fee and a shorter period
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(owner).post(deal_url(deal, "counter/"), {
            "fee_krw": 8_000_000, "end_date": days_ahead(200).isoformat(),
            "note": "Exclusive costs more"}, format="json")
    assert first.status_code == 200, first.data
    assert (first.data["status"], first.data["awaiting"], first.data["version"]) == (
        "countered", "producer", 2)
    assert first.data["terms"]["fee_krw"] == 8_000_000
    assert mail.outbox[-1].to == [producer.email]

    # It is now the producer's move, not the creator's
    assert client_for(owner).post(deal_url(deal, "accept/")).status_code == 409

    # The producer counters again with a royalty instead
    second = client_for(producer).post(deal_url(deal, "counter/"), {
        "fee_krw": 6_000_000, "royalty_pct": "3"}, format="json")
    assert second.status_code == 200, second.data
    assert (second.data["awaiting"], second.data["version"]) == ("creator", 3)
    assert second.data["terms"]["royalty_pct"] == "3.00"

    # The creator accepts the producer's counter
    third = client_for(owner).post(deal_url(deal, "accept/"))
    assert third.data["status"] == "accepted"
    assert [(p["version"], p["side"], p["terms"]["fee_krw"]) for p in third.data["proposals"]] \
        == [(1, "producer", 5_000_000), (2, "creator", 8_000_000), (3, "producer", 6_000_000)]
    assert [t["action"] for t in third.data["transitions"]] == [
        "request", "counter", "counter", "accept"]


def test_a_counter_must_change_something_and_be_valid(client_for, make_deal, owner):
    deal = make_deal()
    before = snapshot(deal)

    same = client_for(owner).post(deal_url(deal, "counter/"), {"fee_krw": 5_000_000},
                                  format="json")
    assert same.status_code == 400
    assert same.data["fields"] == {"terms": ["a counter must change at least one term"]}
    bad = client_for(owner).post(deal_url(deal, "counter/"),
                                 {"end_date": days_ahead(1).isoformat()}, format="json")
    assert bad.status_code == 400
    assert bad.data["fields"] == {"end_date": ["must be on or after start_date"]}
    assert snapshot(deal) == before


def test_producer_withdraws_any_time_while_open(client_for, make_deal, producer, owner):
    deal = make_deal()
    client_for(owner).post(deal_url(deal, "counter/"), {"fee_krw": 9_000_000}, format="json")

    response = client_for(producer).post(deal_url(deal, "withdraw/"),
                                         {"reason": "Budget cut"}, format="json")

    assert response.status_code == 200
    assert response.data["status"] == "withdrawn"
    assert client_for(owner).post(deal_url(deal, "accept/")).status_code == 409
    assert client_for(owner).post(deal_url(deal, "withdraw/")).status_code == 403


def test_terms_cannot_change_after_acceptance(client_for, accepted_deal, owner, producer):
    before = snapshot(accepted_deal)

    for user in (owner, producer):
        response = client_for(user).post(deal_url(accepted_deal, "counter/"),
                                         {"fee_krw": 1}, format="json")
        assert response.status_code == 409
        assert response.data["code"] == "invalid_transition"
    assert snapshot(accepted_deal) == before


# --- messages ------------------------------------------------------------------------


def test_the_parties_share_a_message_thread(client_for, make_deal, owner, producer):
    deal = make_deal()

    client_for(producer).post(deal_url(deal, "messages/"), {"body": "Can we add Japan?"},
                              format="json")
    posted = client_for(owner).post(deal_url(deal, "messages/"), {"body": "네, 가능합니다."},
                                    format="json")
    empty = client_for(owner).post(deal_url(deal, "messages/"), {"body": "  "}, format="json")

    assert posted.status_code == 201
    assert empty.status_code == 400
    thread = client_for(producer).get(deal_url(deal, "messages/")).data
    assert [(m["author"]["id"], m["body"]) for m in thread] == [
        (producer.pk, "Can we add Japan?"), (owner.pk, "네, 가능합니다.")]
    assert DealMessage.objects.filter(deal=deal).count() == 2


# --- payment (staff) -----------------------------------------------------------------


def test_staff_marks_an_accepted_deal_paid_and_the_hold_becomes_grants(
    client_for, accepted_deal, staff, producer, owner
):
    sign_both(accepted_deal)
    for party in (producer, owner):
        assert client_for(party).post(deal_url(accepted_deal, "mark-paid/")).status_code == 403

    response = client_for(staff).post(deal_url(accepted_deal, "mark-paid/"))

    assert response.status_code == 200, response.data
    assert response.data["status"] == "licensed"
    assert response.data["paid_at"] is not None
    claims = RightsClaim.objects.filter(deal=accepted_deal)
    assert list(claims.values_list("kind", "active", "expires_at")) == [("grant", True, None)]
    assert AuditEntry.objects.get(action="deal.pay").actor == staff


def test_an_open_deal_cannot_be_marked_paid(client_for, make_deal, staff):
    deal = make_deal()
    before = snapshot(deal)

    response = client_for(staff).post(deal_url(deal, "mark-paid/"))

    assert response.status_code == 409
    assert snapshot(deal) == before
    assert DealStatus(deal.status) == DealStatus.REQUESTED
