"""The moderation workflow as a table: every action from every status.

Allowed pairs move the listing to the target and write one audit row (actor,
from, to, reason); every other pair is a 409 `invalid_transition` that changes
nothing.
"""

import pytest
from django.utils import timezone

from exchange.audit.models import AuditEntry
from exchange.errors import Conflict, Forbidden
from listings import services
from listings.models import Listing, ListingStatus
from listings.workflow import TRANSITIONS
from tests.factories import (
    SHORT_DESCRIPTION,
    catalog_row,
    listing_snapshot,
    make_listing,
    offer,
)

pytestmark = pytest.mark.django_db

S = ListingStatus
ALL_STATUSES = list(S.values)

# The table the design asks for, written out here rather than read from workflow.py.
EXPECTED = {
    "submit": ({S.DRAFT, S.CHANGES_REQUESTED}, S.SUBMITTED),
    "withdraw": ({S.SUBMITTED}, S.DRAFT),
    "archive": ({S.DRAFT, S.CHANGES_REQUESTED, S.REJECTED, S.PUBLISHED}, S.ARCHIVED),
    "approve": ({S.SUBMITTED}, S.PUBLISHED),
    "reject": ({S.SUBMITTED}, S.REJECTED),
    "request_changes": ({S.SUBMITTED}, S.CHANGES_REQUESTED),
    "suspend": ({S.PUBLISHED}, S.SUSPENDED),
    "reinstate": ({S.SUSPENDED}, S.PUBLISHED),
}
BY_MODERATOR = {"approve", "reject", "request_changes", "suspend", "reinstate"}
PAIRS = [(action, status) for action in EXPECTED for status in ALL_STATUSES]


def test_the_code_table_is_the_designed_table():
    assert {name: (set(t.sources), t.target) for name, t in TRANSITIONS.items()} == EXPECTED


def action_url(listing, action):
    if action in BY_MODERATOR:
        return f"/api/v1/moderation/listings/{listing.pk}/{action.replace('_', '-')}/"
    return f"/api/v1/listings/{listing.pk}/{action}/"


@pytest.mark.parametrize(("action", "status"), PAIRS, ids=[f"{a}-from-{s}" for a, s in PAIRS])
def test_every_action_from_every_status(client_for, owner, moderator, action, status):
    # given a listing in this status, and the persona entitled to the action
    listing = make_listing(owner=owner, status=status)
    before = listing_snapshot(listing)
    actor = moderator if action in BY_MODERATOR else owner
    sources, target = EXPECTED[action]

    # when they take the action (with a reason, which every action accepts)
    response = client_for(actor).post(
        action_url(listing, action), {"reason": "Noted"}, format="json"
    )

    listing.refresh_from_db()
    if status in sources:
        # then the listing moves to the target with one audit row
        assert response.status_code == 200
        assert (response.json()["status"], listing.status) == (target, target)
        new_rows = AuditEntry.objects.exclude(pk__in=before["audit"])
        assert list(
            new_rows.values_list("action", "actor", "from_state", "to_state", "reason", "target_id")
        ) == [
            (
                f"listing.{action}",
                actor.pk,
                status,
                target,
                "Noted" if action in BY_MODERATOR else "",
                str(listing.pk),
            )
        ]
    else:
        # then it is a conflict and nothing changed
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
        assert response.json()["fields"] == {}
        assert listing_snapshot(listing) == before


def test_submit_records_when_and_clears_the_last_decision(owner, moderator):
    listing = make_listing(owner=owner, status=S.CHANGES_REQUESTED)
    assert listing.moderation_reason == "Add the colour scripts to the description."
    started = timezone.now()

    services.listing_submit(actor=owner, listing=listing)

    listing.refresh_from_db()
    assert (listing.status, listing.moderation_reason) == ("submitted", "")
    assert listing.submitted_at >= started


def test_approve_sets_published_at_and_reinstate_refreshes_it(owner, moderator):
    listing = make_listing(owner=owner, status=S.SUBMITTED)
    assert listing.published_at is None

    services.listing_approve(actor=moderator, listing=listing)
    first = Listing.objects.get(pk=listing.pk).published_at
    services.listing_suspend(actor=moderator, listing=listing, reason="Report")
    assert Listing.objects.get(pk=listing.pk).published_at == first
    services.listing_reinstate(actor=moderator, listing=listing)

    listing.refresh_from_db()
    assert listing.status == "published"
    assert listing.published_at >= first


@pytest.mark.parametrize(
    ("action", "status"),
    [("reject", S.SUBMITTED), ("request_changes", S.SUBMITTED), ("suspend", S.PUBLISHED)],
)
@pytest.mark.parametrize("reason", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_a_decision_against_the_creator_needs_a_reason(
    client_for, owner, moderator, action, status, reason
):
    listing = make_listing(owner=owner, status=status)
    before = listing_snapshot(listing)
    body = {} if reason is None else {"reason": reason}

    response = client_for(moderator).post(action_url(listing, action), body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "reason: say why, so the creator can act on it",
        "fields": {"reason": ["say why, so the creator can act on it"]},
    }
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        (
            {"description": SHORT_DESCRIPTION},
            {"description": ["must be 40-250 words to submit (it has 10)"]},
        ),
        ({"license_offers": []}, {"license_offers": ["offer 1-5 licenses to submit (it has 0)"]}),
        (
            {"description": SHORT_DESCRIPTION, "license_offers": []},
            {
                "description": ["must be 40-250 words to submit (it has 10)"],
                "license_offers": ["offer 1-5 licenses to submit (it has 0)"],
            },
        ),
        (
            {"description": " ".join(["word"] * 251)},
            {"description": ["must be 40-250 words to submit (it has 251)"]},
        ),
    ],
    ids=["short-description", "no-offers", "both", "long-description"],
)
def test_an_incomplete_listing_cannot_be_submitted(client_for, owner, overrides, fields):
    listing = make_listing(owner=owner, status=S.DRAFT, **overrides)
    before = listing_snapshot(listing)

    response = client_for(owner).post(f"/api/v1/listings/{listing.pk}/submit/")

    assert response.status_code == 400
    assert response.json()["code"] == "incomplete"
    assert response.json()["fields"] == fields
    assert listing_snapshot(listing) == before


def test_forty_words_and_one_offer_are_enough(client_for, owner):
    listing = make_listing(
        owner=owner, status=S.DRAFT, description=" ".join(["word"] * 40), license_offers=[offer()]
    )

    response = client_for(owner).post(f"/api/v1/listings/{listing.pk}/submit/")

    assert (response.status_code, response.json()["status"]) == (200, "submitted")


def test_editing_a_published_listing_keeps_it_published(client_for, owner):
    listing = make_listing(owner=owner, status=S.PUBLISHED)
    published_at = listing.published_at

    response = client_for(owner).patch(
        f"/api/v1/listings/{listing.pk}/",
        {"title": "Lantern Market, second season", "license_offers": [offer(price_krw=5_000_000)]},
        format="json",
    )

    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.status, listing.title, listing.published_at) == (
        "published",
        "Lantern Market, second season",
        published_at,
    )
    assert list(listing.offers.values_list("price_krw", flat=True)) == [5_000_000]
    entry = AuditEntry.objects.filter(action="listing.edit").get()
    assert (entry.from_state, entry.to_state, entry.data) == (
        "published",
        "published",
        {"fields": ["title", "license_offers"]},
    )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"license_offers": []}, {"license_offers": ["offer 1-5 licenses to submit (it has 0)"]}),
        (
            {"description": SHORT_DESCRIPTION},
            {"description": ["must be 40-250 words to submit (it has 10)"]},
        ),
    ],
)
def test_a_published_listing_cannot_lose_what_review_required(client_for, owner, body, fields):
    listing = make_listing(owner=owner, status=S.PUBLISHED)
    before = listing_snapshot(listing)

    response = client_for(owner).patch(f"/api/v1/listings/{listing.pk}/", body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == fields
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize("status", [S.SUBMITTED, S.REJECTED, S.SUSPENDED, S.ARCHIVED])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_listing_under_review_or_decided_cannot_be_edited(client_for, owner, status, method):
    listing = make_listing(owner=owner, status=status)
    before = listing_snapshot(listing)
    body = catalog_row(title="Sneaky edit") if method == "put" else {"title": "Sneaky edit"}

    response = getattr(client_for(owner), method)(
        f"/api/v1/listings/{listing.pk}/", body, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"
    assert listing_snapshot(listing) == before


def test_a_listing_with_changes_requested_can_be_edited_and_resubmitted(client_for, owner):
    listing = make_listing(owner=owner, status=S.CHANGES_REQUESTED)

    edited = client_for(owner).patch(
        f"/api/v1/listings/{listing.pk}/", {"summary": "With colour scripts"}, format="json"
    )
    submitted = client_for(owner).post(f"/api/v1/listings/{listing.pk}/submit/")

    assert (edited.status_code, edited.json()["status"]) == (200, "changes_requested")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")


def test_the_service_refuses_a_moderator_action_by_a_creator(owner):
    listing = make_listing(owner=owner, status=S.SUBMITTED)
    before = listing_snapshot(listing)

    with pytest.raises(Forbidden):
        services.listing_approve(actor=owner, listing=listing)

    assert listing_snapshot(listing) == before


def test_a_stale_copy_cannot_be_moved_twice(owner, moderator):
    # given two copies of the same submitted listing, as two moderators would hold
    listing = make_listing(owner=owner, status=S.SUBMITTED)
    stale = Listing.objects.get(pk=listing.pk)
    services.listing_approve(actor=moderator, listing=listing)
    rows = AuditEntry.objects.count()

    # when the second moderator rejects with the stale copy
    with pytest.raises(Conflict) as raised:
        services.listing_reject(actor=moderator, listing=stale, reason="Too late")

    # then the first decision stands
    assert raised.value.code == "invalid_transition"
    assert Listing.objects.get(pk=listing.pk).status == "published"
    assert AuditEntry.objects.count() == rows
