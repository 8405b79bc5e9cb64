"""Near-duplicate alerts: a submitted copy of another owner's listing is flagged for review."""

from __future__ import annotations

import pytest

from listings import services as listing_services
from search.models import AlertStatus, DuplicateAlert
from tests import factories
from tests.search.conftest import HORROR_EN, MUDEUNG_KO, TEA_EN

pytestmark = pytest.mark.django_db

MUDEUNG_EN = (
    "Immersive background footage of the columnar joint cliffs and silver grass ridges of "
    "Mudeungsan, filmed through all four seasons. The stone pillars of Seoseokdae and "
    "Ipseokdae, autumn silver grass, winter rime ice and a sunrise over a sea of clouds were "
    "captured in 8K, colour graded and loop edited, ready for LED wall virtual production and "
    "VR exhibitions. Views of the mountain from downtown Gwangju and drone aerial shots of the "
    "summit are included, so it also suits documentaries and tourism promotion."
)


@pytest.fixture
def originals(publish, owner):
    return {
        "mudeung": publish(owner=owner, title="무등산 사계 실감 배경 영상",
                           description=MUDEUNG_KO, language="ko", ip_type="video"),
        "horror": publish(owner=owner, title="The Shaman of the Cursed Hanok",
                          description=HORROR_EN, ip_type="game"),
        "tea": publish(owner=owner, title="Boseong Green Tea Terraces", description=TEA_EN),
    }


def _submit(indexed, owner, **fields):
    listing = factories.make_listing(owner=owner, **fields)
    with indexed():
        listing_services.listing_submit(actor=owner, listing=listing)
    return listing


def test_a_lightly_edited_copy_by_another_owner_is_flagged(originals, other_creator, indexed):
    edited = HORROR_EN.replace("before dawn", "before sunrise").replace("webtoon", "comic")
    copy = _submit(indexed, other_creator, title="Cursed Hanok: The Shaman", description=edited,
                   ip_type="game")
    alert = DuplicateAlert.objects.get(listing=copy)
    assert alert.similar_listing == originals["horror"]
    assert alert.status == AlertStatus.OPEN
    assert alert.similarity >= 0.65


def test_a_translated_copy_is_flagged(originals, other_creator, indexed):
    copy = _submit(indexed, other_creator, title="Mudeungsan Four Seasons Backgrounds",
                   description=MUDEUNG_EN, ip_type="video")
    assert list(DuplicateAlert.objects.filter(listing=copy)
                .values_list("similar_listing", flat=True)) == [originals["mudeung"].pk]


def test_an_own_listing_and_a_different_work_are_not_flagged(originals, owner, other_creator,
                                                              indexed):
    own = _submit(indexed, owner, title="The Shaman, director's cut", description=HORROR_EN)
    different = _submit(indexed, other_creator, title="Lantern Market Night")
    assert not DuplicateAlert.objects.filter(listing__in=[own, different]).exists()


def test_moderators_see_and_dismiss_alerts(originals, other_creator, indexed, client_for,
                                           moderator):
    copy = _submit(indexed, other_creator, title="Cursed Hanok: The Shaman",
                   description=HORROR_EN, ip_type="game")
    listed = client_for(moderator).get("/api/v1/search/duplicate-alerts/",
                                       {"listing": copy.pk, "status": "open"})
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["similar_listing"] == originals["horror"].pk
    dismissed = client_for(moderator).post(f"/api/v1/search/duplicate-alerts/{row['id']}/dismiss/")
    assert dismissed.json()["status"] == "dismissed"
    # creators do not see alerts
    assert client_for(other_creator).get("/api/v1/search/duplicate-alerts/").status_code == 403


def test_the_review_queue_and_the_review_show_open_alerts(originals, other_creator, indexed,
                                                          client_for, moderator):
    # given a copy of another owner's listing, submitted for review
    copy = _submit(indexed, other_creator, title="Cursed Hanok: The Shaman",
                   description=HORROR_EN, ip_type="game")
    moderating = client_for(moderator)

    # when the moderator opens the queue and the review
    queue = moderating.get("/api/v1/moderation/listings/").json()["results"]
    review = moderating.get(f"/api/v1/moderation/listings/{copy.pk}/").json()

    # then both name the original as a possible infringement
    [queued] = [row for row in queue if row["id"] == copy.pk]
    assert [a["similar_listing"] for a in queued["duplicate_alerts"]] == [originals["horror"].pk]
    assert [a["similar_listing"] for a in review["duplicate_alerts"]] == [originals["horror"].pk]
    assert review["duplicate_alerts"][0]["status"] == "open"
    # and a dismissed alert is no longer shown there
    alert = DuplicateAlert.objects.get(listing=copy)
    moderating.post(f"/api/v1/search/duplicate-alerts/{alert.pk}/dismiss/")
    review = moderating.get(f"/api/v1/moderation/listings/{copy.pk}/").json()
    assert review["duplicate_alerts"] == []
    # and creators cannot open the review
    assert client_for(other_creator).get(
        f"/api/v1/moderation/listings/{copy.pk}/").status_code == 403
