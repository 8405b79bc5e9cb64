"""The rights ledger: what conflicts, when it is checked, how holds lapse, and the
availability answer that producers and search see.

Personas: `owner` (creator), `producer` and `other_producer` (two licensees
competing for the same rights), `staff` (marks payments).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from exchange.errors import Conflict
from licensing import services
from licensing.models import Deal, DealStatus, RightsClaim
from licensing.selectors import available_listing_ids
from listings.models import ListingStatus
from tests import factories

from .conftest import days_ahead, sign_both

pytestmark = pytest.mark.django_db


def active_claims(listing):
    return sorted(RightsClaim.objects.filter(listing=listing, active=True)
                  .values_list("deal_id", "kind", "medium", "territory", "exclusive"))


# --- conflict rules ------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second", "conflicts"), [
    # exclusive vs anything overlapping
    ({"exclusive": True}, {"exclusive": False}, True),
    ({"exclusive": False}, {"exclusive": True}, True),
    ({"exclusive": True}, {"exclusive": True}, True),
    # two non-exclusive never conflict
    ({"exclusive": False}, {"exclusive": False}, False),
    # WW overlaps every country, both ways
    ({"territories": ["WW"]}, {"territories": ["JP"]}, True),
    ({"territories": ["JP"]}, {"territories": ["WW"]}, True),
    ({"territories": ["JP"]}, {"territories": ["KR"]}, False),
    # another medium is another right
    ({"media": ["game"]}, {"media": ["immersive"]}, False),
    # inclusive periods: sharing the last day overlaps, the next day does not
    ({"start_date": days_ahead(10), "end_date": days_ahead(20)},
     {"start_date": days_ahead(20), "end_date": days_ahead(30)}, True),
    ({"start_date": days_ahead(10), "end_date": days_ahead(20)},
     {"start_date": days_ahead(21), "end_date": days_ahead(30)}, False),
])
def test_conflict_rules_at_acceptance(make_deal, owner, producer, other_producer, first, second,
                                      conflicts):
    # Given two requests on the same listing, made before either is accepted
    a = make_deal(by=producer, **first)
    b = make_deal(by=other_producer, **second)
    services.deal_accept(actor=owner, deal=a)

    # When the creator accepts the second
    if conflicts:
        with pytest.raises(Conflict) as refused:
            services.deal_accept(actor=owner, deal=b)
        assert refused.value.code == "rights_unavailable"
        b.refresh_from_db()
        assert b.status == DealStatus.REQUESTED
        assert {c[0] for c in active_claims(a.listing)} == {a.pk}
    else:
        services.deal_accept(actor=owner, deal=b)
        assert {c[0] for c in active_claims(a.listing)} == {a.pk, b.pk}


def test_a_conflict_names_what_blocks_and_never_who(client_for, licensed_deal, other_producer,
                                                    listing):
    # Given exclusive immersive rights in KR licensed to the producer
    response = client_for(other_producer).post("/api/v1/deals/", {
        "listing": listing.pk, "production": "Game", "media": ["immersive", "game"],
        "territories": ["WW"], "start_date": days_ahead(100).isoformat(),
        "end_date": days_ahead(120).isoformat(), "exclusive": False, "fee_krw": 1_000_000,
    }, format="json")

    # The whole answer: the blocking right, no party, no deal
    blocked = (f"immersive in KR from {days_ahead(30).isoformat()} to "
               f"{days_ahead(394).isoformat()}: exclusive licence")
    assert response.status_code == 409
    assert response.data == {
        "code": "rights_unavailable",
        "message": f"These rights are not available: {blocked}",
        "fields": {"availability": [blocked]},
    }
    assert Deal.objects.count() == 1


def test_a_counter_into_taken_rights_is_refused(make_deal, owner, producer, other_producer):
    taken = make_deal(by=producer, territories=["JP"])
    services.deal_accept(actor=owner, deal=taken)
    open_deal = make_deal(by=other_producer, territories=["KR"])

    with pytest.raises(Conflict):
        services.deal_counter(actor=owner, deal=open_deal, changes={"territories": ["WW"]})
    open_deal.refresh_from_db()
    assert (open_deal.territories, open_deal.version) == (["KR"], 1)


# --- holds ---------------------------------------------------------------------------


def test_a_hold_past_its_expiry_no_longer_blocks_and_is_released_at_the_next_write(
    make_deal, owner, producer, other_producer
):
    first = make_deal(by=producer)
    second = make_deal(by=other_producer)
    services.deal_accept(actor=owner, deal=first)
    Deal.objects.filter(pk=first.pk).update(hold_expires_at=timezone.now() - dt.timedelta(1))
    RightsClaim.objects.filter(deal=first).update(expires_at=timezone.now() - dt.timedelta(1))

    services.deal_accept(actor=owner, deal=second)

    first.refresh_from_db()
    assert first.status == DealStatus.LAPSED
    assert [c[:2] for c in active_claims(first.listing)] == [(second.pk, "hold")]
    assert list(first.transitions.values_list("action", "actor")) == [
        ("request", producer.pk), ("accept", owner.pk), ("lapse", None)]


def test_hold_lasts_the_configured_hours(settings, make_deal, owner):
    settings.LICENSING_HOLD_HOURS = 5
    deal = make_deal()
    before = timezone.now()

    deal = services.deal_accept(actor=owner, deal=deal)

    claim = RightsClaim.objects.get(deal=deal)
    assert claim.expires_at == deal.hold_expires_at
    assert before + dt.timedelta(hours=5) <= deal.hold_expires_at \
        <= timezone.now() + dt.timedelta(hours=5)


def test_payment_after_the_hold_lapsed_grants_only_if_still_free(
    make_deal, owner, producer, other_producer, staff
):
    # Given a deal whose hold lapsed, and a competitor who took the rights since
    late = sign_both(services.deal_accept(actor=owner, deal=make_deal(by=producer)))
    services.deal_lapse(deal_id=late.pk, now=late.hold_expires_at + dt.timedelta(seconds=1))
    competitor = make_deal(by=other_producer, start_date=days_ahead(300),
                           end_date=days_ahead(400))
    competitor = services.deal_accept(actor=owner, deal=competitor)

    # When the late payment is marked, it is refused and nothing changes
    with pytest.raises(Conflict) as refused:
        services.deal_mark_paid(actor=staff, deal=late)
    assert refused.value.code == "rights_unavailable"
    late.refresh_from_db()
    assert late.status == DealStatus.LAPSED
    assert [c[:2] for c in active_claims(late.listing)] == [(competitor.pk, "hold")]

    # When the competitor's hold is gone too, the late payment grants
    services.deal_lapse(deal_id=competitor.pk,
                        now=competitor.hold_expires_at + dt.timedelta(seconds=1))
    late = services.deal_mark_paid(actor=staff, deal=late)
    assert late.status == DealStatus.LICENSED
    assert [c[:2] for c in active_claims(late.listing)] == [(late.pk, "grant")]


# --- availability --------------------------------------------------------------------


def availability(client, listing, **params):
    query = {"media": "immersive", "territory": "KR", "start": days_ahead(50).isoformat(),
             "end": days_ahead(60).isoformat(), "exclusive": "false", **params}
    return client.get(f"/api/v1/listings/{listing.pk}/availability/", query)


def test_availability_answers_and_explains(anonymous_client, licensed_deal, listing):
    free = availability(anonymous_client, listing, territory="JP")
    taken = availability(anonymous_client, listing, media="immersive,game", territory="WW",
                         exclusive="true")

    assert free.status_code == 200
    assert free.data["available"] is True
    assert free.data["blocked_by"] == []
    assert taken.data["available"] is False
    assert taken.data["media"] == ["game", "immersive"]
    assert taken.data["blocked_by"] == [{
        "medium": "immersive", "territory": "KR", "start_date": days_ahead(30).isoformat(),
        "end_date": days_ahead(394).isoformat(), "exclusive": True, "kind": "grant",
        "reason": (f"immersive in KR from {days_ahead(30).isoformat()} to "
                   f"{days_ahead(394).isoformat()}: exclusive licence"),
    }]


@pytest.mark.parametrize(("params", "field", "reason"), [
    ({"territory": "ZZ"}, "territories",
     "unknown territory 'ZZ'; use an ISO 3166-1 alpha-2 code or WW"),
    ({"end": days_ahead(1).isoformat()}, "end_date", "must be on or after start_date"),
    ({"media": "cinema"}, "media",
     "unknown medium 'cinema'; use one of immersive, film_tv, streaming, game, publishing, "
     "merchandise, advertising, exhibition, performance, education"),
    ({"start": "tomorrow"}, "start", "Date has wrong format. Use one of these formats instead: "
     "YYYY-MM-DD."),
])
def test_availability_bad_query_is_a_400(anonymous_client, listing, params, field, reason):
    response = availability(anonymous_client, listing, **params)

    assert response.status_code == 400
    assert response.data["fields"] == {field: [reason]}


def test_availability_of_an_unpublished_listing_is_a_404(anonymous_client, owner):
    draft = factories.make_listing(owner=owner, status=ListingStatus.DRAFT)

    assert availability(anonymous_client, draft).status_code == 404


def test_available_listing_ids_filters_for_search(licensed_deal, listing, owner):
    other = factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED)
    ids = [other.pk, listing.pk]

    assert available_listing_ids(ids, "immersive", "KR", days_ahead(40), days_ahead(50),
                                 False) == [other.pk]
    assert available_listing_ids(ids, ["game"], "WW", days_ahead(40), days_ahead(50),
                                 True) == [other.pk, listing.pk]
    assert available_listing_ids(ids, "immersive", "KR", days_ahead(400), days_ahead(500),
                                 True) == [other.pk, listing.pk]
