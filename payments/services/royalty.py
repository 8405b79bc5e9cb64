"""Licences paid by royalties only (an upfront fee of 0 KRW): there is nothing to
invoice or charge, so no Payment and no ledger entry. Once both parties signed
the agreement, staff activate the licence; the deal then becomes licensed exactly
as a paid one (its hold becomes grants, the certificate is issued, both parties are
told), through licensing.services.deal_mark_paid, which writes the deal's
transition and audit rows. The royalties themselves are settled between the
parties as the agreement says, outside the exchange."""

from __future__ import annotations

from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.errors import Conflict, Forbidden
from licensing.models import Deal
from licensing.services import deal_mark_paid
from licensing.services.agreements import require_fully_signed

from .payable import PAYABLE


def royalty_licence_activate(*, actor: User, deal: Deal) -> Deal:
    """Staff activate the licence of a signed deal with no upfront fee. A deal with
    a fee is licensed only when it is paid (invoice or card), so it is refused
    here; a deal whose hold lapsed is licensed only if its rights are still free."""
    if not actor.is_staff:
        raise Forbidden(_("Only staff activate a royalty-only licence."))
    if deal.fee_krw > 0:
        raise Conflict(_("This deal has an upfront fee; it is licensed when that is paid."),
                       code="fee_due")
    if deal.status not in PAYABLE:
        raise Conflict(_("A deal that is %(status)s cannot be activated.")
                       % {"status": deal.get_status_display().lower()},
                       code="invalid_transition")
    require_fully_signed(deal)
    return deal_mark_paid(actor=actor, deal=deal)
