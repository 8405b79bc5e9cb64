"""The index's health on /healthz, and the beat sweep that catches up with lost tasks."""

from __future__ import annotations

import pytest

from listings import services as listing_services
from search import runtime
from search.models import DirtyListing
from search.selectors import index_health
from search.tasks import search_index_sync_dirty
from tests import factories
from tests.search.conftest import TEA_EN, served_index

pytestmark = pytest.mark.django_db


def test_no_index_is_healthy_while_nothing_is_published():
    assert index_health() == {"ok": True, "state": "missing", "dirty": 0}


def test_a_missing_index_with_published_listings_is_unhealthy(client, monkeypatch):
    # published without the on-commit task running: nothing indexed
    factories.make_listing(status="published", description=TEA_EN)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["search_index"]["ok"] is False
    assert response.json()["search_index"]["state"] == "missing"


def test_a_built_index_reports_its_version_and_size(publish):
    listing = publish(description=TEA_EN)
    health = index_health()
    assert (health["ok"], health["state"], health["listings"], health["dirty"]) == (
        True, "ready", 1, 0)
    assert health["version"] == served_index().version
    assert listing.pk in served_index()


def test_an_index_failure_after_commit_does_not_fail_the_change_and_the_sweep_catches_up(
        publish, indexed, moderator, monkeypatch):
    listing = publish(description=TEA_EN)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("search.services.index_sync", broken)
    with indexed():
        listing_services.listing_suspend(actor=moderator, listing=listing, reason="Check rights.")
    listing.refresh_from_db()
    assert listing.status == "suspended"  # the change stands
    assert DirtyListing.objects.filter(listing_id=listing.pk).exists()
    assert listing.pk in served_index()  # not yet caught up
    monkeypatch.undo()
    search_index_sync_dirty()
    assert listing.pk not in served_index()
    assert not DirtyListing.objects.exists()
    assert runtime.holder().error is None
