"""Shared pytest fixtures: the people of the specifications and their API clients.

Personas: `owner` (a creator who owns the listing under test), `other_creator`
(a creator who does not), `producer` (a licensee), `moderator` (staff in the
moderators group), `staff` (staff without the group) and the anonymous client.
Loaded for the whole suite through `pytest_plugins` in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from exchange.accounts.models import User
from listings.models import Listing, ListingStatus

from . import factories


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters live in the cache; user ids repeat between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a folder of this test's own, never ./data/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def owner(db) -> User:
    return factories.make_creator(email="owner@example.com", display_name="Owner")


@pytest.fixture
def other_creator(db) -> User:
    return factories.make_creator(email="other@example.com", display_name="Other Creator")


@pytest.fixture
def producer(db) -> User:
    return factories.make_producer(email="producer@example.com", display_name="Producer")


@pytest.fixture
def moderator(db) -> User:
    return factories.make_moderator(email="moderator@example.com", display_name="Moderator")


@pytest.fixture
def staff(db) -> User:
    return factories.make_staff(email="staff@example.com", display_name="Staff")


@pytest.fixture
def client_for() -> Callable[[User | None], APIClient]:
    """An API client signed in as the user (anonymous for None). It asks for English
    so that the framework's own messages can be compared exactly."""

    def build(user: User | None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return build


@pytest.fixture
def anonymous_client(client_for) -> APIClient:
    return client_for(None)


@pytest.fixture
def owner_client(client_for, owner) -> APIClient:
    return client_for(owner)


@pytest.fixture
def moderator_client(client_for, moderator) -> APIClient:
    return client_for(moderator)


@pytest.fixture
def draft_listing(owner) -> Listing:
    return factories.make_listing(owner=owner, status=ListingStatus.DRAFT)


@pytest.fixture
def submitted_listing(owner) -> Listing:
    return factories.make_listing(owner=owner, status=ListingStatus.SUBMITTED)


@pytest.fixture
def published_listing(owner) -> Listing:
    return factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED)


@pytest.fixture
def suspended_listing(owner) -> Listing:
    return factories.make_listing(owner=owner, status=ListingStatus.SUSPENDED)


PERSONAS = ("owner", "other_creator", "producer", "moderator", "anonymous")


@pytest.fixture
def people(owner, other_creator, producer, moderator) -> dict[str, User | None]:
    """Every persona by name; "anonymous" is None."""
    return {
        "owner": owner,
        "other_creator": other_creator,
        "producer": producer,
        "moderator": moderator,
        "anonymous": None,
    }


@pytest.fixture
def client_as(client_for, people) -> Callable[[str], APIClient]:
    """The API client of a persona, by name."""
    return lambda name: client_for(people[name])
