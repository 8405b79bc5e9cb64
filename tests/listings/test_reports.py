"""Reports of infringement or abuse: filing, the one-open-report and rate limits, the
moderators' decisions (dismiss, take down through the workflow) and the API."""

from __future__ import annotations

import pytest

from exchange.audit.models import AuditEntry
from exchange.errors import Conflict, Forbidden, InvalidInput
from listings.models import ListingStatus, Report, ReportStatus
from listings.services import report_dismiss, report_file, report_take_down
from listings.services import reports as report_services
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"
MOD_URL = "/api/v1/moderation/reports/"


def file(reporter, listing, **fields):
    values = {"kind": "copyright", "description": "This is my webtoon, copied page by page.",
              "evidence_url": "https://example.com/original", **fields}
    return report_file(reporter=reporter, listing=listing, **values)


def audit_actions(report) -> list[str]:
    return list(AuditEntry.objects.filter(target_type="listings.report",
                                          target_id=str(report.pk))
                .order_by("id").values_list("action", flat=True))


# --- filing ---------------------------------------------------------------------------


def test_any_signed_in_user_files_a_report_on_a_published_listing(producer, published_listing):
    report = file(producer, published_listing)
    report.refresh_from_db()
    assert (report.listing, report.reporter, report.kind, report.status) == (
        published_listing, producer, "copyright", ReportStatus.OPEN)
    assert report.evidence_url == "https://example.com/original"
    assert audit_actions(report) == ["report.file"]


def test_one_open_report_per_user_and_listing(producer, published_listing):
    file(producer, published_listing)
    with pytest.raises(Conflict) as error:
        file(producer, published_listing, kind="fraud")
    assert error.value.code == "report_already_open"
    assert Report.objects.count() == 1


def test_after_a_resolution_the_user_may_report_again(producer, moderator, published_listing):
    first = file(producer, published_listing)
    report_dismiss(moderator=moderator, report=first, reason="The evidence shows a licence.")
    second = file(producer, published_listing, description="New copies appeared.")
    assert second.status == ReportStatus.OPEN
    assert Report.objects.filter(reporter=producer).count() == 2


def test_reports_are_rate_limited_per_reporter(producer, monkeypatch):
    monkeypatch.setattr(report_services, "REPORTS_PER_HOUR", 2)
    listings = [factories.make_listing(status=ListingStatus.PUBLISHED) for _ in range(3)]
    file(producer, listings[0])
    file(producer, listings[1])
    with pytest.raises(report_services.TooManyReports) as error:
        file(producer, listings[2])
    assert (error.value.code, error.value.status_code) == ("rate_limited", 429)
    assert Report.objects.filter(reporter=producer).count() == 2


def test_the_owner_cannot_report_their_own_listing(owner, published_listing):
    with pytest.raises(Forbidden):
        file(owner, published_listing)
    assert not Report.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "boring"}, "kind"),
    ({"description": "   "}, "description"),
])
def test_bad_report_input_names_the_field(producer, published_listing, fields, field):
    with pytest.raises(InvalidInput) as error:
        file(producer, published_listing, **fields)
    assert field in error.value.fields
    assert not Report.objects.exists()


# --- resolution -----------------------------------------------------------------------


def test_a_moderator_dismisses_with_a_reason(producer, moderator, published_listing):
    report = file(producer, published_listing)
    report = report_dismiss(moderator=moderator, report=report,
                            reason="The creator holds a registered licence.")
    assert (report.status, report.resolution_reason, report.resolved_by) == (
        ReportStatus.DISMISSED, "The creator holds a registered licence.", moderator)
    assert report.resolved_at is not None
    published_listing.refresh_from_db()
    assert published_listing.status == ListingStatus.PUBLISHED
    assert audit_actions(report) == ["report.file", "report.dismiss"]


def test_a_dismissal_needs_a_reason_and_a_moderator(producer, moderator, other_creator,
                                                    published_listing):
    report = file(producer, published_listing)
    with pytest.raises(InvalidInput) as error:
        report_dismiss(moderator=moderator, report=report, reason=" ")
    assert "reason" in error.value.fields
    with pytest.raises(Forbidden):
        report_dismiss(moderator=other_creator, report=report, reason="Not infringing.")
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert audit_actions(report) == ["report.file"]


def test_take_down_suspends_the_listing_through_the_workflow(producer, other_creator,
                                                             moderator, published_listing):
    report = file(producer, published_listing)
    other = file(other_creator, published_listing, kind="trademark")
    report = report_take_down(moderator=moderator, report=report,
                              reason="Copied from a registered work (C-2019-000123).")
    published_listing.refresh_from_db()
    assert published_listing.status == ListingStatus.SUSPENDED
    assert published_listing.moderation_reason == "Copied from a registered work (C-2019-000123)."
    suspension = AuditEntry.objects.filter(target_type="listings.listing",
                                           target_id=str(published_listing.pk)).first()
    assert (suspension.action, suspension.actor, suspension.to_state) == (
        "listing.suspend", moderator, "suspended")
    # every open report on the listing is resolved with it
    other.refresh_from_db()
    assert [report.status, other.status] == [ReportStatus.TAKEN_DOWN, ReportStatus.TAKEN_DOWN]
    assert audit_actions(report) == ["report.file", "report.take_down"]
    assert audit_actions(other) == ["report.file", "report.take_down"]


def test_a_resolved_report_is_not_resolved_twice(producer, moderator, published_listing):
    report = file(producer, published_listing)
    report_dismiss(moderator=moderator, report=report, reason="Not infringing.")
    with pytest.raises(Conflict):
        report_take_down(moderator=moderator, report=report, reason="Changed my mind.")
    published_listing.refresh_from_db()
    assert published_listing.status == ListingStatus.PUBLISHED


# --- API ------------------------------------------------------------------------------


def test_file_and_follow_a_report_over_the_api(client_for, producer, moderator,
                                               published_listing):
    client = client_for(producer)
    response = client.post(URL, {"listing": published_listing.pk, "kind": "personal_rights",
                                 "description": "My portrait is used without consent."},
                           format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["kind"], body["listing"]) == (
        "open", "personal_rights", published_listing.pk)
    assert client.get(URL).json()["results"][0]["id"] == body["id"]

    mod = client_for(moderator)
    queue = mod.get(MOD_URL).json()["results"]
    assert [row["id"] for row in queue] == [body["id"]]
    assert queue[0]["reporter"]["email"] == "producer@example.com"
    resolved = mod.post(f"{MOD_URL}{body['id']}/take-down/",
                        {"reason": "Portrait used without consent."}, format="json")
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "taken_down"

    mine = client.get(f"{URL}{body['id']}/").json()
    assert (mine["status"], mine["resolution_reason"]) == (
        "taken_down", "Portrait used without consent.")
    assert mod.get(MOD_URL, {"status": "all"}).json()["count"] == 1
    assert mod.get(MOD_URL).json()["count"] == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "boring"}, "kind"),
    ({"description": ""}, "description"),
    ({"evidence_url": "not a link"}, "evidence_url"),
    ({"listing": "x"}, "listing"),
    ({"listing": 999999}, "listing"),
    ({"status": "dismissed"}, "status"),
])
def test_bad_report_over_the_api_is_a_400_naming_the_field(client_for, producer,
                                                           published_listing, change, field):
    data = {"listing": published_listing.pk, "kind": "fraud", "description": "Spam.", **change}
    response = client_for(producer).post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Report.objects.exists()


def test_a_draft_cannot_be_reported_by_a_stranger(client_for, producer, draft_listing):
    response = client_for(producer).post(
        URL, {"listing": draft_listing.pk, "kind": "fraud", "description": "Spam."},
        format="json")
    assert response.status_code == 400
    assert "listing" in response.json()["fields"]


def test_a_second_open_report_is_a_409_and_a_flood_a_429(client_for, producer, monkeypatch,
                                                        published_listing):
    client = client_for(producer)
    data = {"listing": published_listing.pk, "kind": "fraud", "description": "Spam."}
    assert client.post(URL, data, format="json").status_code == 201
    assert client.post(URL, data, format="json").status_code == 409
    monkeypatch.setattr(report_services, "REPORTS_PER_HOUR", 1)
    other = factories.make_listing(status=ListingStatus.PUBLISHED)
    response = client.post(URL, {**data, "listing": other.pk}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_only_moderators_see_the_queue_and_resolve(client_for, producer, other_creator,
                                                   published_listing):
    report = file(producer, published_listing)
    for user in (producer, other_creator, None):
        client = client_for(user)
        assert client.get(MOD_URL).status_code in (401, 403)
        assert client.post(f"{MOD_URL}{report.pk}/dismiss/", {"reason": "x"},
                           format="json").status_code in (401, 403)
    # another user's report is not found for a non-moderator
    assert client_for(other_creator).get(f"{URL}{report.pk}/").status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_dismiss_without_a_reason_is_a_400(client_for, producer, moderator, published_listing):
    report = file(producer, published_listing)
    response = client_for(moderator).post(f"{MOD_URL}{report.pk}/dismiss/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert client_for(moderator).get(MOD_URL, {"status": "bogus"}).status_code == 400
