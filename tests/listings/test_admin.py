"""The moderators' review queue in the Django admin: the same decisions as the
API, through the same services, with the same audit rows."""

import pytest
from django.test import Client

from exchange.audit.models import AuditEntry
from listings.models import ListingStatus
from tests.factories import listing_snapshot, make_listing

pytestmark = pytest.mark.django_db

S = ListingStatus
QUEUE = "/admin/listings/submittedlisting/"
ALL_LISTINGS = "/admin/listings/listing/"


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def run_action(client, url, action, listings, reason=""):
    return client.post(
        url,
        {
            "action": action,
            "_selected_action": [listing.pk for listing in listings],
            "reason": reason,
            "index": 0,
        },
        follow=True,
    )


def test_the_queue_shows_submitted_listings_only(moderator, owner):
    waiting = make_listing(owner=owner, status=S.SUBMITTED, title="Waiting for review")
    make_listing(owner=owner, status=S.DRAFT, title="Still a draft")
    make_listing(owner=owner, status=S.PUBLISHED, title="Already live")

    response = signed_in(moderator).get(QUEUE)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("pk", flat=True)) == [waiting.pk]
    assert "Waiting for review" in response.content.decode()
    assert '<option value="approve">' in response.content.decode()


def test_a_moderator_approves_from_the_queue(moderator, owner):
    first = make_listing(owner=owner, status=S.SUBMITTED)
    second = make_listing(owner=owner, status=S.SUBMITTED)

    response = run_action(signed_in(moderator), QUEUE, "approve", [first, second])

    assert response.status_code == 200
    for listing in (first, second):
        listing.refresh_from_db()
        assert listing.status == "published"
        assert listing.published_at is not None
    assert list(
        AuditEntry.objects.filter(action="listing.approve")
        .order_by("id")
        .values_list("actor", "target_id", "from_state", "to_state")
    ) == [
        (moderator.pk, str(first.pk), "submitted", "published"),
        (moderator.pk, str(second.pk), "submitted", "published"),
    ]
    assert "Approve and publish: 2 listing(s)." in response.content.decode()


def test_a_moderator_rejects_with_a_reason(moderator, owner):
    listing = make_listing(owner=owner, status=S.SUBMITTED)

    run_action(signed_in(moderator), QUEUE, "reject", [listing], reason="No rights evidence")

    listing.refresh_from_db()
    assert (listing.status, listing.moderation_reason) == ("rejected", "No rights evidence")
    entry = AuditEntry.objects.get(action="listing.reject")
    assert (entry.actor, entry.from_state, entry.to_state, entry.reason) == (
        moderator,
        "submitted",
        "rejected",
        "No rights evidence",
    )


def test_a_rejection_without_a_reason_changes_nothing_and_says_why(moderator, owner):
    listing = make_listing(owner=owner, status=S.SUBMITTED)
    before = listing_snapshot(listing)

    response = run_action(signed_in(moderator), QUEUE, "reject", [listing], reason="  ")

    assert listing_snapshot(listing) == before
    assert "reason: say why, so the creator can act on it" in response.content.decode()


def test_a_moderator_suspends_a_published_listing_from_the_full_list(moderator, owner):
    listing = make_listing(owner=owner, status=S.PUBLISHED)

    run_action(signed_in(moderator), ALL_LISTINGS, "suspend", [listing], reason="Takedown")

    listing.refresh_from_db()
    assert (listing.status, listing.moderation_reason) == ("suspended", "Takedown")
    assert AuditEntry.objects.filter(action="listing.suspend", actor=moderator).count() == 1


def test_an_action_that_does_not_apply_reports_an_error_and_changes_nothing(moderator, owner):
    listing = make_listing(owner=owner, status=S.PUBLISHED)
    before = listing_snapshot(listing)

    response = run_action(signed_in(moderator), ALL_LISTINGS, "approve", [listing])

    assert listing_snapshot(listing) == before
    assert "Cannot approve a listing that is published." in response.content.decode()


def test_the_listing_form_is_read_only_for_a_moderator(moderator, owner):
    listing = make_listing(owner=owner, status=S.SUBMITTED)
    before = listing_snapshot(listing)

    client = signed_in(moderator)
    page = client.get(f"{QUEUE}{listing.pk}/change/")
    posted = client.post(
        f"{QUEUE}{listing.pk}/change/", {"status": "published", "title": "Changed"}
    )

    assert page.status_code == 200
    assert posted.status_code == 403
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize("url", [QUEUE, ALL_LISTINGS])
def test_staff_outside_the_moderators_group_cannot_see_the_queue(staff, url):
    assert signed_in(staff).get(url).status_code == 403


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_staff_outside_the_moderators_group_cannot_decide(staff, owner, action):
    listing = make_listing(owner=owner, status=S.SUBMITTED)
    before = listing_snapshot(listing)

    response = signed_in(staff).post(
        QUEUE,
        {
            "action": action,
            "_selected_action": [listing.pk],
            "reason": "Sure",
            "index": 0,
        },
    )

    assert response.status_code == 403
    assert listing_snapshot(listing) == before


def test_a_creator_is_sent_to_the_admin_login(owner):
    response = signed_in(owner).get(QUEUE)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_who_may_view_listings_still_cannot_moderate(staff, owner):
    # given staff granted read access to the queue, but not the moderators group
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_submittedlisting"))
    listing = make_listing(owner=owner, status=S.SUBMITTED)
    before = listing_snapshot(listing)
    client = signed_in(staff)

    # then they see the queue without the decisions, and a forged decision does nothing
    page = client.get(QUEUE)
    assert page.status_code == 200
    assert '<option value="approve">' not in page.content.decode()
    run_action(client, QUEUE, "approve", [listing])
    assert listing_snapshot(listing) == before
