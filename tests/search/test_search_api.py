"""GET /api/v1/search/ and POST /api/v1/search/recommend/: shape, exact filters, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from licensing import services as licensing_services
from tests import factories
from tests.search.conftest import HORROR_EN, MUDEUNG_KO, TEA_EN

pytestmark = pytest.mark.django_db
URL = "/api/v1/search/"


@pytest.fixture
def catalog(publish):
    return {
        "tea": publish(title="Boseong Green Tea Terraces", description=TEA_EN, ip_type="video",
                       region="KR-46", tags=["tea", "documentary"], asset_formats=["4k_video"],
                       license_offers=[factories.offer(media=["streaming"], territory=["WW"],
                                                       price_krw=8_000_000)]),
        "horror": publish(title="The Shaman of the Cursed Hanok", description=HORROR_EN,
                          ip_type="game", region="KR-29", tags=["horror", "shaman"],
                          license_offers=[factories.offer(media=["game"], territory=["KR"],
                                                          price_krw=2_000_000)]),
        "mudeung": publish(title="무등산 사계 실감 배경 영상", description=MUDEUNG_KO,
                           language="ko", ip_type="video", region="KR-29",
                           tags=["무등산", "LED 월"], asset_formats=["led_plate"],
                           license_offers=[factories.offer(media=["immersive"],
                                                           territory=["KR"],
                                                           price_krw=5_000_000)]),
    }


@pytest.fixture
def mudeung_held(catalog, producer):
    """Exclusive immersive rights in KR on the Mudeungsan footage, accepted (a hold) for a
    year from 30 days on: (start, end)."""
    start = timezone.localdate() + dt.timedelta(days=30)
    end = start + dt.timedelta(days=365)
    deal = licensing_services.deal_request(
        producer=producer, listing=catalog["mudeung"], production="An LED wall drama",
        terms={"media": ["immersive"], "territories": ["KR"], "start_date": start,
               "end_date": end, "exclusive": True, "fee_krw": 5_000_000, "royalty_pct": None})
    licensing_services.deal_accept(actor=catalog["mudeung"].owner, deal=deal)
    return start, end


def test_anonymous_search_answers_best_first_with_reasons(anonymous_client, catalog):
    response = anonymous_client.get(URL, {"q": "horror game with a shaman and ghosts"})
    assert response.status_code == 200
    body = response.json()
    first = body["results"][0]
    assert first["id"] == catalog["horror"].pk
    assert set(first) >= {"id", "external_id", "title", "ip_type", "region", "score", "reasons"}
    assert first["external_id"] == catalog["horror"].external_id
    assert any(r.startswith("matched: ") and "shaman" in r for r in first["reasons"])
    assert "region: Gwangju (KR-29)" in first["reasons"]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert body["count"] == len(body["results"])
    assert body["facets"]["ip_type"]["game"] >= 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ip_type": "video"}, {"tea", "mudeung"}),
        ({"region": "KR-29"}, {"horror", "mudeung"}),
        ({"region": "KR-46", "ip_type": "game"}, set()),
        ({"language": "ko"}, {"mudeung"}),
        ({"asset_format": "led_plate"}, {"mudeung"}),
        ({"medium": "streaming"}, {"tea"}),
        ({"territory": "JP"}, {"tea"}),  # only a worldwide offer covers Japan
        ({"max_price_krw": 3_000_000}, {"horror"}),
        ({"min_price_krw": 4_000_000, "max_price_krw": 6_000_000}, {"mudeung"}),
    ],
)
def test_filters_are_exact(anonymous_client, catalog, params, expected):
    # a query that every listing matches somewhat, so only the filter decides
    query = "tea horror 무등산 video game documentary"
    response = anonymous_client.get(URL, {"q": query, "limit": 50, **params})
    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {catalog[k].pk for k in expected}


def test_pagination_by_offset(anonymous_client, catalog):
    query = {"q": "tea horror 무등산 video game documentary"}
    everything = anonymous_client.get(URL, {**query, "limit": 50}).json()
    first = anonymous_client.get(URL, {**query, "limit": 1}).json()
    second = anonymous_client.get(URL, {**query, "limit": 1, "offset": 1}).json()
    assert [r["id"] for r in first["results"] + second["results"]] == [
        r["id"] for r in everything["results"][:2]]
    assert (first["next_offset"], first["previous_offset"]) == (1, None)
    assert second["previous_offset"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({}, "q"),
        ({"q": "x" * 501}, "q"),
        ({"q": "tea", "limit": 0}, "limit"),
        ({"q": "tea", "limit": "many"}, "limit"),
        ({"q": "tea", "region": "KR-99"}, "region"),
        ({"q": "tea", "ip_type": "novel"}, "ip_type"),
        ({"q": "tea", "territory": "XX"}, "territory"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(anonymous_client, catalog, params, field):
    response = anonymous_client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]
    assert body["message"]


def test_search_before_any_index_is_a_503_not_a_500(anonymous_client, db):
    response = anonymous_client.get(URL, {"q": "tea"})
    assert response.status_code == 503
    assert response.json()["code"] == "search_unavailable"


def test_similar_lists_other_published_listings(anonymous_client, catalog, indexed):
    with indexed():
        draft = factories.make_listing(title="Draft Tea", description=TEA_EN)
    response = anonymous_client.get(f"/api/v1/listings/{catalog['tea'].pk}/similar/")
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()["results"]]
    assert catalog["tea"].pk not in ids
    assert draft.pk not in ids
    assert set(ids) == {catalog["horror"].pk, catalog["mudeung"].pk}
    # a draft is not visible to strangers: 404
    assert anonymous_client.get(f"/api/v1/listings/{draft.pk}/similar/").status_code == 404


def test_recommend_prefers_regions_and_fitting_offers(anonymous_client, catalog):
    brief = {"text": "background footage of mountains and tea fields for an LED wall",
             "media": ["immersive"], "territory": "KR", "budget_krw": 6_000_000,
             "preferred_regions": ["KR-29"]}
    response = anonymous_client.post("/api/v1/search/recommend/", brief, format="json")
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["id"] == catalog["mudeung"].pk
    assert any(r.startswith("offer fits: immersive in KR") for r in first["reasons"])
    assert any(r.startswith("from a preferred region") for r in first["reasons"])


@pytest.mark.parametrize(
    ("brief", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "tea", "media": ["radio"]}, "media.0"),
        ({"text": "tea", "start": "2027-01-01"}, "end"),
        ({"text": "tea", "start": "2027-02-01", "end": "2027-01-01"}, "end"),
        ({"text": "tea", "preferred_regions": ["KR-99"]}, "preferred_regions"),
    ],
)
def test_recommend_refuses_a_bad_brief(anonymous_client, catalog, brief, field):
    response = anonymous_client.post("/api/v1/search/recommend/", brief, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_recommend_leaves_out_listings_whose_rights_are_taken_for_the_brief(
        anonymous_client, catalog, mudeung_held):
    # given exclusive immersive rights in KR on the Mudeungsan footage, accepted (a hold)
    start, end = mudeung_held
    brief = {"text": "mountain background footage for an LED wall", "media": ["immersive"],
             "territory": "KR", "start": start.isoformat(), "end": end.isoformat()}
    # when a brief asks for the same media, territory and period
    response = anonymous_client.post("/api/v1/search/recommend/", brief, format="json")
    # then that listing is not recommended; outside the period it is
    assert response.status_code == 200
    assert catalog["mudeung"].pk not in [r["id"] for r in response.json()["results"]]
    later = {**brief, "start": (end + dt.timedelta(days=1)).isoformat(),
             "end": (end + dt.timedelta(days=60)).isoformat()}
    response = anonymous_client.post("/api/v1/search/recommend/", later, format="json")
    assert response.json()["results"][0]["id"] == catalog["mudeung"].pk


def test_search_leaves_out_listings_whose_rights_are_taken_for_the_period(
        anonymous_client, catalog, mudeung_held):
    # given exclusive immersive rights in KR on the Mudeungsan footage, accepted (a hold)
    start, end = mudeung_held
    asked = {"q": "무등산 LED 배경", "medium": "immersive", "territory": "KR"}

    # when a search asks for that medium and territory within the held period
    during = anonymous_client.get(URL, {**asked, "available_from": start.isoformat(),
                                        "available_to": (start + dt.timedelta(days=10))
                                        .isoformat()})
    # and after it
    after = anonymous_client.get(URL, {**asked,
                                       "available_from": (end + dt.timedelta(days=1)).isoformat(),
                                       "available_to": (end + dt.timedelta(days=90)).isoformat()})

    # then the listing is left out only while its rights are held
    assert during.status_code == 200
    assert [r["id"] for r in during.json()["results"]] == []
    assert [r["id"] for r in after.json()["results"]] == [catalog["mudeung"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"available_from": "2027-01-01", "available_to": "2027-02-01", "territory": "KR"},
         "medium"),
        ({"available_from": "2027-01-01", "available_to": "2027-02-01", "medium": "game"},
         "territory"),
        ({"available_from": "2027-03-01", "available_to": "2027-02-01", "medium": "game",
          "territory": "KR"}, "available_to"),
        ({"available_from": "next week", "available_to": "2027-02-01", "medium": "game",
          "territory": "KR"}, "available_from"),
    ],
)
def test_a_bad_availability_filter_is_a_400_naming_the_field(anonymous_client, catalog, params,
                                                             field):
    response = anonymous_client.get(URL, {"q": "tea", **params})

    assert response.status_code == 400
    assert field in response.json()["fields"]
