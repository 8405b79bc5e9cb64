"""The exchange end to end, in Korean, as its people use it in a browser.

A Gwangju creator lists a 3D asset with a cover image and GLB files and submits it; a
moderator approves it; a producer searches for it in Korean, finds it first, checks that
the rights are free and requests a licence; the creator counters with a higher fee; the
producer accepts; both sign the agreement; the producer takes the invoice and pays by bank
transfer, which staff confirm from the bank statement; the producer downloads the
deliverable, and anyone can verify the licence certificate at /verify/<code>.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect

from frontend.templatetags.exchange_tags import krw
from licensing.models import Deal, DealStatus
from listings.models import Listing, ListingStatus, MediaKind, MediaRole
from payments.models import Payment, PaymentStatus
from tests import factories
from tests.browser.browsing import field, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "무등산 억새 능선 3D 배경 세트"
SUMMARY = "LED 월과 VR 전시에 바로 쓰는 무등산 가을 능선 3D 배경"
# 64 words: the workflow asks for 40 to 250 before review.
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
PRODUCTION = "광주 비엔날레 미디어아트 전시의 LED 월 배경 영상(12개월, 국내 전시)"
OFFER_FEE_KRW = 3_000_000
COUNTER_FEE_KRW = 3_500_000
DELIVERABLE = "능선 전체 에셋"
# With a real worker the index catches up a moment after the approval commits.
INDEX_WAIT_S = 60


def test_a_listing_goes_from_creator_to_a_licensed_producer(
    open_page, background_tasks, sample_files, owner, moderator, producer
):
    # given: a published listing of someone else's, so the search has a choice to make
    factories.make_listing(status=ListingStatus.PUBLISHED)
    start = dt.date.today() + dt.timedelta(days=30)
    creator_page, moderator_page, producer_page = (open_page("ko") for _ in range(3))

    listing = _creator_lists_and_submits(creator_page, owner, sample_files)
    _moderator_approves(moderator_page, moderator)
    _producer_finds_it_in_korean(producer_page, producer)
    _producer_checks_availability(producer_page, start)
    deal = _producer_requests_a_licence(producer_page, start)
    _creator_counters(creator_page, deal)
    _producer_accepts(producer_page, deal)
    _both_sign(producer_page, creator_page, deal)
    reference = _producer_takes_the_invoice(producer_page, deal)
    _staff_confirm_the_transfer(moderator_page, reference, deal)
    code = _producer_downloads_the_deliverable(producer_page, deal, sample_files["model"])
    _anyone_verifies_the_certificate(open_page("ko"), code)

    listing.refresh_from_db()
    deal.refresh_from_db()
    assert (listing.status, listing.owner_id) == (ListingStatus.PUBLISHED, owner.pk)
    assert (deal.status, deal.producer_id, deal.creator_id) == (
        DealStatus.LICENSED, producer.pk, owner.pk)
    assert (deal.fee_krw, deal.start_date) == (COUNTER_FEE_KRW, start)
    payment = Payment.objects.get(deal=deal)
    assert (payment.status, payment.amount_krw, payment.reference) == (
        PaymentStatus.SUCCEEDED, COUNTER_FEE_KRW, reference)


def _creator_lists_and_submits(page, owner, files) -> Listing:
    sign_in(page, owner)
    _menu(page, "내 등록물").click()
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
    offer.get_by_label(IMMERSIVE, exact=True).check()
    offer.get_by_label(EXHIBITION, exact=True).check()
    field(offer, "지역(국가)").fill("KR")
    field(offer, "기간(개월)").fill("12")
    field(offer, "가격(원)").fill(str(OFFER_FEE_KRW))
    page.get_by_role("button", name="초안 저장").click()
    expect(page.get_by_role("status")).to_contain_text("초안을 저장했습니다.")
    expect(page.get_by_role("heading", level=1)).to_have_text("등록물 수정")

    _upload(page, name="mudeung-cover.png", mime="image/png", data=files["cover"],
            use="대표 이미지", caption="무등산 가을 능선")
    _upload(page, name="mudeung-ridge.glb", mime="model/gltf-binary", data=files["model"],
            use="갤러리 / 미리보기", caption="능선 3D 미리보기")
    _upload(page, name="mudeung-ridge-full.glb", mime="model/gltf-binary",
            data=files["model"], use="납품 파일", caption=DELIVERABLE)
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
    _menu(page, "심사").click()
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


def _producer_checks_availability(page, start: dt.date) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("img", name=f"{TITLE} 대표 이미지")).to_be_visible()
    expect(page.locator("model-viewer")).to_have_attribute("alt", "능선 3D 미리보기")

    page.wait_for_load_state()  # htmx is ready: the answer comes into this page
    checker = page.get_by_role("region", name="이용 가능 여부 확인")
    field(checker, "매체").select_option(label=IMMERSIVE)
    field(checker, "이용 국가").fill("KR")
    field(checker, "시작일").fill(start.isoformat())
    field(checker, "종료일").fill((start + dt.timedelta(days=364)).isoformat())
    checker.get_by_role("button", name="확인").click()
    expect(checker).to_contain_text("이 조건으로 이용할 수 있습니다.")
    expect(page).to_have_url(re.compile(r"/ip/\d+/$"))
    screenshot(page, "05-producer-listing-available")


def _producer_requests_a_licence(page, start: dt.date) -> Deal:
    page.get_by_role("region", name="이 IP 라이선스 받기").get_by_role(
        "link", name="라이선스 요청", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("라이선스 요청")
    offers = page.get_by_role("group", name="라이선스", exact=True)
    expect(offers.get_by_role("radio").first).to_be_checked()  # the creator's one offer
    field(page, "시작일").fill(start.isoformat())
    field(page, "제작 계획").fill(PRODUCTION)
    page.get_by_role("button", name="요청 보내기").click()
    expect(page.get_by_role("status")).to_contain_text(
        "라이선스 요청을 보냈습니다. 창작자가 이 페이지에서 답변하며, 답변이 등록되면 "
        "이메일로 알려 드립니다.")
    deal = Deal.objects.get(listing__title=TITLE)
    expect(page).to_have_url(re.compile(rf"/deals/{deal.pk}/$"))
    assert (deal.status, deal.fee_krw, deal.start_date) == (
        DealStatus.REQUESTED, OFFER_FEE_KRW, start)
    return deal


def _creator_counters(page, deal: Deal) -> None:
    _menu(page, "내 등록물").click()
    incoming = page.get_by_role("region", name="답변을 기다리는 라이선스 요청")
    incoming.get_by_role("link", name=TITLE).click()
    expect(page.locator("#deal-production")).to_have_text(PRODUCTION)
    page.get_by_role("link", name="다른 조건 제안").click()
    field(page, "이용료(원)").fill(str(COUNTER_FEE_KRW))
    field(page, "상대방에게 남길 메모").fill("전시 기간 연장 가능성을 반영했습니다.")
    page.get_by_role("button", name="수정 제안 보내기").click()
    expect(page.get_by_role("status")).to_contain_text(
        "수정 제안을 보냈습니다. 이제 상대방이 응답할 차례입니다.")
    screenshot(page, "06-creator-countered")


def _producer_accepts(page, deal: Deal) -> None:
    _menu(page, "내 라이선스").click()
    waiting = page.get_by_role("region", name="답변을 기다리는 수정 제안")
    waiting.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("main")).to_contain_text(_won(COUNTER_FEE_KRW))
    page.get_by_role("button", name="이 조건 수락").click()
    expect(page.get_by_role("status")).to_contain_text(
        "수락했습니다. 계약서 서명과 결제가 끝날 때까지 권리가 보류됩니다.")


def _both_sign(producer_page, creator_page, deal: Deal) -> None:
    for page in (producer_page, creator_page):
        page.goto(f"/deals/{deal.pk}/")
        page.get_by_role("link", name="계약서 읽고 서명하기").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("라이선스 계약서")
        page.get_by_label("이 계약서를 읽었으며 계약 내용을 따르는 데 동의합니다").check()
        if page is creator_page:
            screenshot(page, "07-agreement-before-the-second-signature")
        page.get_by_role("button", name="계약서에 서명").click()
        expect(page.get_by_role("status")).to_contain_text("서명했습니다. 감사합니다.")


def _producer_takes_the_invoice(page, deal: Deal) -> str:
    page.goto(f"/deals/{deal.pk}/")
    page.get_by_role("button", name="청구서 받고 결제").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("청구서")
    expect(page.locator("#invoice-amount")).to_have_text(_won(COUNTER_FEE_KRW))
    transfer = page.get_by_role("region", name="계좌 이체로 결제")
    reference = page.locator("#invoice-reference").text_content()
    expect(transfer).to_contain_text(reference)
    screenshot(page, "08-producer-invoice-bank-transfer")
    return reference


def _staff_confirm_the_transfer(page, reference: str, deal: Deal) -> None:
    _menu(page, "입금 확인").click()
    page.get_by_role("link", name=reference).click()  # the open invoice fills the form in
    expect(field(page, "입금 참조번호")).to_have_value(reference)
    field(page, "입금액(원)").fill(str(COUNTER_FEE_KRW))
    field(page, "은행 거래 ID").fill("KB-20261124-0001")
    page.get_by_role("button", name="입금 확인 기록").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"청구서 {reference}의 금액이 전액 입금되었습니다. 거래 #{deal.pk}의 라이선스가 "
        "체결되고 인증서가 발급되었습니다.")
    screenshot(page, "09-staff-bank-receipt-recorded")


def _producer_downloads_the_deliverable(page, deal: Deal, expected: bytes) -> str:
    page.goto(f"/deals/{deal.pk}/")
    page.get_by_role("link", name="다운로드 및 인증서").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{TITLE} 라이선스")
    deliverables = page.get_by_role("region", name="납품 파일")
    with page.expect_download() as download:
        deliverables.get_by_role("link", name=DELIVERABLE).click()
    assert download.value.suggested_filename == "mudeung-ridge-full.glb"
    assert Path(download.value.path()).read_bytes() == expected
    screenshot(page, "10-producer-licence-and-certificate")
    code = page.locator("#certificate-code").text_content()
    page.get_by_role("link", name=f"/verify/{code}/").click()  # the full address is shown
    expect(page.get_by_role("heading", level=1)).to_have_text("라이선스 확인")
    return code


def _anyone_verifies_the_certificate(page, code: str) -> None:
    page.goto(f"/verify/{code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("라이선스 확인")
    expect(page.get_by_role("main")).to_contain_text(TITLE)
    screenshot(page, "11-public-certificate-verification")


def _menu(page, name: str):
    return page.get_by_role("navigation", name="주 메뉴").get_by_role(
        "link", name=name, exact=True)


def _won(amount: int) -> str:
    with translation.override("ko"):
        return krw(amount)
