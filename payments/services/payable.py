"""Whether a deal may be paid now, the same for every way to pay: an invoice,
a card payment, and the receipt or charge that completes one."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.errors import Conflict, Forbidden, NotFound
from licensing.models import Deal, DealStatus, Party
from licensing.selectors import blocks_for
from licensing.services.agreements import require_fully_signed
from licensing.terms import Terms

# Deals that may still become licences by being paid (licensing.workflow "pay").
PAYABLE = (DealStatus.ACCEPTED, DealStatus.LAPSED)


def unpayable_reason(deal: Deal) -> str:
    """Why the deal cannot be licensed by a payment now; empty when it can."""
    if deal.status not in PAYABLE:
        return _("the deal is %(status)s") % {"status": deal.get_status_display().lower()}
    hold_live = (deal.status == DealStatus.ACCEPTED and deal.hold_expires_at
                 and deal.hold_expires_at > timezone.now())
    if not hold_live:
        blocks = blocks_for(listing_id=deal.listing_id, terms=Terms.of(deal),
                            exclude_deal_id=deal.pk)
        if blocks:
            return _("its rights were taken meanwhile: %(blocks)s") % {
                "blocks": "; ".join(b.describe() for b in blocks)}
    return ""


def require_payable(*, actor: User, deal: Deal) -> None:
    """The producer (or staff for them) may start paying an accepted deal whose
    agreement both parties signed and which has a fee to pay."""
    party = deal.party_of(actor)
    if party is None and not actor.is_staff:
        raise NotFound(_("No deal here."))
    if party == Party.CREATOR:
        raise Forbidden(_("The producer pays; only they or staff can start a payment."))
    if deal.status not in PAYABLE:
        raise Conflict(_("A deal that is %(status)s is not paid.")
                       % {"status": deal.get_status_display().lower()},
                       code="invalid_transition")
    require_fully_signed(deal)
    if deal.fee_krw <= 0:
        raise Conflict(_("This licence has no upfront fee to pay."), code="nothing_to_pay")


def require_rights_free(deal: Deal) -> None:
    """Refuse before any money moves when the deal's rights went meanwhile (its hold
    lapsed and another deal took them)."""
    reason = unpayable_reason(deal)
    if reason:
        raise Conflict(_("Deal #%(deal)d can no longer be licensed: %(why)s.")
                       % {"deal": deal.pk, "why": reason},
                       code="rights_unavailable", fields={"availability": [reason]})
