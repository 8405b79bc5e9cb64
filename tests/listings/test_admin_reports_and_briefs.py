"""Reports and saved briefs in the Django admin: listed, filtered and searched, never
changed there (reports are resolved on the moderation pages, briefs by their owners)."""

import pytest
from django.test import Client

from exchange.accounts.models import User
from listings.models import ListingStatus, Report
from listings.services import report_file
from search.briefs import saved_brief_create
from search.models import SavedBrief
from tests.factories import make_listing

pytestmark = pytest.mark.django_db

REPORTS = "/admin/listings/report/"
BRIEFS = "/admin/search/savedbrief/"


@pytest.fixture
def admin_page() -> Client:
    admin = User.objects.create_superuser(email="root@example.com", password="x" * 16,
                                          display_name="Root")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    return client


@pytest.fixture
def report(owner, producer) -> Report:
    listing = make_listing(owner=owner, status=ListingStatus.PUBLISHED, title="Copied Lanterns")
    return report_file(reporter=producer, listing=listing, kind="copyright",
                       description="Our lantern designs, traced.")


@pytest.fixture
def brief(producer) -> SavedBrief:
    return saved_brief_create(owner=producer, data={
        "title": "Night market VR", "text": "lanterns and street food for a VR walk",
        "territory": "KR", "budget_krw": 5_000_000})


def test_reports_are_listed_filtered_and_searched(admin_page, report, owner):
    other = make_listing(owner=owner, status=ListingStatus.PUBLISHED, title="Quiet Hills")
    report_file(reporter=User.objects.get(email="producer@example.com"), listing=other,
                kind="fraud", description="Spam.")

    found = admin_page.get(REPORTS, {"q": "lantern designs"}).content.decode()
    filtered = admin_page.get(REPORTS, {"kind__exact": "fraud"}).content.decode()

    assert "Copied Lanterns" in found and "Quiet Hills" not in found
    assert "Quiet Hills" in filtered and "Copied Lanterns" not in filtered


def test_a_report_is_shown_but_not_changed_in_the_admin(admin_page, report):
    url = f"{REPORTS}{report.pk}/change/"

    page = admin_page.get(url)
    posted = admin_page.post(url, {"status": "dismissed", "resolution_reason": "no"})

    assert page.status_code == 200 and "Our lantern designs, traced." in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert admin_page.get(f"{REPORTS}add/").status_code == 403
    report.refresh_from_db()
    assert (report.status, report.resolution_reason) == ("open", "")


def test_saved_briefs_are_listed_searched_and_read_only(admin_page, brief):
    listed = admin_page.get(BRIEFS, {"q": "producer@example.com"}).content.decode()
    missed = admin_page.get(BRIEFS, {"q": "no such brief"}).content.decode()
    posted = admin_page.post(f"{BRIEFS}{brief.pk}/change/", {"title": "Changed"})

    assert "Night market VR" in listed
    assert "Night market VR" not in missed
    assert posted.status_code == 403
    assert admin_page.post(f"{BRIEFS}{brief.pk}/delete/", {"post": "yes"}).status_code == 403
    brief.refresh_from_db()
    assert brief.title == "Night market VR"
