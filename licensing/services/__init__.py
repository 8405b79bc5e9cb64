"""Every change of state in the licensing app, one function per use case."""

from .agreements import agreement_sign
from .deals import (
    deal_accept,
    deal_counter,
    deal_end,
    deal_expire,
    deal_lapse,
    deal_mark_paid,
    deal_message_post,
    deal_payment_completed,
    deal_reject,
    deal_request,
    deal_revoke,
    deal_withdraw,
)
from .deliverables import deliverable_link

__all__ = [
    "agreement_sign",
    "deal_accept",
    "deal_counter",
    "deal_end",
    "deal_expire",
    "deal_lapse",
    "deal_mark_paid",
    "deal_message_post",
    "deal_payment_completed",
    "deal_reject",
    "deal_request",
    "deal_revoke",
    "deal_withdraw",
    "deliverable_link",
]
