"""The deal state machine as a table: which action moves a deal from which
statuses to which, who may take it, and whether it needs a reason.

requested/countered --accept--> accepted (hold placed) --pay--> licensed
requested/countered --counter--> countered (the other party's move)
requested/countered --reject (creator) | withdraw (producer) | expire--> closed
accepted --lapse (hold unpaid)--> lapsed --pay (if still available)--> licensed
licensed --end (period over) | revoke (creator or staff, with reason)--> closed
"""

from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

from .models import DealStatus as S

OPEN = (S.REQUESTED, S.COUNTERED)

# Who may take an action: a party (only on its move when `on_turn`), staff, or
# the system (beat tasks); "creator_or_staff" for revocation.
CREATOR, PRODUCER, STAFF, SYSTEM, CREATOR_OR_STAFF = (
    "creator", "producer", "staff", "system", "creator_or_staff",
)
PARTY_ON_TURN = "party_on_turn"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    by: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(OPEN, S.ACCEPTED, by=PARTY_ON_TURN),
    "counter": Transition(OPEN, S.COUNTERED, by=PARTY_ON_TURN),
    "reject": Transition(OPEN, S.REJECTED, by=CREATOR, needs_reason=True),
    "withdraw": Transition(OPEN, S.WITHDRAWN, by=PRODUCER),
    "expire": Transition(OPEN, S.EXPIRED, by=SYSTEM),
    "lapse": Transition((S.ACCEPTED,), S.LAPSED, by=SYSTEM),
    "pay": Transition((S.ACCEPTED, S.LAPSED), S.LICENSED, by=STAFF),
    "end": Transition((S.LICENSED,), S.ENDED, by=SYSTEM),
    "revoke": Transition((S.LICENSED,), S.REVOKED, by=CREATOR_OR_STAFF, needs_reason=True),
}

# The verb of each action, for messages ("Cannot accept a deal that is ...").
ACTION_VERBS = {
    "accept": pgettext_lazy("deal action", "accept"),
    "counter": pgettext_lazy("deal action", "counter"),
    "reject": pgettext_lazy("deal action", "reject"),
    "withdraw": pgettext_lazy("deal action", "withdraw"),
    "expire": pgettext_lazy("deal action", "expire"),
    "lapse": pgettext_lazy("deal action", "lapse"),
    "pay": pgettext_lazy("deal action", "pay"),
    "end": pgettext_lazy("deal action", "end"),
    "revoke": pgettext_lazy("deal action", "revoke"),
}

# Royalty bounds follow the catalog format (FORMAT.md: 0-50 %).
ROYALTY_PCT_RANGE = (0, 50)
