"""Writes to the rights ledger. Callers hold the listing's lock (lock_listing)
inside their transaction, so the check and the write see and change the same
ledger; on PostgreSQL the exclusion constraint of migration 0002 refuses any
conflicting row that slipped past anyway."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.errors import Conflict
from listings.models import Listing

from ..models import ClaimKind, Deal, RightsClaim
from ..selectors import Block, blocks_for
from ..terms import Terms


def lock_listing(listing_id: int) -> Listing:
    """Serialise ledger writers of one listing: a row lock on PostgreSQL; on SQLite the
    IMMEDIATE transaction mode (settings) already holds the database's write lock."""
    return Listing.objects.select_for_update().get(pk=listing_id)


def conflict_error(blocks: list[Block]) -> Conflict:
    lines = [block.describe() for block in blocks]
    return Conflict(
        _("These rights are not available: %(blocks)s") % {"blocks": "; ".join(lines)},
        code="rights_unavailable",
        fields={"availability": lines},
    )


def claims_place(*, deal: Deal, kind: str, expires_at: dt.datetime | None = None,
                 now: dt.datetime | None = None) -> list[RightsClaim]:
    """Check the deal's terms against the ledger and write one claim per (medium,
    territory); Conflict naming what blocks (never whose it is) otherwise."""
    now = now or timezone.now()
    terms = Terms.of(deal)
    blocks = blocks_for(listing_id=deal.listing_id, terms=terms, exclude_deal_id=deal.pk, now=now)
    if blocks:
        raise conflict_error(blocks)
    claims = [
        RightsClaim(listing_id=deal.listing_id, deal=deal, kind=kind, medium=medium,
                    territory=territory, start_date=terms.start_date, end_date=terms.end_date,
                    exclusive=terms.exclusive, expires_at=expires_at, created_at=now)
        for medium in terms.media for territory in terms.territories
    ]
    try:
        with transaction.atomic():
            return RightsClaim.objects.bulk_create(claims)
    except IntegrityError as error:
        # Only reachable if a writer bypassed the lock: the PostgreSQL backstop spoke.
        raise Conflict(_("These rights were just taken by another deal."),
                       code="rights_unavailable",
                       fields={"availability": [_("taken by a concurrent deal")]}) from error


def claims_release(*, deal: Deal, now: dt.datetime | None = None) -> int:
    """Deactivate the deal's claims (hold lapsed, licence revoked)."""
    return RightsClaim.objects.filter(deal=deal, active=True).update(
        active=False, released_at=now or timezone.now()
    )


def holds_to_grants(*, deal: Deal) -> int:
    """Payment: the deal's live holds become grants, in place, so the rights never
    stand free between the two."""
    return RightsClaim.objects.filter(deal=deal, active=True, kind=ClaimKind.HOLD).update(
        kind=ClaimKind.GRANT, expires_at=None
    )
