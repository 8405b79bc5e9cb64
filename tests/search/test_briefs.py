"""Saved production briefs: services, /api/v1/briefs/ and fresh recommendations."""

from __future__ import annotations

import datetime as dt

import pytest

from exchange.errors import Conflict, Forbidden
from search import briefs
from search.inputs import SavedBriefInput
from search.models import SavedBrief
from tests import factories
from tests.search.conftest import MUDEUNG_KO, TEA_EN

pytestmark = pytest.mark.django_db
URL = "/api/v1/briefs/"

BRIEF = {
    "title": "LED wall drama backgrounds",
    "text": "background footage of mountains for an LED wall drama",
    "media": ["immersive"],
    "territory": "kr",
    "start": "2027-01-01",
    "end": "2027-12-31",
    "budget_krw": 6_000_000,
    "preferred_regions": ["KR-29"],
}


def valid(data: dict) -> dict:
    checked = SavedBriefInput(data=data)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


@pytest.fixture
def catalog(publish):
    return {
        "tea": publish(title="Boseong Green Tea Terraces", description=TEA_EN, ip_type="video",
                       region="KR-46", tags=["tea", "documentary"],
                       license_offers=[factories.offer(media=["streaming"], territory=["WW"],
                                                       price_krw=8_000_000)]),
        "mudeung": publish(title="무등산 사계 실감 배경 영상", description=MUDEUNG_KO,
                           language="ko", ip_type="video", region="KR-29",
                           tags=["무등산", "LED 월"], asset_formats=["led_plate"],
                           license_offers=[factories.offer(media=["immersive"],
                                                           territory=["KR"],
                                                           price_krw=5_000_000)]),
    }


# --- services -------------------------------------------------------------------------


def test_a_producer_saves_a_brief_in_normal_form(producer):
    brief = briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    brief.refresh_from_db()
    assert brief.owner == producer
    assert (brief.title, brief.territory, brief.media) == (
        "LED wall drama backgrounds", "KR", ["immersive"])
    assert (brief.start, brief.end) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert (brief.budget_krw, brief.preferred_regions) == (6_000_000, ["KR-29"])
    assert (brief.ip_type, brief.exclusive) == ("", False)


def test_an_update_rewrites_the_whole_brief(producer):
    brief = briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    updated = briefs.saved_brief_update(actor=producer, brief=brief,
                                        data=valid({"title": "Tea", "text": "tea fields"}))
    assert (updated.title, updated.text, updated.media, updated.territory) == (
        "Tea", "tea fields", [], "")
    assert (updated.start, updated.end, updated.budget_krw) == (None, None, None)
    assert updated.updated_at >= brief.updated_at


def test_only_the_owner_changes_or_deletes_a_brief(producer, other_creator):
    brief = briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    with pytest.raises(Forbidden):
        briefs.saved_brief_update(actor=other_creator, brief=brief,
                                  data=valid({"title": "Mine now", "text": "x"}))
    with pytest.raises(Forbidden):
        briefs.saved_brief_delete(actor=other_creator, brief=brief)
    brief.refresh_from_db()
    assert brief.title == "LED wall drama backgrounds"
    briefs.saved_brief_delete(actor=producer, brief=brief)
    assert not SavedBrief.objects.filter(pk=brief.pk).exists()


def test_an_account_keeps_a_bounded_number_of_briefs(producer, monkeypatch):
    monkeypatch.setattr(briefs, "MAX_SAVED_BRIEFS", 2)
    for _ in range(2):
        briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    with pytest.raises(Conflict) as error:
        briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    assert error.value.code == "too_many_briefs"
    assert SavedBrief.objects.filter(owner=producer).count() == 2


def test_a_saved_brief_recommends_from_the_catalog_as_it_is_now(producer, catalog, indexed):
    brief = briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    first = briefs.saved_brief_recommend(brief=brief)
    assert first.results[0]["id"] == catalog["mudeung"].pk
    # when the listing is suspended after the brief was saved
    with indexed():
        from listings.services import listing_suspend

        listing_suspend(actor=factories.factory_moderator(), listing=catalog["mudeung"],
                        reason="Infringement report upheld.")
    # then running the brief again leaves it out
    again = briefs.saved_brief_recommend(brief=brief)
    assert catalog["mudeung"].pk not in [r["id"] for r in again.results]


# --- API ------------------------------------------------------------------------------


def test_create_list_read_update_delete_over_the_api(client_for, producer):
    client = client_for(producer)
    created = client.post(URL, BRIEF, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["territory"] == "KR" and body["title"] == BRIEF["title"]
    pk = body["id"]
    listed = client.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [pk]
    assert client.get(f"{URL}{pk}/").json()["text"] == BRIEF["text"]

    patched = client.patch(f"{URL}{pk}/", {"title": "Renamed"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["budget_krw"]) == ("Renamed", 6_000_000)

    put = client.put(f"{URL}{pk}/", {"title": "Whole", "text": "tea fields"}, format="json")
    assert put.status_code == 200
    assert (put.json()["media"], put.json()["start"]) == ([], None)

    assert client.delete(f"{URL}{pk}/").status_code == 204
    assert not SavedBrief.objects.filter(pk=pk).exists()


def test_recommendations_of_a_saved_brief(client_for, producer, catalog):
    brief = briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    response = client_for(producer).get(f"{URL}{brief.pk}/recommendations/", {"limit": 5})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["id"] == catalog["mudeung"].pk
    assert any(r.startswith("offer fits: immersive in KR") for r in first["reasons"])
    bad = client_for(producer).get(f"{URL}{brief.pk}/recommendations/", {"limit": 0})
    assert bad.status_code == 400 and "limit" in bad.json()["fields"]


def test_recommendations_before_any_index_are_a_503(client_for, producer):
    brief = briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    response = client_for(producer).get(f"{URL}{brief.pk}/recommendations/")
    assert response.status_code == 503
    assert response.json()["code"] == "search_unavailable"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"text": ""}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"media": ["radio"]}, "media.0"),
        ({"territory": "XX"}, "territory"),
        ({"start": "2027-01-01", "end": None}, "end"),
        ({"start": "2027-02-01", "end": "2027-01-01"}, "end"),
        ({"budget_krw": -1}, "budget_krw"),
        ({"preferred_regions": ["KR-99"]}, "preferred_regions"),
        ({"ip_type": "novel"}, "ip_type"),
        ({"owner": 1}, "owner"),
        ({"limit": 5}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(client_for, producer, change,
                                                                 field):
    response = client_for(producer).post(URL, {**BRIEF, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]
    assert not SavedBrief.objects.exists()


def test_a_bad_patch_names_the_field_and_changes_nothing(client_for, producer):
    brief = briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    response = client_for(producer).patch(f"{URL}{brief.pk}/", {"end": "2026-01-01"},
                                          format="json")
    assert response.status_code == 400
    assert "end" in response.json()["fields"]
    brief.refresh_from_db()
    assert brief.end == dt.date(2027, 12, 31)


def test_anonymous_may_not_keep_briefs(anonymous_client):
    assert anonymous_client.get(URL).status_code in (401, 403)
    assert anonymous_client.post(URL, BRIEF, format="json").status_code in (401, 403)
    assert not SavedBrief.objects.exists()


def test_another_users_brief_is_not_found_and_unchanged(client_for, producer, other_creator):
    brief = briefs.saved_brief_create(owner=producer, data=valid(BRIEF))
    stranger = client_for(other_creator)
    assert stranger.get(URL).json()["results"] == []
    for call in (
        lambda: stranger.get(f"{URL}{brief.pk}/"),
        lambda: stranger.patch(f"{URL}{brief.pk}/", {"title": "x"}, format="json"),
        lambda: stranger.delete(f"{URL}{brief.pk}/"),
        lambda: stranger.get(f"{URL}{brief.pk}/recommendations/"),
    ):
        assert call().status_code == 404
    brief.refresh_from_db()
    assert brief.title == BRIEF["title"]
