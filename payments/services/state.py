"""Moving a payment along payments.workflow: a conditional update of its row
(status as read) and an audit row, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Conflict

from ..models import Payment
from ..workflow import TRANSITIONS


def payment_move(*, payment: Payment, action: str, actor: User | None, now: dt.datetime,
                 reason: str = "", data: dict | None = None, **changes) -> Payment:
    """Exactly one row changes, or Conflict; `payment` is refreshed in place. A reason
    is kept on the payment (why it was refused, failed or canceled) and in the audit."""
    sources, target = TRANSITIONS[action]
    if reason:
        changes["reason"] = reason
    if payment.status not in sources:
        raise Conflict(_("Payment %(reference)s is %(status)s; it cannot change that way.")
                       % {"reference": payment.reference,
                          "status": payment.get_status_display().lower()},
                       code="invalid_transition")
    updated = Payment.objects.filter(pk=payment.pk, status=payment.status).update(
        status=target, updated_at=now, **changes)
    if updated != 1:
        raise Conflict(_("The payment changed meanwhile; reload it and try again."),
                       code="stale_payment")
    from_status = payment.status
    payment.refresh_from_db()
    audit_record(actor=actor, action=f"payment.{action}", target=payment,
                 from_state=from_status, to_state=target, reason=reason, data=data)
    return payment
