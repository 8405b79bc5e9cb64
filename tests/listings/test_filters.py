"""Browsing published listings: exact filters, orderings and pages.

Every test builds the listings it needs and asserts the exact set (or order) of
ids returned; drafts, submitted, rejected, suspended and archived listings never
appear, whatever the filter.
"""

import pytest

from listings.models import ListingStatus
from tests.factories import make_creator, make_listing, offer

pytestmark = pytest.mark.django_db

S = ListingStatus
LIST = "/api/v1/listings/"


def published(**overrides):
    return make_listing(owner=make_creator(), status=S.PUBLISHED, **overrides)


def ids(client, query=""):
    response = client.get(f"{LIST}?{query}" if query else LIST)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def browse(client_for):
    return client_for(None)


@pytest.mark.parametrize(
    "status", [S.DRAFT, S.SUBMITTED, S.REJECTED, S.CHANGES_REQUESTED, S.SUSPENDED, S.ARCHIVED]
)
@pytest.mark.parametrize("persona", ["owner", "moderator", "anonymous"])
def test_only_published_listings_are_browsed(client_as, owner, status, persona):
    shown = make_listing(owner=owner, status=S.PUBLISHED, title="Shown")
    make_listing(owner=owner, status=status, title="Hidden")

    assert ids(client_as(persona)) == [shown.pk]
    assert ids(client_as(persona), "text=Hidden") == []


def test_the_list_row_is_a_summary(browse):
    listing = published(title="Lantern", region="KR-46")

    row = browse.get(LIST).json()["results"][0]

    assert row["id"] == listing.pk
    assert row["region_name"] == {"ko": "전라남도", "en": "Jeollanam-do"}
    assert row["owner"] == {"id": listing.owner_id, "display_name": "Creator"}
    assert "description" not in row and "media" not in row
    assert {"moderation_reason", "copyright_registration_number", "submitted_at"}.isdisjoint(row)


def test_ip_type_is_exact_and_repeatable(browse):
    webtoon = published(ip_type="webtoon")
    music = published(ip_type="music")
    published(ip_type="3d_asset")

    assert ids(browse, "ip_type=webtoon") == [webtoon.pk]
    assert set(ids(browse, "ip_type=webtoon&ip_type=music")) == {webtoon.pk, music.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=KR-51", {"gangwon"}),
        ("region=KR-42", {"gangwon"}),  # the old code finds the new one
        ("region=kr-45", {"jeonbuk"}),
        ("region=KR-29,KR-46", {"gwangju", "jeonnam"}),
        ("region=KR-11", set()),
    ],
)
def test_region_is_exact_and_accepts_old_codes(browse, query, expected):
    by_name = {
        "gangwon": published(region="KR-42"),  # stored as KR-51
        "jeonbuk": published(region="KR-52"),
        "gwangju": published(region="KR-29"),
        "jeonnam": published(region="KR-46"),
    }

    assert set(ids(browse, query)) == {by_name[n].pk for n in expected}


def test_language(browse):
    korean = published(language="ko")
    english = published(language="en")

    assert ids(browse, "language=ko") == [korean.pk]
    assert ids(browse, "language=en") == [english.pk]


def test_asset_format_matches_a_whole_item_only(browse):
    glb = published(asset_formats=["glb", "fbx"])
    published(asset_formats=["gltf"])  # "gltf" must not match "glb" or "gl"
    published(asset_formats=[])

    assert ids(browse, "asset_format=glb") == [glb.pk]
    assert ids(browse, "asset_format=obj") == []


def test_medium_looks_at_the_offers(browse):
    game = published(license_offers=[offer(media=["publishing"]), offer(media=["game"])])
    published(license_offers=[offer(media=["publishing", "film_tv"])])

    assert ids(browse, "medium=game") == [game.pk]


@pytest.mark.parametrize(
    ("territory", "expected"),
    [
        ("KR", {"worldwide", "korea"}),
        ("kr", {"worldwide", "korea"}),
        ("JP", {"worldwide", "japan"}),
        ("US", {"worldwide"}),
        ("WW", {"worldwide"}),
    ],
)
def test_a_worldwide_offer_covers_every_country_and_a_country_only_itself(
    browse, territory, expected
):
    by_name = {
        "worldwide": published(license_offers=[offer(territory=["WW"])]),
        "korea": published(license_offers=[offer(territory=["KR"])]),
        "japan": published(license_offers=[offer(territory=["JP", "TW"])]),
    }

    assert set(ids(browse, f"territory={territory}")) == {by_name[n].pk for n in expected}


def test_both_price_bounds_apply_to_the_same_offer(browse):
    # given a listing whose cheap offer is below the range and dear one above it
    straddling = published(license_offers=[offer(price_krw=1_000_000), offer(price_krw=9_000_000)])
    inside = published(license_offers=[offer(price_krw=5_000_000)])

    # then only a listing with one offer inside the range matches
    assert ids(browse, "min_price_krw=2000000&max_price_krw=8000000") == [inside.pk]
    assert set(ids(browse, "min_price_krw=2000000")) == {straddling.pk, inside.pk}
    assert set(ids(browse, "max_price_krw=2000000")) == {straddling.pk}
    assert set(ids(browse, "min_price_krw=5000000&max_price_krw=5000000")) == {inside.pk}
    assert ids(browse, "min_price_krw=9000001") == []


def test_exclusive_available(browse):
    exclusive = published(license_offers=[offer(), offer(exclusive=True)])
    non_exclusive = published(license_offers=[offer(exclusive=False)])

    assert ids(browse, "exclusive_available=true") == [exclusive.pk]
    assert ids(browse, "exclusive_available=1") == [exclusive.pk]
    assert set(ids(browse, "exclusive_available=false")) == {exclusive.pk, non_exclusive.pk}


def test_text_contains_in_title_summary_description_or_creator(browse):
    by_title = published(title="Mudeungsan Dawn")
    by_summary = published(summary="Dawn over the tea fields")
    by_creator = published(creator="Dawnlight Studio")
    korean = published(title="무등산 새벽", language="ko")
    published(title="Harbour Night")

    assert set(ids(browse, "text=dawn")) == {by_title.pk, by_summary.pk, by_creator.pk}
    assert ids(browse, "text=새벽") == [korean.pk]
    assert ids(browse, "text=spirits of the harbour") == []


def test_filters_combine(browse):
    match = published(
        ip_type="3d_asset",
        region="KR-46",
        asset_formats=["glb"],
        license_offers=[offer(media=["immersive"], territory=["WW"], price_krw=4_000_000)],
    )
    published(
        ip_type="3d_asset",
        region="KR-46",
        asset_formats=["fbx"],
        license_offers=[offer(media=["immersive"], territory=["WW"])],
    )
    published(
        ip_type="3d_asset",
        region="KR-29",
        asset_formats=["glb"],
        license_offers=[offer(media=["immersive"], territory=["WW"])],
    )

    query = (
        "ip_type=3d_asset&region=KR-46&asset_format=glb&medium=immersive&territory=JP"
        "&min_price_krw=1000000&max_price_krw=5000000"
    )
    assert ids(browse, query) == [match.pk]


def test_orderings(browse):
    cheap = published(title="Bamboo", license_offers=[offer(price_krw=1_000_000)])
    dear = published(
        title="Azalea", license_offers=[offer(price_krw=9_000_000), offer(price_krw=2_000_000)]
    )
    middle = published(title="Camellia", license_offers=[offer(price_krw=3_000_000)])

    assert ids(browse) == [middle.pk, dear.pk, cheap.pk]  # newest published first
    assert ids(browse, "ordering=newest") == [middle.pk, dear.pk, cheap.pk]
    assert ids(browse, "ordering=oldest") == [cheap.pk, dear.pk, middle.pk]
    assert ids(browse, "ordering=title") == [dear.pk, cheap.pk, middle.pk]
    # by each listing's cheapest offer: 1M, 2M, 3M
    assert ids(browse, "ordering=price_asc") == [cheap.pk, dear.pk, middle.pk]
    assert ids(browse, "ordering=price_desc") == [middle.pk, dear.pk, cheap.pk]


def test_pages_of_twenty(browse):
    owner = make_creator()
    listings = [make_listing(owner=owner, status=S.PUBLISHED) for _ in range(23)]
    newest_first = [listing.pk for listing in reversed(listings)]

    first = browse.get(LIST).json()
    second = browse.get(f"{LIST}?page=2").json()

    assert first["count"] == second["count"] == 23
    assert [row["id"] for row in first["results"]] == newest_first[:20]
    assert [row["id"] for row in second["results"]] == newest_first[20:]
    assert first["next"] == "http://testserver/api/v1/listings/?page=2"
    assert (first["previous"], second["next"]) == (None, None)


def test_a_page_past_the_end_is_not_found(browse):
    published()

    response = browse.get(f"{LIST}?page=2")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ip_type=novel", "ip_type"),
        ("ip_type=webtoon&ip_type=novel", "ip_type"),
        ("region=KR-99", "region"),
        ("region=KR-29,XX", "region"),
        ("language=fr", "language"),
        ("asset_format=mp4", "asset_format"),
        ("medium=radio", "medium"),
        ("territory=XX", "territory"),
        ("territory=KOR", "territory"),
        ("min_price_krw=-1", "min_price_krw"),
        ("max_price_krw=cheap", "max_price_krw"),
        ("exclusive_available=maybe", "exclusive_available"),
        ("ordering=random", "ordering"),
        ("text=" + "x" * 201, "text"),
    ],
)
def test_an_invalid_filter_value_is_a_400_naming_the_filter(browse, query, field):
    published()

    response = browse.get(f"{LIST}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]
    assert response.json()["fields"][field][0]


def test_offer_filters_together_describe_one_offer(browse):
    # given a listing offering games in Korea and film in Japan, but not games in Japan
    listing = published(
        license_offers=[
            offer(media=["game"], territory=["KR"]),
            offer(media=["film_tv"], territory=["JP"]),
        ]
    )

    # then only combinations one offer provides match
    assert ids(browse, "medium=game&territory=JP") == []
    assert ids(browse, "medium=film_tv&territory=KR") == []
    assert ids(browse, "medium=game&territory=KR") == [listing.pk]
    assert ids(browse, "medium=film_tv&territory=JP") == [listing.pk]
