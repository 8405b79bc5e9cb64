"""The exchange end to end, in Korean, as its people use it in a browser.

A Gwangju creator lists a 3D asset with a cover image and a GLB model and submits it; a
moderator approves it; a producer searches for it in Korean, finds it first, opens it and
checks that the rights are free for their production.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from listings.models import Listing, ListingStatus, MediaKind, MediaRole
from tests import factories
from tests.browser.browsing import field, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "무등산 억새 능선 3D 배경 세트"
SUMMARY = "LED 월과 VR 전시에 바로 쓰는 무등산 가을 능선 3D 배경"
# 52 words: the workflow asks for at least 40 before review.
DESCRIPTION = (
    "광주 무등산 서석대와 입석대 주변의 억새 능선을 사진 측량으로 재구성한 3D 배경 "
    "세트입니다. 가을 억새 들판, 주상절리 돌기둥, 정상부 바위와 운해를 각각 GLB 에셋으로 "
    "나누어 담았고 LED 월 버추얼 프로덕션, VR 전시, 실감형 게임 레벨에 바로 배치할 수 "
    "있도록 축척과 조명을 맞추었습니다. 텍스처는 4K 해상도이며 계절별 색 보정 프리셋과 "
    "드론 항공 사진 참고 자료를 함께 제공합니다. 지역 관광 홍보와 미디어아트 전시에도 "
    "활용할 수 있습니다."
)
QUERY = "광주 산 가을 억새 실감형 배경"
IMMERSIVE = "실감형(VR/AR/XR, 버추얼 프로덕션)"
EXHIBITION = "전시"
# With a real worker the index catches up a moment after the approval commits.
INDEX_WAIT_S = 60


def test_a_listing_goes_from_creator_to_producer(
    open_page, background_tasks, sample_files, owner, moderator, producer
):
    # given: a published listing of someone else's, so the search has a choice to make
    factories.make_listing(status=ListingStatus.PUBLISHED)
    assert len(DESCRIPTION.split()) >= 40

    listing = _creator_lists_and_submits(open_page("ko"), owner, sample_files)
    _moderator_approves(open_page("ko"), moderator)
    producer_page = open_page("ko")
    _producer_finds_it_in_korean(producer_page, producer)
    _producer_checks_availability(producer_page)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert listing.owner_id == owner.pk


def _creator_lists_and_submits(page, owner, files) -> Listing:
    sign_in(page, owner)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="내 등록물").click()
    page.get_by_role("main").get_by_role("link", name="새 등록물").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("새 등록물")

    field(page, "제목").fill(TITLE)
    field(page, "요약").fill(SUMMARY)
    field(page, "설명").fill(DESCRIPTION)
    field(page, "작품 언어").select_option(label="한국어")
    field(page, "IP 유형").select_option(label="3D 에셋")
    field(page, "지역").select_option(label="광주광역시 (Gwangju)")
    field(page, "태그").fill("무등산, 억새, 버추얼 프로덕션")
    page.get_by_role("group", name="에셋 형식").get_by_label("GLB", exact=True).check()
    field(page, "권리자").fill("빛고을 스튜디오")
    offer = page.get_by_role("group", name="라이선스 1", exact=True)
    offer.get_by_label(IMMERSIVE).check()
    offer.get_by_label(EXHIBITION, exact=True).check()
    field(offer, "지역(국가)").fill("KR")
    field(offer, "기간(개월)").fill("12")
    field(offer, "가격(원)").fill("3000000")
    page.get_by_role("button", name="초안 저장").click()
    expect(page.get_by_role("status")).to_contain_text("초안을 저장했습니다.")
    expect(page.get_by_role("heading", level=1)).to_have_text("등록물 수정")

    _upload(page, name="mudeung-cover.png", mime="image/png", data=files["cover"],
            use="대표 이미지", caption="무등산 가을 능선")
    _upload(page, name="mudeung-ridge.glb", mime="model/gltf-binary", data=files["model"],
            use="갤러리 / 미리보기", caption="능선 3D 미리보기")
    _upload(page, name="mudeung-ridge-full.glb", mime="model/gltf-binary",
            data=files["model"], use="납품 파일", caption="능선 전체 에셋")
    screenshot(page, "01-creator-listing-with-files",
               focus=page.get_by_role("button", name="올리기"))

    page.get_by_role("button", name="심사 요청").click()
    expect(page.get_by_role("status")).to_contain_text("심사를 요청했습니다.")
    expect(page.get_by_role("row", name=TITLE)).to_contain_text("심사 중")
    screenshot(page, "02-creator-dashboard-submitted")

    listing = Listing.objects.get(owner=owner, title=TITLE)
    assert listing.status == ListingStatus.SUBMITTED
    media = sorted((m.role, m.kind, m.original_name) for m in listing.media.all())
    assert media == sorted([
        (MediaRole.COVER, MediaKind.IMAGE, "mudeung-cover.png"),
        (MediaRole.GALLERY, MediaKind.MODEL_3D, "mudeung-ridge.glb"),
        (MediaRole.DELIVERABLE, MediaKind.MODEL_3D, "mudeung-ridge-full.glb"),
    ])
    return listing


def _upload(page, *, name: str, mime: str, data: bytes, use: str, caption: str) -> None:
    field(page, "파일").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    field(page, "용도").select_option(label=use)
    field(page, "설명 문구").fill(caption)
    page.get_by_role("button", name="올리기").click()
    expect(page.get_by_role("status")).to_contain_text("파일을 추가했습니다.")
    expect(page.get_by_role("link", name=caption, exact=True)).to_be_visible()


def _moderator_approves(page, moderator) -> None:
    sign_in(page, moderator)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="심사").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("심사 대기열")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    screenshot(page, "03-moderator-review")
    page.get_by_role("button", name="승인").click()
    expect(page.get_by_role("status")).to_contain_text("승인하여 게시했습니다.")


def _producer_finds_it_in_korean(page, producer) -> None:
    sign_in(page, producer)
    page.goto("/")
    search = page.get_by_role("search")
    field(search, "IP 검색").fill(QUERY)
    search.get_by_role("button", name="검색").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IP 둘러보기")
    expect(field(page, "검색어")).to_have_value(QUERY)

    results = page.get_by_role("region", name="결과")
    hits = results.get_by_role("heading", level=3)
    deadline = time.monotonic() + INDEX_WAIT_S
    while hits.all_text_contents()[:1] != [TITLE] and time.monotonic() < deadline:
        time.sleep(0.5)  # a worker is still indexing the approval; ask again
        page.reload()
    first_hit = hits.first
    expect(first_hit).to_have_text(TITLE)
    expect(results.get_by_role("list", name="이 결과를 보여 주는 이유").first).not_to_be_empty()
    screenshot(page, "04-producer-search-korean")
    first_hit.get_by_role("link").click()


def _producer_checks_availability(page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("img", name=f"{TITLE} 대표 이미지")).to_be_visible()
    expect(page.locator("model-viewer")).to_have_attribute("alt", "능선 3D 미리보기")

    start = dt.date.today() + dt.timedelta(days=30)
    checker = page.get_by_role("region", name="이용 가능 여부 확인")
    field(checker, "매체").select_option(label=IMMERSIVE)
    field(checker, "이용 국가").fill("KR")
    field(checker, "시작일").fill(start.isoformat())
    field(checker, "종료일").fill((start + dt.timedelta(days=364)).isoformat())
    checker.get_by_role("button", name="확인").click()
    expect(checker).to_contain_text("이 조건으로 이용할 수 있습니다.")
    screenshot(page, "05-producer-listing-available")
