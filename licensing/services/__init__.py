"""Every change of state in the licensing app, one function per use case."""

from .deals import (
    deal_accept,
    deal_counter,
    deal_expire,
    deal_lapse,
    deal_mark_paid,
    deal_message_post,
    deal_reject,
    deal_request,
    deal_withdraw,
)

__all__ = [
    "deal_accept",
    "deal_counter",
    "deal_expire",
    "deal_lapse",
    "deal_mark_paid",
    "deal_message_post",
    "deal_reject",
    "deal_request",
    "deal_withdraw",
]
