"""Suspending and reinstating an account: who may, what it does to signing in and to the
owner's listings (out of search and browse, and back), the audit and the API."""

from __future__ import annotations

import pytest
from django.test import Client

from exchange.accounts.services import user_reinstate, user_suspend
from exchange.audit.models import AuditEntry
from exchange.errors import Conflict, Forbidden, InvalidInput
from listings import selectors
from listings.models import ListingStatus
from listings.services import listing_approve, listing_reinstate, listing_suspend
from tests import factories
from tests.search.conftest import _tasks_run_in_process, indexed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
REASON = "Listed works of others as their own, repeatedly."


def user_audit(user) -> list[tuple[str, str]]:
    return list(AuditEntry.objects.filter(target_type="accounts.user", target_id=str(user.pk))
                .order_by("id").values_list("action", "reason"))


@pytest.fixture
def listings_of_owner(owner, indexed):  # noqa: F811
    with indexed():
        return {
            "published": factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED),
            "other_published": factories.make_listing(owner=owner,
                                                      status=ListingStatus.PUBLISHED),
            "draft": factories.make_listing(owner=owner, status=ListingStatus.DRAFT),
        }


def test_suspension_closes_the_account_and_takes_its_listings_out_of_search(
        owner, moderator, listings_of_owner, indexed, anonymous_client):  # noqa: F811
    published = listings_of_owner["published"]
    query = {"q": published.title}
    assert published.pk in [r["id"] for r in
                            anonymous_client.get("/api/v1/search/", query).json()["results"]]
    # when a moderator suspends the owner
    with indexed():
        user = user_suspend(moderator=moderator, user=owner, reason=REASON)
    # then the account is inactive, its published listings suspended with the reason, and
    # neither search nor browse shows them; the draft is left as it was
    assert user.is_active is False
    statuses = {name: type(listing).objects.get(pk=listing.pk).status
                for name, listing in listings_of_owner.items()}
    assert statuses == {"published": "suspended", "other_published": "suspended",
                        "draft": "draft"}
    published.refresh_from_db()
    assert published.moderation_reason == f"Account suspended: {REASON}"
    found = anonymous_client.get("/api/v1/search/", query).json()["results"]
    assert published.pk not in [r["id"] for r in found]
    assert not selectors.published_listings().filter(owner=owner).exists()
    assert user_audit(owner)[-1] == ("user.suspend", REASON)


def test_a_suspended_user_cannot_sign_in_nor_use_an_old_session(owner, moderator):
    session = Client()
    session.force_login(owner)
    assert session.get("/accounts/profile/").status_code == 200
    user_suspend(moderator=moderator, user=owner, reason=REASON)
    assert Client().login(email=owner.email, password=factories.PASSWORD) is False
    assert session.get("/accounts/profile/").status_code == 302  # sent to sign in
    token = Client().post("/api/v1/auth/token/",
                          {"email": owner.email, "password": factories.PASSWORD})
    assert token.status_code == 400
    assert token.json()["code"] == "invalid_credentials"


def test_reinstatement_brings_back_what_the_suspension_took_down(
        owner, moderator, listings_of_owner):
    user_suspend(moderator=moderator, user=owner, reason=REASON)
    # while the account is suspended its listings cannot be reinstated one by one
    with pytest.raises(Conflict) as error:
        listing_reinstate(actor=moderator, listing=listings_of_owner["other_published"])
    assert error.value.code == "owner_suspended"
    # when the account is reinstated
    user = user_reinstate(moderator=moderator, user=owner, reason="Appeal accepted.")
    # then so are the listings its suspension took down, and the draft stays a draft
    assert user.is_active is True
    for listing in listings_of_owner.values():
        listing.refresh_from_db()
    assert [listing.status for listing in listings_of_owner.values()] == [
        ListingStatus.PUBLISHED, ListingStatus.PUBLISHED, ListingStatus.DRAFT]
    assert user_audit(owner) == [("user.suspend", REASON),
                                 ("user.reinstate", "Appeal accepted.")]


def test_a_listing_suspended_again_on_its_own_stays_suspended_after_reinstatement(
        owner, moderator, listings_of_owner):
    user_suspend(moderator=moderator, user=owner, reason=REASON)
    other = listings_of_owner["other_published"]
    # a moderator re-records a separate decision on it while the account is suspended
    AuditEntry.objects.create(actor=moderator, action="listing.note",
                              target_type="listings.listing", target_id=str(other.pk))
    user_reinstate(moderator=moderator, user=owner)
    other.refresh_from_db()
    listings_of_owner["published"].refresh_from_db()
    assert (listings_of_owner["published"].status, other.status) == (
        ListingStatus.PUBLISHED, ListingStatus.SUSPENDED)


def test_a_suspended_owners_submitted_listing_cannot_be_approved(owner, moderator):
    submitted = factories.make_listing(owner=owner, status=ListingStatus.SUBMITTED)
    user_suspend(moderator=moderator, user=owner, reason=REASON)
    with pytest.raises(Conflict) as error:
        listing_approve(actor=moderator, listing=submitted)
    assert error.value.code == "owner_suspended"
    submitted.refresh_from_db()
    assert submitted.status == ListingStatus.SUBMITTED


def test_only_moderators_suspend_and_a_reason_is_required(owner, producer, moderator):
    with pytest.raises(Forbidden):
        user_suspend(moderator=producer, user=owner, reason=REASON)
    with pytest.raises(InvalidInput) as error:
        user_suspend(moderator=moderator, user=owner, reason="  ")
    assert "reason" in error.value.fields
    with pytest.raises(Forbidden):
        user_suspend(moderator=moderator, user=moderator, reason=REASON)
    owner.refresh_from_db()
    assert owner.is_active is True
    assert user_audit(owner) == []


def test_suspend_twice_or_reinstate_an_active_account_is_a_conflict(owner, moderator):
    user_suspend(moderator=moderator, user=owner, reason=REASON)
    with pytest.raises(Conflict):
        user_suspend(moderator=moderator, user=owner, reason=REASON)
    user_reinstate(moderator=moderator, user=owner)
    with pytest.raises(Conflict):
        user_reinstate(moderator=moderator, user=owner)


def test_suspension_over_the_api(client_for, owner, producer, moderator, published_listing):
    url = f"/api/v1/moderation/users/{owner.pk}/"
    assert client_for(producer).post(f"{url}suspend/", {"reason": REASON},
                                     format="json").status_code == 403
    owner.refresh_from_db()
    assert owner.is_active is True
    missing = client_for(moderator).post(f"{url}suspend/", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    done = client_for(moderator).post(f"{url}suspend/", {"reason": REASON}, format="json")
    assert done.status_code == 200 and done.json()["is_active"] is False
    published_listing.refresh_from_db()
    assert published_listing.status == ListingStatus.SUSPENDED
    again = client_for(moderator).post(f"{url}suspend/", {"reason": REASON}, format="json")
    assert again.status_code == 409
    back = client_for(moderator).post(f"{url}reinstate/", {}, format="json")
    assert back.status_code == 200 and back.json()["is_active"] is True
    assert client_for(moderator).get("/api/v1/moderation/users/999999/").status_code == 404


def test_listing_suspend_is_unchanged_for_an_active_owner(owner, moderator, published_listing):
    listing = listing_suspend(actor=moderator, listing=published_listing, reason="Report.")
    listing = listing_reinstate(actor=moderator, listing=listing)
    assert listing.status == ListingStatus.PUBLISHED
