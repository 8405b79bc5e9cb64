"""Plain-function factories for the test suites.

Rows whose state matters (a listing's status) are built through the services,
so a factory-made listing has exactly the offers, timestamps and audit rows the
real workflow would have given it. Catalog-format dicts (`catalog_row`,
`offer`) are what the API and the catalog import accept.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from exchange.accounts.models import User
from listings import services
from listings.inputs import ListingInput
from listings.models import Listing, ListingStatus

PASSWORD = "a-long-and-unusual-passphrase-42"
MODERATORS_GROUP = "moderators"

# 48 words: above the 40 the workflow asks for before review.
DESCRIPTION = (
    "A hand-drawn webtoon about a night market in Gwangju where lantern spirits trade "
    "stories for light. Each chapter follows a different stall keeper, mixing local "
    "dialect, street food and folklore. Characters, backgrounds and colour scripts are "
    "ready for immersive exhibitions, games and merchandise across many territories."
)
SHORT_DESCRIPTION = "Too short to be reviewed: only nine words are here."

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


# --- people ---------------------------------------------------------------------------


def make_user(
    *,
    email: str | None = None,
    password: str = PASSWORD,
    display_name: str | None = None,
    is_creator: bool = False,
    is_producer: bool = False,
    **fields: Any,
) -> User:
    n = _next()
    user = User.objects.create_user(
        email=email or f"user{n}@example.com",
        password=None,
        display_name=display_name or f"User {n}",
        is_creator=is_creator,
        is_producer=is_producer,
        **fields,
    )
    user.password = _hashed(password)
    user.save(update_fields=["password"])
    return user


@functools.cache
def _hashed(password: str) -> str:
    # Hashing is slow on purpose (PBKDF2, ~0.3 s here); a test suite hashes each password once.
    return make_password(password)


def make_creator(**fields: Any) -> User:
    fields.setdefault("display_name", "Creator")
    return make_user(is_creator=True, **fields)


def make_producer(**fields: Any) -> User:
    fields.setdefault("display_name", "Producer")
    return make_user(is_producer=True, **fields)


def make_moderator(**fields: Any) -> User:
    """Staff in the "moderators" group (the group and its permissions come from
    migration listings/0002)."""
    fields.setdefault("display_name", "Moderator")
    user = make_user(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return User.objects.get(pk=user.pk)  # fresh: no permission cache from before the group


def make_staff(**fields: Any) -> User:
    """Staff without the moderators group: may enter the admin, may not moderate."""
    fields.setdefault("display_name", "Staff")
    return make_user(is_staff=True, **fields)


# --- catalog-format input -------------------------------------------------------------


def offer(**overrides: Any) -> dict[str, Any]:
    """One license offer in the catalog format."""
    return {
        "media": ["immersive", "exhibition"],
        "territory": ["KR"],
        "term_months": 12,
        "exclusive": False,
        "price_krw": 3_000_000,
        "royalty_pct": None,
        **overrides,
    }


def catalog_row(**overrides: Any) -> dict[str, Any]:
    """A complete, valid listing in the catalog format: it can be submitted as is."""
    n = _next()
    return {
        "external_id": f"EXT-{n:04d}",
        "title": f"Lantern Market Night {n}",
        "summary": "Folklore webtoon from a Gwangju night market.",
        "description": DESCRIPTION,
        "language": "en",
        "ip_type": "webtoon",
        "region": "KR-29",
        "tags": ["folklore", "night market"],
        "asset_formats": ["png", "psd"],
        "creator": "Studio Lantern",
        "copyright_registration_number": "C-2024-012345",
        "license_offers": [offer()],
        **overrides,
    }


# --- listings -------------------------------------------------------------------------

# How to reach each status from a fresh draft: (actor, service) steps.
_PATHS: dict[str, list[tuple[str, str]]] = {
    ListingStatus.DRAFT: [],
    ListingStatus.SUBMITTED: [("owner", "listing_submit")],
    ListingStatus.PUBLISHED: [("owner", "listing_submit"), ("moderator", "listing_approve")],
    ListingStatus.REJECTED: [("owner", "listing_submit"), ("moderator", "listing_reject")],
    ListingStatus.CHANGES_REQUESTED: [
        ("owner", "listing_submit"),
        ("moderator", "listing_request_changes"),
    ],
    ListingStatus.SUSPENDED: [
        ("owner", "listing_submit"),
        ("moderator", "listing_approve"),
        ("moderator", "listing_suspend"),
    ],
    ListingStatus.ARCHIVED: [
        ("owner", "listing_submit"),
        ("moderator", "listing_approve"),
        ("owner", "listing_archive"),
    ],
}
_REASONS = {
    "listing_reject": "Rights evidence does not match the creator.",
    "listing_request_changes": "Add the colour scripts to the description.",
    "listing_suspend": "Infringement report under review.",
}


def factory_moderator() -> User:
    """The moderator that factories use to move listings along (one per test database)."""
    user = User.objects.filter(email="factory-moderator@example.com").first()
    return user or make_moderator(
        email="factory-moderator@example.com", display_name="Factory Moderator"
    )


def make_listing(
    *,
    owner: User | None = None,
    status: str = ListingStatus.DRAFT,
    moderator: User | None = None,
    **overrides: Any,
) -> Listing:
    """A listing created by `owner` through the services and moved to `status`
    along the real workflow. `overrides` are catalog-format fields."""
    owner = owner or make_creator()
    data = ListingInput(data=catalog_row(**overrides))
    data.is_valid(raise_exception=True)
    listing = services.listing_create(owner=owner, data=data.validated_data)
    for who, name in _PATHS[status]:
        actor = owner if who == "owner" else (moderator or factory_moderator())
        service = getattr(services, name)
        kwargs = {"reason": _REASONS[name]} if name in _REASONS else {}
        listing = service(actor=actor, listing=listing, **kwargs)
    listing.refresh_from_db()
    assert listing.status == status
    return listing


# --- "nothing changed" ----------------------------------------------------------------


def listing_snapshot(listing: Listing) -> dict[str, Any]:
    """Everything a request could have changed about a listing: its row (with
    updated_at), its offers, its media rows and its audit rows."""
    from exchange.audit.models import AuditEntry

    return {
        "row": Listing.objects.filter(pk=listing.pk).values().get(),
        "offers": list(listing.offers.order_by("position", "id").values()),
        "media": list(listing.media.order_by("id").values()),
        "audit": list(
            AuditEntry.objects.filter(target_type="listings.listing", target_id=str(listing.pk))
            .order_by("id")
            .values_list("id", flat=True)
        ),
    }
