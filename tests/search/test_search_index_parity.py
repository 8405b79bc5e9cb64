"""The index is a projection of the published listings: every change reaches it after commit."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from listings import services as listing_services
from listings.inputs import ListingInput
from listings.models import Listing
from search import runtime, services
from search.models import DirtyListing
from tests import factories
from tests.search.conftest import HORROR_EN, TEA_EN, disk_index, served_index

pytestmark = pytest.mark.django_db


def test_published_listings_are_indexed_after_commit_and_drafts_are_not(publish, indexed):
    # given a published listing and a draft
    published = publish(title="Boseong Tea Terraces", description=TEA_EN)
    with indexed():
        draft = factories.make_listing(title="Draft Ghosts", description=HORROR_EN)
    # then only the published one is in the index, served and on disk alike
    assert served_index().ids() == {published.pk}
    assert disk_index().ids() == {published.pk}
    assert draft.pk not in served_index()
    assert DirtyListing.objects.count() == 0


def test_an_edit_of_a_published_listing_reaches_the_index(publish, indexed):
    listing = publish(title="Boseong Tea Terraces", description=TEA_EN)
    version = served_index().version
    data = ListingInput(data={"title": "Green Tea Fields of Boseong"}, partial=True)
    data.is_valid(raise_exception=True)
    with indexed():
        listing_services.listing_update(actor=listing.owner, listing=listing,
                                        data=data.validated_data)
    index = served_index()
    assert index.version == version + 1
    assert index.meta[listing.pk]["title"] == "Green Tea Fields of Boseong"
    assert services.index_check().ok


@pytest.mark.parametrize("service", ["listing_suspend", "listing_archive"])
def test_suspended_or_archived_listings_leave_the_index(publish, indexed, moderator, service):
    listing = publish(title="Boseong Tea Terraces", description=TEA_EN)
    keep = publish(title="Haunted Hanok", description=HORROR_EN)
    actor = moderator if service == "listing_suspend" else listing.owner
    kwargs = {"reason": "Infringement report under review."} if service == "listing_suspend" else {}
    with indexed():
        getattr(listing_services, service)(actor=actor, listing=listing, **kwargs)
    assert served_index().ids() == {keep.pk}
    assert disk_index().ids() == {keep.pk}


def test_a_reinstated_listing_comes_back(publish, indexed, moderator):
    listing = publish(title="Boseong Tea Terraces", description=TEA_EN)
    with indexed():
        listing_services.listing_suspend(actor=moderator, listing=listing, reason="Check rights.")
    with indexed():
        listing_services.listing_reinstate(actor=moderator, listing=listing)
    assert served_index().ids() == {listing.pk}


def test_a_deleted_listing_is_found_and_removed_by_the_check(publish, capsys):
    gone = publish(title="Boseong Tea Terraces", description=TEA_EN)
    kept = publish(title="Haunted Hanok", description=HORROR_EN)
    # a row deleted outside the services (e.g. by a database admin) marks nothing
    Listing.objects.filter(pk=gone.pk).delete()
    with pytest.raises(CommandError):
        call_command("check_search_index")
    assert f"extra: {gone.pk}" in capsys.readouterr().out
    call_command("check_search_index", "--repair")
    assert served_index().ids() == {kept.pk}
    assert services.index_check().ok


def test_check_repairs_a_stale_and_a_missing_listing(publish):
    stale = publish(title="Boseong Tea Terraces", description=TEA_EN)
    missing = publish(title="Haunted Hanok", description=HORROR_EN)
    # changes made behind the services' back: no marks
    Listing.objects.filter(pk=stale.pk).update(title="Renamed Behind Its Back")
    index = disk_index()
    index.remove([missing.pk])
    index.save(runtime.index_dir())
    report = services.index_check()
    assert (report.missing, report.stale, report.extra) == ([missing.pk], [stale.pk], [])
    assert services.index_check(repair=True).repaired
    assert services.index_check().ok
    assert served_index().meta[stale.pk]["title"] == "Renamed Behind Its Back"


def test_a_failed_rebuild_leaves_the_old_index_serving(publish, monkeypatch):
    listing = publish(title="Boseong Tea Terraces", description=TEA_EN)
    before = served_index().version

    def broken(texts):
        raise RuntimeError("embedding model crashed")

    monkeypatch.setattr(runtime.embedder(), "embed_passages", broken)
    with pytest.raises(RuntimeError, match="crashed"):
        call_command("rebuild_search_index")
    monkeypatch.undo()
    runtime.holder()._next_check = float("-inf")
    assert served_index().version == before
    assert disk_index().version == before
    assert served_index().ids() == {listing.pk}
    assert not list(runtime.index_dir().glob(".building-*"))


def test_rebuild_recreates_the_index_from_the_database(publish):
    first = publish(title="Boseong Tea Terraces", description=TEA_EN)
    second = publish(title="Haunted Hanok", description=HORROR_EN)
    for path in runtime.index_dir().iterdir():  # the index lost entirely
        if path.is_file():
            path.unlink()
    call_command("rebuild_search_index")
    assert disk_index().ids() == {first.pk, second.pk}
    assert served_index().ids() == {first.pk, second.pk}


def test_a_sync_task_that_runs_twice_changes_nothing_the_second_time(publish):
    listing = publish(title="Boseong Tea Terraces", description=TEA_EN)
    version = served_index().version
    assert services.index_sync(listing_ids=[listing.pk]).version is None
    assert served_index().version == version


def test_draft_edits_and_submits_leave_the_index_version_alone(publish, indexed):
    publish(title="Boseong Tea Terraces", description=TEA_EN)
    version = served_index().version
    with indexed():
        draft = factories.make_listing(title="Draft Ghosts", description=HORROR_EN)
        listing_services.listing_submit(actor=draft.owner, listing=draft)
    assert disk_index().version == version
    assert DirtyListing.objects.count() == 0
