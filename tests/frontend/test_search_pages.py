"""Search on the pages: ranked results with reasons on browse, the rights checker and similar
IP on a listing, and what a reader sees while the search index is not built."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone

from licensing import services as licensing_services
from listings.models import ListingStatus
from tests import factories
from tests.search.conftest import (  # noqa: F401 (fixtures)
    HORROR_EN,
    MUDEUNG_KO,
    TEA_EN,
    _tasks_run_in_process,
    indexed,
    publish,
)

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def catalog(publish):  # noqa: F811
    return {
        "tea": publish(
            title="Boseong Green Tea Terraces",
            description=TEA_EN,
            ip_type="video",
            region="KR-46",
            tags=["tea", "documentary"],
            license_offers=[
                factories.offer(media=["streaming"], territory=["WW"], price_krw=8_000_000)
            ],
        ),
        "horror": publish(
            title="The Shaman of the Cursed Hanok",
            description=HORROR_EN,
            ip_type="game",
            region="KR-29",
            tags=["horror", "shaman"],
            license_offers=[factories.offer(media=["game"], territory=["KR"], price_krw=2_000_000)],
        ),
        "mudeung": publish(
            title="무등산 사계 실감 배경 영상",
            description=MUDEUNG_KO,
            language="ko",
            ip_type="video",
            region="KR-29",
            tags=["무등산", "LED 월"],
            license_offers=[
                factories.offer(media=["immersive"], territory=["KR"], price_krw=5_000_000)
            ],
        ),
    }


def _hold(catalog, producer, start: dt.date, end: dt.date):
    """Exclusive immersive rights in KR on the Mudeungsan footage, accepted (a hold)."""
    deal = licensing_services.deal_request(
        producer=producer,
        listing=catalog["mudeung"],
        production="An LED wall drama",
        terms={
            "media": ["immersive"],
            "territories": ["KR"],
            "start_date": start,
            "end_date": end,
            "exclusive": True,
            "fee_krw": 5_000_000,
            "royalty_pct": None,
        },
    )
    licensing_services.deal_accept(actor=catalog["mudeung"].owner, deal=deal)


def _first_hit(page: str) -> str:
    return page.split('<li class="hit">', 2)[1]


def test_a_korean_query_ranks_the_listing_first_with_its_reasons_in_korean(page_client, catalog):
    # when a Korean reader searches in Korean
    page = _html(page_client(language="ko").get("/browse/", {"q": "무등산 억새 배경 영상"}))

    # then the Mudeungsan footage comes first, its reasons under the title, in Korean
    first = _first_hit(page)
    assert catalog["mudeung"].title in first
    assert f'href="/ip/{catalog["mudeung"].pk}/"' in first
    assert "일치하는 단어: " in first
    assert "무등산" in first.split("일치하는 단어: ")[1]
    assert "지역: 광주광역시 (KR-29)" in first
    assert "matched: " not in page


def test_the_same_query_in_english_says_its_reasons_in_english(page_client, catalog):
    page = _html(page_client(language="en").get("/browse/", {"q": "무등산 억새 배경 영상"}))

    first = _first_hit(page)
    assert catalog["mudeung"].title in first
    assert "matched: " in first
    assert "region: Gwangju (KR-29)" in first


def test_search_shows_facets_over_every_candidate(page_client, catalog):
    page = _html(
        page_client(language="en").get(
            "/browse/", {"q": "tea horror 무등산 video game documentary"}
        )
    )

    assert "Video (2)" in page
    assert "Game (1)" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ip_type": "video"}, {"tea", "mudeung"}),
        ({"region": "KR-29"}, {"horror", "mudeung"}),
        ({"language": "ko"}, {"mudeung"}),
        ({"medium": "streaming"}, {"tea"}),
        ({"max_price_krw": 3_000_000}, {"horror"}),
    ],
)
def test_the_browse_filters_apply_to_search(page_client, catalog, params, expected):
    page = _html(
        page_client().get("/browse/", {"q": "tea horror 무등산 video game documentary", **params})
    )

    shown = {key for key, listing in catalog.items() if f'href="/ip/{listing.pk}/"' in page}
    assert shown == expected


def test_search_leaves_out_listings_whose_rights_are_held_for_the_period(
    page_client, catalog, producer
):
    start = timezone.localdate() + dt.timedelta(days=30)
    end = start + dt.timedelta(days=365)
    _hold(catalog, producer, start, end)
    asked = {"q": "무등산 LED 배경", "medium": "immersive", "territory": "KR"}
    client = page_client()

    during = _html(
        client.get(
            "/browse/",
            {**asked, "available_from": start.isoformat(), "available_to": start.isoformat()},
        )
    )
    after = _html(
        client.get(
            "/browse/",
            {
                **asked,
                "available_from": (end + dt.timedelta(days=1)).isoformat(),
                "available_to": (end + dt.timedelta(days=30)).isoformat(),
            },
        )
    )

    mudeung = f'href="/ip/{catalog["mudeung"].pk}/"'
    assert mudeung not in during
    assert mudeung in after


def test_search_pages_by_offset(page_client, catalog, monkeypatch):
    from frontend.views import search_pages

    monkeypatch.setattr(search_pages, "PAGE_SIZE", 1)
    client = page_client(language="en")
    query = {"q": "tea horror 무등산 video game documentary"}

    first = _html(client.get("/browse/", query))
    second = _html(client.get("/browse/", {**query, "offset": 1}))

    assert first.count('<li class="hit">') == 1
    assert "offset=1" in first
    assert _first_hit(first) != _first_hit(second)
    assert "offset=0" in second


def test_without_words_browse_stays_exact(page_client, catalog):
    page = _html(page_client(language="en").get("/browse/", {"ip_type": "game"}))

    assert '<li class="hit">' not in page
    assert catalog["horror"].title in page
    assert catalog["tea"].title not in page


@pytest.mark.parametrize(
    ("language", "notice"),
    [
        ("ko", "의미 기반 검색을 준비하고 있습니다"),
        ("en", "Meaning-based search is getting ready"),
    ],
)
def test_a_missing_index_shows_a_notice_and_the_exact_browse(page_client, language, notice):
    # given a published listing and no search index built yet (its on-commit task never ran)
    listing = factories.make_listing(
        title="Boseong Green Tea Terraces", status=ListingStatus.PUBLISHED
    )

    page = _html(page_client(language=language).get("/browse/", {"q": "Boseong"}))
    detail = _html(page_client(language=language).get(f"/ip/{listing.pk}/"))

    assert notice in page
    assert f'href="/ip/{listing.pk}/"' in page
    assert 'id="similar-heading"' not in detail


def test_the_listing_page_shows_similar_ip_and_the_checker(page_client, catalog):
    page = _html(page_client(language="en").get(f"/ip/{catalog['tea'].pk}/"))

    assert "Similar IP" in page
    similar = page.split('id="similar-heading"')[1]
    assert f'href="/ip/{catalog["mudeung"].pk}/"' in similar
    assert f'href="/ip/{catalog["tea"].pk}/"' not in similar
    assert f'hx-get="/ip/{catalog["tea"].pk}/availability/"' in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    ("language", "free", "blocked", "why"),
    [
        (
            "ko",
            "이 조건으로 이용할 수 있습니다.",
            "이 조건으로는 이용할 수 없습니다.",
            "결제 대기 중인 독점 보류",
        ),
        (
            "en",
            "Available for these terms.",
            "Not available for these terms.",
            "an exclusive hold awaiting payment",
        ),
    ],
)
def test_the_availability_fragment_says_available_then_what_blocks(
    page_client, catalog, producer, language, free, blocked, why
):
    start = timezone.localdate() + dt.timedelta(days=30)
    end = start + dt.timedelta(days=365)
    url = f"/ip/{catalog['mudeung'].pk}/availability/"
    asked = {
        "medium": "immersive",
        "territory": "KR",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=10)).isoformat(),
        "exclusive": "true",
    }
    client = page_client(language=language)

    before = _html(client.get(url, asked, HTTP_HX_REQUEST="true"))
    _hold(catalog, producer, start, end)
    during = _html(client.get(url, asked, HTTP_HX_REQUEST="true"))

    assert free in before
    assert "<html" not in before
    assert blocked in during
    assert why in during


def test_the_availability_fragment_names_bad_input(page_client, catalog):
    url = f"/ip/{catalog['mudeung'].pk}/availability/"
    response = page_client(language="en").get(
        url, {"medium": "immersive", "territory": "KR", "start": "2027-03-01", "end": "2027-02-01"}
    )

    page = _html(response)
    assert "must be on or after start_date" in page
    assert "<html" in page  # sent without htmx: a whole page
