"""The production brief, reports of infringement or abuse and the moderators' pages for
reports, near-duplicate alerts and account suspension: forms keep what was typed and name
the field, every change goes through a service, and strangers get the clear 403/404."""

from __future__ import annotations

import pytest

from exchange.audit.models import AuditEntry
from listings.models import ListingStatus, Report, ReportStatus
from listings.services import report_file
from search.models import AlertStatus, DuplicateAlert, SavedBrief
from tests import factories
from tests.search.conftest import (  # noqa: F401 (fixtures)
    MUDEUNG_KO,
    _tasks_run_in_process,
    indexed,
    publish,
)

pytestmark = pytest.mark.django_db

BRIEF = {"text": "background footage of mountains for an LED wall drama",
         "media": ["immersive"], "territory": "KR", "budget_krw": "6000000",
         "preferred_regions": ["KR-29"]}


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def mudeung(publish):  # noqa: F811
    return publish(title="무등산 사계 실감 배경 영상", description=MUDEUNG_KO, language="ko",
                   ip_type="video", region="KR-29", tags=["무등산", "LED 월"],
                   license_offers=[factories.offer(media=["immersive"], territory=["KR"],
                                                   price_krw=5_000_000)])


# --- production brief -----------------------------------------------------------------


def test_anyone_may_try_a_brief_and_see_reasons(page_client, mudeung):
    page = page_client(None, "en")
    assert page.get("/briefs/").status_code == 200
    response = page.post("/briefs/", BRIEF)
    assert response.status_code == 200
    html = _html(response)
    assert f'href="/ip/{mudeung.pk}/"' in html
    assert 'class="reasons"' in html
    assert "Sign in to save briefs" in html
    assert not SavedBrief.objects.exists()


def test_a_bad_brief_names_the_field_and_keeps_what_was_typed(page_client, producer):
    page = page_client(producer, "en")
    response = page.post("/briefs/", {**BRIEF, "territory": "XX"})
    assert response.status_code == 400
    html = _html(response)
    assert 'id="id_territory_errors"' in html
    assert "background footage of mountains" in html  # what was typed stays
    assert 'value="XX"' in html
    assert 'value="immersive" id="id_media_0" checked' in html.replace('\n', '')
    later = page.post("/briefs/", {**BRIEF, "start": "2027-03-01", "end": "2027-01-01"})
    assert later.status_code == 400
    assert 'id="id_end_errors"' in _html(later)


def test_a_brief_page_before_any_index_says_so(page_client, producer):
    response = page_client(producer, "en").post("/briefs/", BRIEF)
    assert response.status_code == 200
    assert "Recommendations are getting ready" in _html(response)


def test_save_revisit_edit_and_delete_a_brief(page_client, producer, mudeung):
    page = page_client(producer, "en")
    # saving needs a title: the error is next to it and nothing is saved
    missing = page.post("/briefs/save/", BRIEF)
    assert missing.status_code == 400
    assert 'id="id_title_errors"' in _html(missing)
    assert not SavedBrief.objects.exists()

    saved = page.post("/briefs/save/", {**BRIEF, "title": "LED wall drama"})
    brief = SavedBrief.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/briefs/{brief.pk}/"
    assert (brief.owner, brief.title, brief.territory) == (producer, "LED wall drama", "KR")

    assert "LED wall drama" in _html(page.get("/briefs/mine/"))
    detail = _html(page.get(f"/briefs/{brief.pk}/"))
    assert f'href="/ip/{mudeung.pk}/"' in detail  # recommendations run fresh

    edit = page.get(f"/briefs/{brief.pk}/edit/")
    assert 'value="LED wall drama"' in _html(edit)
    bad = page.post(f"/briefs/{brief.pk}/edit/", {**BRIEF, "title": "", "territory": "KR"})
    assert bad.status_code == 400
    brief.refresh_from_db()
    assert brief.title == "LED wall drama"
    done = page.post(f"/briefs/{brief.pk}/edit/", {**BRIEF, "title": "Tea film",
                                                   "media": [], "preferred_regions": []})
    assert done.status_code == 302
    brief.refresh_from_db()
    assert (brief.title, brief.media, brief.preferred_regions) == ("Tea film", [], [])

    assert "Delete the brief" in _html(page.get(f"/briefs/{brief.pk}/delete/"))
    assert page.post(f"/briefs/{brief.pk}/delete/").status_code == 302
    assert not SavedBrief.objects.exists()


def test_another_users_brief_is_not_found_and_unchanged(page_client, producer, other_creator):
    brief = SavedBrief.objects.create(owner=producer, title="Mine", text="tea")
    stranger = page_client(other_creator, "en")
    for url in (f"/briefs/{brief.pk}/", f"/briefs/{brief.pk}/edit/",
                f"/briefs/{brief.pk}/delete/"):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/briefs/{brief.pk}/delete/").status_code == 404
    assert stranger.post(f"/briefs/{brief.pk}/edit/", {"title": "x", "text": "y"}
                         ).status_code == 404
    brief.refresh_from_db()
    assert (brief.title, brief.text) == ("Mine", "tea")


def test_my_briefs_and_saving_need_a_sign_in(page_client):
    page = page_client(None, "en")
    assert page.get("/briefs/mine/")["Location"].startswith("/accounts/sign-in/")
    assert page.post("/briefs/save/", {**BRIEF, "title": "x"}).status_code == 302
    assert not SavedBrief.objects.exists()


def test_the_header_links_briefs_and_for_signed_in_users_their_reports(page_client, producer):
    assert 'href="/briefs/"' in _html(page_client(None, "en").get("/"))
    html = _html(page_client(producer, "en").get("/"))
    assert 'href="/briefs/mine/"' in html and 'href="/reports/mine/"' in html


# --- reports --------------------------------------------------------------------------


def test_a_listing_page_offers_a_report_link_to_others_only(page_client, producer, owner,
                                                            published_listing):
    url = f"/ip/{published_listing.pk}/"
    assert f'href="/ip/{published_listing.pk}/report/"' in _html(
        page_client(producer, "en").get(url))
    assert "/report/" not in _html(page_client(owner, "en").get(url))


def test_file_a_report_and_follow_it(page_client, producer, moderator, published_listing):
    page = page_client(producer, "en")
    form = page.get(f"/ip/{published_listing.pk}/report/")
    assert form.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in _html(form)
    bad = page.post(f"/ip/{published_listing.pk}/report/",
                    {"kind": "copyright", "description": "Copied.", "evidence_url": "nope"})
    assert bad.status_code == 400
    assert 'id="id_evidence_url_errors"' in _html(bad)
    assert "Copied." in _html(bad)
    assert not Report.objects.exists()

    sent = page.post(f"/ip/{published_listing.pk}/report/",
                     {"kind": "copyright", "description": "Copied from my book."})
    assert sent.status_code == 302 and sent["Location"] == "/reports/mine/"
    report = Report.objects.get()
    assert (report.reporter, report.kind, report.status) == (producer, "copyright", "open")
    again = page.get(f"/ip/{published_listing.pk}/report/")
    assert "moderators have not decided yet" in _html(again)
    twice = page.post(f"/ip/{published_listing.pk}/report/",
                      {"kind": "fraud", "description": "And spam."})
    assert twice.status_code == 400
    assert Report.objects.count() == 1

    mine = _html(page.get("/reports/mine/"))
    assert "Copied from my book." in mine and "Waiting for a moderator." in mine


def test_reporting_needs_a_sign_in(page_client, published_listing):
    response = page_client(None, "en").post(f"/ip/{published_listing.pk}/report/",
                                            {"kind": "fraud", "description": "Spam."})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
    assert not Report.objects.exists()


def test_moderator_takes_down_and_reporter_sees_the_resolution(page_client, producer,
                                                               moderator, published_listing):
    report = report_file(reporter=producer, listing=published_listing, kind="trademark",
                         description="Our registered mark.")
    mod = page_client(moderator, "en")
    assert "Our registered mark." not in _html(mod.get("/moderation/reports/"))  # description
    assert f'href="/moderation/reports/{report.pk}/"' in _html(mod.get("/moderation/reports/"))
    assert "Our registered mark." in _html(mod.get(f"/moderation/reports/{report.pk}/"))

    missing = mod.post(f"/moderation/reports/{report.pk}/take_down/", {"reason": ""})
    assert missing.status_code == 400
    assert 'id="id_reason_errors"' in _html(missing)
    done = mod.post(f"/moderation/reports/{report.pk}/take_down/",
                    {"reason": "Uses the registered mark KR-40-1234."})
    assert done.status_code == 302
    published_listing.refresh_from_db()
    assert published_listing.status == ListingStatus.SUSPENDED
    mine = _html(page_client(producer, "en").get("/reports/mine/"))
    assert "Uses the registered mark KR-40-1234." in mine
    assert "The listing was taken down." in mine
    taken = _html(mod.get("/moderation/reports/", {"status": "taken_down"}))
    assert f'href="/moderation/reports/{report.pk}/"' in taken


def test_moderator_dismisses_a_report(page_client, producer, moderator, published_listing):
    report = report_file(reporter=producer, listing=published_listing, kind="fraud",
                         description="Looks fake.")
    page_client(moderator, "en").post(f"/moderation/reports/{report.pk}/dismiss/",
                                      {"reason": "Rights evidence checked."})
    report.refresh_from_db()
    assert (report.status, report.resolution_reason) == (ReportStatus.DISMISSED,
                                                         "Rights evidence checked.")
    published_listing.refresh_from_db()
    assert published_listing.status == ListingStatus.PUBLISHED


@pytest.mark.parametrize("persona", ["owner", "producer", "other_creator"])
def test_moderation_pages_are_refused_to_others(page_client, people, persona, producer,
                                                published_listing):
    report = report_file(reporter=producer, listing=published_listing, kind="fraud",
                         description="Spam.")
    page = page_client(people[persona], "en")
    for url in ("/moderation/reports/", f"/moderation/reports/{report.pk}/",
                f"/moderation/users/{published_listing.owner_id}/"):
        response = page.get(url)
        assert response.status_code == 403, url
        assert "You may not do this" in _html(response)
    before = AuditEntry.objects.count()
    assert page.post(f"/moderation/reports/{report.pk}/take_down/",
                     {"reason": "x"}).status_code == 403
    assert page.post(f"/moderation/users/{published_listing.owner_id}/suspend/",
                     {"reason": "x"}).status_code == 403
    report.refresh_from_db()
    published_listing.owner.refresh_from_db()
    assert report.status == "open" and published_listing.owner.is_active
    assert AuditEntry.objects.count() == before


# --- users ----------------------------------------------------------------------------


def test_moderator_suspends_and_reinstates_a_user_from_their_page(
        page_client, owner, producer, moderator, published_listing):
    report_file(reporter=producer, listing=published_listing, kind="fraud",
                description="Spam.")
    mod = page_client(moderator, "en")
    page = _html(mod.get(f"/moderation/users/{owner.pk}/"))
    assert published_listing.title in page and "Suspend account" in page

    missing = mod.post(f"/moderation/users/{owner.pk}/suspend/", {"reason": ""})
    assert missing.status_code == 400
    assert 'id="id_reason_errors"' in _html(missing)
    owner.refresh_from_db()
    assert owner.is_active

    done = mod.post(f"/moderation/users/{owner.pk}/suspend/", {"reason": "Fraudulent catalog."})
    assert done.status_code == 302
    owner.refresh_from_db()
    published_listing.refresh_from_db()
    assert (owner.is_active, published_listing.status) == (False, ListingStatus.SUSPENDED)
    assert "Reinstate account" in _html(mod.get(f"/moderation/users/{owner.pk}/"))

    mod.post(f"/moderation/users/{owner.pk}/reinstate/", {"reason": "Appeal accepted."})
    owner.refresh_from_db()
    published_listing.refresh_from_db()
    assert (owner.is_active, published_listing.status) == (True, ListingStatus.PUBLISHED)


# --- review page and queue ------------------------------------------------------------


@pytest.fixture
def alerted(owner, other_creator):
    original = factories.make_listing(owner=other_creator, status=ListingStatus.PUBLISHED,
                                      title="The Original Lantern Market")
    copy = factories.make_listing(owner=owner, status=ListingStatus.SUBMITTED,
                                  title="A Copied Lantern Market")
    alert = DuplicateAlert.objects.create(listing=copy, similar_listing=original,
                                          similarity=0.91, dense_similarity=0.95,
                                          lexical_similarity=0.87)
    return copy, original, alert


def test_review_shows_duplicate_alerts_with_both_listings_and_the_audit_trail(
        page_client, moderator, alerted):
    copy, original, alert = alerted
    html = _html(page_client(moderator, "en").get(f"/moderation/listings/{copy.pk}/"))
    assert "Possible duplicates" in html
    assert f'href="/ip/{copy.pk}/"' in html and f'href="/ip/{original.pk}/"' in html
    assert f'href="/moderation/listings/{original.pk}/"' in html
    assert "0.91" in html
    assert "Submitted for review" in html and "listing.submit" not in html  # the audit trail


def test_a_moderator_dismisses_an_alert_from_the_review_page(page_client, moderator, alerted):
    copy, _, alert = alerted
    response = page_client(moderator, "en").post(f"/moderation/alerts/{alert.pk}/dismiss/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED
    html = _html(page_client(moderator, "en").get(f"/moderation/listings/{copy.pk}/"))
    assert "Possible duplicates" not in html


def test_the_queue_shows_alerts_without_a_query_per_row(page_client, moderator, alerted,
                                                        owner, django_assert_max_num_queries):
    page = page_client(moderator, "en")
    page.get("/moderation/")  # warm up sessions and permission caches
    with django_assert_max_num_queries(30) as few:
        html = _html(page.get("/moderation/"))
    assert "The Original Lantern Market" in html
    baseline = len(few.captured_queries)
    for n in range(4):
        copy = factories.make_listing(owner=owner, status=ListingStatus.SUBMITTED)
        DuplicateAlert.objects.create(listing=copy, similar_listing=alerted[1],
                                      similarity=0.8 + n / 100, dense_similarity=0.8,
                                      lexical_similarity=0.8)
    with django_assert_max_num_queries(baseline) as many:
        page.get("/moderation/")
    assert len(many.captured_queries) == baseline
