"""The pages as people use them: sign up, sign in and out, reset a password, keep
what was typed when a field is refused, list IP with an offer and an image, submit
it, and approve it as a moderator."""

import re

import pytest
from django.core import mail

from exchange.accounts.models import User
from listings.models import Listing, ListingStatus
from tests import factories
from tests.listings.fixtures_files import png_bytes, upload

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _field_errors(html: str, field_id: str) -> str:
    match = re.search(rf'<ul class="field-errors" id="{field_id}_errors">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def test_sign_up_signs_in_and_speaks_the_chosen_language(page_client):
    client = page_client(language="ko")

    response = client.post("/accounts/sign-up/", {
        "email": "New@Example.com", "display_name": "새 창작자", "password": factories.PASSWORD,
        "preferred_language": "en", "roles": ["creator"],
    })

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="new@example.com")
    assert (user.is_creator, user.is_producer, user.preferred_language) == (True, False, "en")
    assert response.cookies["django_language"].value == "en"
    home = _html(client.get("/"))
    assert "Welcome! Your account is ready." in home and "새 창작자" in home


def test_sign_up_errors_stand_next_to_their_field_and_keep_what_was_typed(page_client):
    factories.make_user(email="taken@example.com")
    client = page_client(language="ko")

    no_role = _html(client.post("/accounts/sign-up/", {
        "email": "me@example.com", "display_name": "홍길동", "password": factories.PASSWORD,
        "preferred_language": "ko",
    }))
    taken = _html(client.post("/accounts/sign-up/", {
        "email": "taken@example.com", "display_name": "홍길동", "password": factories.PASSWORD,
        "preferred_language": "ko", "roles": ["producer"],
    }))
    bad_email = _html(client.post("/accounts/sign-up/", {
        "email": "not-an-email", "display_name": "홍길동", "password": "x",
        "preferred_language": "ko", "roles": ["producer"],
    }))

    # The page speaks Korean, so do the service's reasons shown next to the fields.
    assert "창작자, 제작사 중 하나 이상을 선택해야 합니다" in _field_errors(no_role, "id_roles")
    assert 'value="me@example.com"' in no_role and 'value="홍길동"' in no_role
    assert "이미 가입된 이메일입니다" in _field_errors(taken, "id_email")
    assert "유효한 이메일 주소를 입력하세요." in _field_errors(bad_email, "id_email")
    assert 'value="not-an-email"' in bad_email
    assert 'value="x"' not in bad_email  # a password is never sent back
    assert User.objects.filter(email="me@example.com").count() == 0


def test_sign_in_applies_the_preferred_language_and_sign_out_is_a_post(page_client):
    factories.make_creator(email="en@example.com", preferred_language="en")
    client = page_client(language="ko")

    refused = client.post("/accounts/sign-in/", {"username": "en@example.com",
                                                 "password": "wrong"})
    signed_in = client.post("/accounts/sign-in/", {"username": "en@example.com",
                                                   "password": factories.PASSWORD})
    home = _html(client.get("/"))
    get_out = client.get("/accounts/sign-out/")
    signed_out = client.post("/accounts/sign-out/")

    assert refused.status_code == 200 and "올바른" in _html(refused)
    assert 'value="en@example.com"' in _html(refused)
    assert signed_in.status_code == 302 and signed_in.cookies["django_language"].value == "en"
    assert "My listings" in home
    assert get_out.status_code == 405
    assert signed_out.status_code == 302
    assert client.get("/creator/").status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(page_client, owner):
    client = page_client(language="en")

    sent = client.post("/accounts/password-reset/", {"email": owner.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    changed = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "another-long-passphrase-77",
        "new_password2": "another-long-passphrase-77",
    })

    assert sent.status_code == 302 and sent["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert "Choose a new password" in _html(form_page)
    assert changed.status_code == 302 and changed["Location"] == "/accounts/reset/done/"
    owner.refresh_from_db()
    assert owner.check_password("another-long-passphrase-77")


def test_profile_saves_language_and_refuses_a_bad_business_number_in_place(page_client,
                                                                          producer):
    client = page_client(producer, "ko")

    saved = client.post("/accounts/profile/", {
        "form": "profile", "display_name": "빛고을 스튜디오", "preferred_language": "en",
        "roles": ["producer", "creator"],
    })
    refused = _html(client.post("/accounts/profile/", {
        "form": "organisation", "org-name": "빛고을", "org-business_number": "220-81-62518",
    }))
    joined = client.post("/accounts/profile/", {
        "form": "organisation", "org-name": "빛고을", "org-business_number": "220-81-62517",
    })

    producer.refresh_from_db()
    assert saved.status_code == 302 and saved.cookies["django_language"].value == "en"
    assert (producer.display_name, producer.preferred_language, producer.is_creator) == (
        "빛고을 스튜디오", "en", True)
    assert "check digit does not match" in _field_errors(refused, "id_org-business_number")
    assert 'value="220-81-62518"' in refused
    assert joined.status_code == 302
    assert producer.organisation.business_number == "2208162517"


def _listing_post(**overrides) -> dict:
    data = {
        "title": "달빛 야시장", "summary": "광주 야시장 민담 웹툰",
        "description": factories.DESCRIPTION,
        "language": "ko", "ip_type": "webtoon", "region": "KR-29", "tags": "민담, 야시장",
        "asset_formats": ["png", "psd"], "creator": "Studio Lantern",
        "copyright_registration_number": "C-2024-012345", "external_id": "",
        "offers-TOTAL_FORMS": "5", "offers-INITIAL_FORMS": "0",
        "offers-MIN_NUM_FORMS": "0", "offers-MAX_NUM_FORMS": "5",
        "offers-0-media": ["immersive", "exhibition"], "offers-0-territories": "kr, jp",
        "offers-0-term_months": "12", "offers-0-price_krw": "3000000",
        "offers-0-royalty_pct": "",
    }
    data.update(overrides)
    return data


def test_a_creator_lists_ip_with_an_offer_and_an_image_and_a_moderator_approves_it(
    page_client, owner, moderator, media_root
):
    creator = page_client(owner, "ko")

    created = creator.post("/creator/listings/new/", _listing_post())
    listing = Listing.objects.get(owner=owner)
    uploaded = creator.post(f"/creator/listings/{listing.pk}/media/", {
        "upload-file": upload(png_bytes(), "cover.png", "image/png"),
        "upload-role": "cover", "upload-title": "표지",
    })
    submitted = creator.post(f"/creator/listings/{listing.pk}/submit/")
    dashboard = _html(creator.get("/creator/"))
    moderation = page_client(moderator, "ko")
    queue = _html(moderation.get("/moderation/"))
    approved = moderation.post(f"/moderation/listings/{listing.pk}/approve/", {"reason": ""})

    assert created.status_code == 302 and created["Location"] == f"/creator/listings/{listing.pk}/"
    assert uploaded.status_code == 302
    assert submitted.status_code == 302
    assert "심사 중" in dashboard
    assert "달빛 야시장" in queue
    assert approved.status_code == 302
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert listing.tags == ["민담", "야시장"]
    offer = listing.offers.get()
    assert (offer.media, offer.territories, offer.term_months, offer.price_krw) == (
        ["immersive", "exhibition"], ["KR", "JP"], 12, 3_000_000)
    assert listing.media.get().role == "cover"
    public = _html(page_client(language="ko").get(f"/ip/{listing.pk}/"))
    assert "₩3,000,000" in public and f"/api/v1/media/{listing.media.get().pk}/download/" in public
    assert "달빛 야시장" in _html(page_client(language="ko").get("/"))


def test_listing_form_errors_stand_next_to_the_field_and_the_offer(page_client, owner):
    response = page_client(owner, "en").post("/creator/listings/new/", _listing_post(
        title="", **{"offers-0-territories": "KR, ZZ", "offers-0-price_krw": "0"}))

    html = _html(response)
    assert response.status_code == 200
    assert "This field is required." in _field_errors(html, "id_title")
    assert 'value="광주 야시장 민담 웹툰"' in html
    assert Listing.objects.count() == 0
    second = page_client(owner, "en").post("/creator/listings/new/", _listing_post(
        **{"offers-0-territories": "KR, ZZ"}))
    assert "unknown territory" in _field_errors(_html(second), "id_offers-0-territories")
    assert 'value="KR, ZZ"' in _html(second)
    third = page_client(owner, "en").post("/creator/listings/new/", _listing_post(
        **{"offers-0-price_krw": "0"}))
    assert "only with a royalty_pct" in _field_errors(_html(third), "id_offers-0-price_krw")
    assert Listing.objects.count() == 0


def test_a_refused_upload_is_shown_next_to_the_file_field(page_client, owner, draft_listing,
                                                          media_root):
    response = page_client(owner, "en").post(f"/creator/listings/{draft_listing.pk}/media/", {
        "upload-file": upload(b"not an image at all", "cover.png", "image/png"),
        "upload-role": "cover", "upload-title": "My cover",
    })

    assert response.status_code == 400
    assert _field_errors(_html(response), "id_upload-file") != ""
    assert 'value="My cover"' in _html(response)
    assert draft_listing.media.count() == 0


def test_an_incomplete_listing_cannot_be_submitted_and_says_why(page_client, owner):
    listing = factories.make_listing(owner=owner, description=factories.SHORT_DESCRIPTION)
    client = page_client(owner, "en")

    response = client.post(f"/creator/listings/{listing.pk}/submit/", follow=True)

    assert "must be 40-250 words to submit" in _html(response)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT


def test_rejecting_needs_a_reason_shown_next_to_the_field(page_client, moderator,
                                                          submitted_listing):
    client = page_client(moderator, "en")

    refused = client.post(f"/moderation/listings/{submitted_listing.pk}/reject/", {"reason": ""})
    rejected = client.post(f"/moderation/listings/{submitted_listing.pk}/reject/",
                           {"reason": "Rights evidence is missing."})

    assert refused.status_code == 400
    assert "say why" in _field_errors(_html(refused), "id_reason")
    assert rejected.status_code == 302
    submitted_listing.refresh_from_db()
    assert submitted_listing.status == ListingStatus.REJECTED
    trail = _html(client.get(f"/moderation/listings/{submitted_listing.pk}/"))
    assert "Rights evidence is missing." in trail and "Rejected" in trail


def test_only_moderators_decide_and_nothing_changes_otherwise(page_client, owner,
                                                             submitted_listing):
    before = factories.listing_snapshot(submitted_listing)

    response = page_client(owner, "en").post(
        f"/moderation/listings/{submitted_listing.pk}/approve/", {"reason": ""})

    assert response.status_code == 403
    assert "You may not do this" in _html(response)
    assert factories.listing_snapshot(submitted_listing) == before
