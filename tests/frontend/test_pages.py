"""Every page renders for the right persona in Korean and English; the others get
the friendly 403/404 page; the layout carries the CSP, the language switcher and
no address outside the site."""

import re
from pathlib import Path

import pytest

from listings.models import ListingStatus
from tests import factories

pytestmark = pytest.mark.django_db

STATIC_DIR = Path(__file__).resolve().parents[2] / "frontend" / "static" / "frontend"


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def pages(published_listing, draft_listing, submitted_listing):
    """(url, persona, Korean text, English text) for every page of this slice."""
    return [
        ("/", None, "지역별 둘러보기", "Browse by region"),
        ("/browse/", None, "필터 적용", "Apply filters"),
        (f"/ip/{published_listing.pk}/", None, "제공 라이선스", "Licences offered"),
        ("/accounts/sign-up/", None, "계정 만들기", "Create your account"),
        ("/accounts/sign-in/", None, "비밀번호를 잊으셨나요?", "Forgot your password?"),
        ("/accounts/password-reset/", None, "링크 보내기", "Send the link"),
        ("/accounts/profile/", "owner", "내 프로필", "Your profile"),
        ("/creator/", "owner", "내 등록물", "My listings"),
        ("/creator/listings/new/", "owner", "초안 저장", "Save draft"),
        (f"/creator/listings/{draft_listing.pk}/", "owner", "파일 추가", "Add a file"),
        (f"/creator/listings/{draft_listing.pk}/history/", "owner", "이력", "History of"),
        ("/moderation/", "moderator", "심사 대기열", "Review queue"),
        (f"/moderation/listings/{submitted_listing.pk}/", "moderator", "감사 기록", "Audit trail"),
    ]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_page_renders_in_each_language(page_client, people, pages, language):
    for url, persona, korean, english in pages:
        response = page_client(people[persona] if persona else None, language).get(url)

        assert response.status_code == 200, url
        html = _html(response)
        assert f'<html lang="{language}">' in html
        if language == "ko":
            assert korean in html, url
            assert "콘텐츠 IP 거래소" in html
        else:
            assert english in html, url
            assert korean not in html, url


def test_the_header_has_a_language_switcher_that_posts_to_set_language(page_client):
    html = _html(page_client().get("/"))

    assert '<form class="language-switcher" method="post" action="/i18n/setlang/">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert re.search(r'<option value="en" lang="en"\s*>English</option>', html)


def test_switching_language_sets_the_cookie_and_returns(page_client):
    client = page_client()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/browse/"})

    assert response.status_code == 302
    assert response["Location"] == "/browse/"
    assert "Apply filters" in _html(client.get("/browse/"))


def test_every_page_sends_a_content_security_policy(page_client):
    response = page_client().get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy  # no JavaScript eval
    assert "img-src 'self' data: blob:" in policy
    assert "media-src 'self' data: blob:" in policy
    assert "unsafe-inline" not in policy


def test_pages_have_no_inline_script_and_no_outside_address(page_client, people, pages):
    for url, persona, _, _ in pages:
        html = _html(page_client(people[persona] if persona else None).get(url))

        assert re.findall(r"https?://(?!testserver)[^\s\"'<>]+", html) == [], url
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], url
        assert "style=" not in html, url


def test_our_own_css_and_js_name_no_outside_address():
    own = [p for p in STATIC_DIR.rglob("*") if p.suffix in {".css", ".js"}
           and "vendor" not in p.parts]

    assert {p.name for p in own} >= {"site.css", "site.js"}
    for path in own:
        assert re.findall(r"https?://", path.read_text()) == [], path


def test_vendored_libraries_fetch_nothing_from_outside():
    """htmx names no address; model-viewer's only fetchable ones are its optional
    decoder locations, which the policy's connect-src 'self' blocks."""
    htmx = (STATIC_DIR / "vendor" / "htmx.min.js").read_text()
    model_viewer = (STATIC_DIR / "vendor" / "model-viewer.min.js").read_text()
    fetchable = {"https://www.gstatic.com/draco/versioned/decoders/1.5.6/",
                 "https://www.gstatic.com/basis-universal/versioned/2021-04-15-ba1c3e4/"}

    assert re.findall(r"https?://", htmx) == []
    found = set(re.findall(r"https://www\.gstatic\.com/[^\"'`]+", model_viewer))
    assert found == fetchable


@pytest.mark.parametrize("language, heading", [("ko", "페이지를 찾을 수 없습니다"),
                                               ("en", "We could not find this page")])
def test_a_listing_one_may_not_see_is_the_friendly_404(page_client, people, draft_listing,
                                                       language, heading):
    for persona in (None, "other_creator", "producer"):
        client = page_client(people[persona] if persona else None, language)
        for url in (f"/ip/{draft_listing.pk}/", f"/creator/listings/{draft_listing.pk}/"):
            response = client.get(url)
            if url.startswith("/creator/") and persona != "other_creator":
                continue  # not a creator: sign-in or 403 first (tested below)
            assert response.status_code == 404, (persona, url)
            assert heading in _html(response)


@pytest.mark.parametrize("language, heading", [("ko", "이 작업을 할 권한이 없습니다"),
                                               ("en", "You may not do this")])
def test_pages_of_another_role_are_the_friendly_403(page_client, people, language, heading):
    for persona, url in (("producer", "/creator/"), ("owner", "/moderation/"),
                         ("producer", "/creator/listings/new/")):
        response = page_client(people[persona], language).get(url)

        assert response.status_code == 403
        assert heading in _html(response)
        assert "Traceback" not in _html(response)


def test_anonymous_visitors_are_sent_to_sign_in(page_client):
    response = page_client().get("/creator/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/creator/"


def test_the_listing_page_shows_offers_in_the_readers_language(page_client, owner):
    listing = factories.make_listing(
        owner=owner, status=ListingStatus.PUBLISHED,
        license_offers=[factories.offer(media=["immersive"], territory=["KR", "WW"],
                                        term_months=24, price_krw=1_200_000,
                                        royalty_pct="5.5")],
    )

    korean = _html(page_client(language="ko").get(f"/ip/{listing.pk}/"))
    english = _html(page_client(language="en").get(f"/ip/{listing.pk}/"))

    for text in ("₩1,200,000", "실감형(VR/AR/XR, 버추얼 프로덕션)", "대한민국", "전 세계", "24개월",
                 "5.5%", "광주광역시"):
        assert text in korean
    for text in ("₩1,200,000", "Immersive (VR/AR/XR, virtual production)", "Korea, Republic of",
                 "Worldwide", "24 months", "Gwangju"):
        assert text in english


def test_browse_filters_by_type_and_region_and_refuses_bad_codes_in_place(page_client, owner):
    webtoon = factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED,
                                     title="Lantern Webtoon", ip_type="webtoon")
    music = factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED,
                                   title="Harbour Songs", ip_type="music", region="KR-26")
    client = page_client(language="en")

    by_type = _html(client.get("/browse/?ip_type=music"))
    by_region = _html(client.get("/browse/?region=KR-29"))
    refused = client.get("/browse/?region=XX-99")

    assert music.title in by_type and webtoon.title not in by_type
    assert webtoon.title in by_region and music.title not in by_region
    assert refused.status_code == 200
    assert "unknown region code" in _html(refused)


def test_browse_pages_through_results(page_client, owner):
    for n in range(13):
        factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED, title=f"Work {n:02d}")
    client = page_client(language="en")

    first = _html(client.get("/browse/?ordering=title"))
    second = _html(client.get("/browse/?ordering=title&page=2"))

    assert "13 listings found" in first and "Page 1 of 2" in first
    assert "Work 11" in first and "Work 12" not in first
    assert "Work 12" in second and 'href="?ordering=title&amp;page=1"' in second


def test_browse_without_any_filter_lists_every_published_listing(page_client, owner):
    published = factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED,
                                       title="Lantern Webtoon")
    draft = factories.make_listing(owner=owner, title="Unfinished Draft")

    page = _html(page_client(language="en").get("/browse/"))

    assert "1 listing found" in page
    assert published.title in page and draft.title not in page
