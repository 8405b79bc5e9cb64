"""Download links for licensed deliverables: signed, expiring, and checked again
against the licence when used (licensing.selectors.deliverable_from_token)."""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.errors import NotFound
from listings.models import MediaAsset, MediaRole

from ..models import Deal
from ..selectors import DELIVERABLE_SALT, licence_is_active


def deliverable_link(*, user: User, deal: Deal, media: MediaAsset) -> str:
    """A token for one deliverable of the deal's listing, for the deal's licensee while
    the licence is active."""
    if user.pk != deal.producer_id or not licence_is_active(deal):
        raise NotFound(_("No licensed deliverables here."))
    if media.listing_id != deal.listing_id or media.role != MediaRole.DELIVERABLE:
        raise NotFound(_("No such deliverable."))
    return signing.dumps({"m": media.pk, "d": deal.pk}, salt=DELIVERABLE_SALT)
