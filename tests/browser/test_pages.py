"""What every visitor meets in the browser: the language switcher, a form that says what is
wrong next to the field, and the door closed on someone else's dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from licensing.models import Deal, DealStatus
from licensing.services import deal_request
from listings.models import Listing, ListingStatus
from tests import factories
from tests.browser.browsing import field, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_language_switcher_turns_the_page_to_english_and_back(open_page):
    page = open_page("ko")
    page.goto("/browse/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("IP 둘러보기")

    field(page, "언어").select_option(label="English")  # sends itself (site.js)

    expect(page).to_have_url(re.compile(r"/browse/$"))  # the same page, now in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Browse IP")
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()
    screenshot(page, "20-browse-in-english")

    field(page, "Language").select_option(label="한국어")

    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("IP 둘러보기")
    expect(page.get_by_role("button", name="필터 적용")).to_be_visible()


def test_a_refused_listing_form_names_the_problem_next_to_its_field(open_page, owner):
    page = open_page("ko")
    sign_in(page, owner)
    page.goto("/creator/listings/new/")
    field(page, "제목").fill("빛고을 야시장 웹툰")
    field(page, "설명").fill(factories.DESCRIPTION)
    offer = page.get_by_role("group", name="라이선스 1", exact=True)
    offer.get_by_label("전시", exact=True).check()
    field(offer, "지역(국가)").fill("KR")
    field(offer, "기간(개월)").fill("12")
    field(offer, "가격(원)").fill("1000000")

    # when: the rights holder is left empty
    page.get_by_role("button", name="초안 저장").click()

    # then: the page says so at the top and next to that field, and keeps what was typed
    expect(page.get_by_role("alert")).to_have_text("아래 표시된 항목을 고쳐 주세요.")
    rights_holder = field(page, "권리자")
    expect(rights_holder).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field", has=rights_holder)).to_contain_text("필수 항목입니다.")
    expect(page.locator(".field", has=field(page, "제목"))).not_to_contain_text("필수")
    expect(field(page, "제목")).to_have_value("빛고을 야시장 웹툰")
    expect(field(offer, "지역(국가)")).to_have_value("KR")
    screenshot(page, "21-listing-form-error-in-place", focus=rights_holder)
    assert Listing.objects.filter(owner=owner).count() == 0


def test_a_stranger_is_refused_another_creators_listing_deal_and_dashboard(
    open_page, owner, other_creator, producer
):
    draft = factories.make_listing(owner=owner, title="주인만 보는 초안")
    published = factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED)
    deal = deal_request(producer=producer, listing=published, offer=published.offers.first(),
                        production="우리 회사의 VR 전시")
    before = (factories.listing_snapshot(draft), Deal.objects.filter(pk=deal.pk).values().get())

    stranger = open_page("ko")
    sign_in(stranger, other_creator)
    stranger.goto("/creator/")
    expect(stranger.get_by_role("heading", level=1)).to_have_text("내 등록물")
    expect(stranger.get_by_role("main")).not_to_contain_text("주인만 보는 초안")
    expect(stranger.get_by_role("main")).not_to_contain_text(published.title)
    for url in (f"/creator/listings/{draft.pk}/", f"/deals/{deal.pk}/"):
        response = stranger.goto(url)
        assert response.status == 404, url
        expect(stranger.get_by_role("heading", level=1)).to_have_text("페이지를 찾을 수 없습니다")
    screenshot(stranger, "22-stranger-refused-deal-404")

    not_a_creator = open_page("ko")
    sign_in(not_a_creator, producer)
    response = not_a_creator.goto("/creator/")
    assert response.status == 403
    expect(not_a_creator.get_by_role("heading", level=1)).to_have_text(
        "이 작업을 할 권한이 없습니다"
    )
    screenshot(not_a_creator, "23-producer-refused-creator-dashboard-403")

    after = (factories.listing_snapshot(draft), Deal.objects.filter(pk=deal.pk).values().get())
    assert after == before
    assert (draft.status, deal.status) == (ListingStatus.DRAFT, DealStatus.REQUESTED)


def test_the_keyboard_alone_reaches_the_content_and_shows_where_it_is(open_page):
    page = open_page("ko")
    page.goto("/")

    page.keyboard.press("Tab")  # the first stop: skip the header

    skip = page.get_by_role("link", name="본문으로 건너뛰기")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden until focused, then shown
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"  # the focus ring (:focus-visible)

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # from the content's start: the search box
    search = page.get_by_role("searchbox", name="IP 검색")
    expect(search).to_be_focused()
    page.keyboard.type("억새")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/browse/\?q=%EC%96%B5%EC%83%88"))


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_pages_fit_the_screen(open_page, owner):
    listing = factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED,
                                     title="무등산 억새 능선 3D 배경 세트")
    page = open_page("ko", viewport=PHONE)

    for path in ("/", "/browse/", f"/ip/{listing.pk}/", "/accounts/sign-in/"):
        page.goto(path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a phone"
        if path.startswith("/ip/"):
            screenshot(page, "24-listing-on-a-phone")
