"""Korean and cross-lingual search on small fixtures, through the real pipeline."""

from __future__ import annotations

import pytest

from search.selectors import search
from tests.search.conftest import HORROR_EN, MUDEUNG_KO, TEA_EN

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(publish):
    return {
        "mudeung": publish(title="무등산 사계 실감 배경 영상", description=MUDEUNG_KO,
                           language="ko", ip_type="video", tags=["무등산", "LED 월"]),
        "tea": publish(title="Boseong Green Tea Terraces", description=TEA_EN, ip_type="video",
                       region="KR-46"),
        "horror": publish(title="The Shaman of the Cursed Hanok", description=HORROR_EN,
                          ip_type="game"),
    }


def test_a_korean_query_finds_the_korean_listing_despite_particles(catalog):
    page = search(text="무등산의 억새와 주상절리를 담은 영상")
    assert page.results[0]["id"] == catalog["mudeung"].pk
    assert any("무등산" in r for r in page.results[0]["reasons"])


def test_an_english_query_reaches_a_korean_listing_through_the_bridge(catalog):
    page = search(text="Mudeungsan mountain footage for a virtual production LED wall")
    assert page.results[0]["id"] == catalog["mudeung"].pk
    assert any(r.startswith("matched the listing's translated words") or r.startswith("bridged")
               for r in page.results[0]["reasons"])


def test_a_korean_query_reaches_an_english_listing_through_the_bridge(catalog):
    page = search(text="보성 녹차 다큐멘터리")
    assert page.results[0]["id"] == catalog["tea"].pk
    assert any(r.startswith("bridged: ") for r in page.results[0]["reasons"])


def test_a_paraphrase_without_shared_words_is_found_by_meaning(catalog):
    page = search(text="spooky exorcist adventure")
    assert page.results[0]["id"] == catalog["horror"].pk
    assert any(r.startswith("close in meaning") for r in page.results[0]["reasons"])
