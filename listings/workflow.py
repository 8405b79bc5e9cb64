"""The moderation workflow as a table: which action moves a listing from
which states to which, who may take it, and whether it needs a reason.

draft → submitted → published | rejected | changes_requested;
changes_requested → submitted; published ⇄ suspended; → archived.
"""

from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

from .models import ListingStatus as S


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    by_moderator: bool
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition((S.DRAFT, S.CHANGES_REQUESTED), S.SUBMITTED, by_moderator=False),
    "withdraw": Transition((S.SUBMITTED,), S.DRAFT, by_moderator=False),
    "archive": Transition(
        (S.DRAFT, S.CHANGES_REQUESTED, S.REJECTED, S.PUBLISHED), S.ARCHIVED, by_moderator=False
    ),
    "approve": Transition((S.SUBMITTED,), S.PUBLISHED, by_moderator=True),
    "reject": Transition((S.SUBMITTED,), S.REJECTED, by_moderator=True, needs_reason=True),
    "request_changes": Transition(
        (S.SUBMITTED,), S.CHANGES_REQUESTED, by_moderator=True, needs_reason=True
    ),
    "suspend": Transition((S.PUBLISHED,), S.SUSPENDED, by_moderator=True, needs_reason=True),
    "reinstate": Transition((S.SUSPENDED,), S.PUBLISHED, by_moderator=True),
}

# The verb of each action, for messages ("Cannot approve a listing that is ...").
ACTION_VERBS = {
    "submit": pgettext_lazy("listing action", "submit"),
    "withdraw": pgettext_lazy("listing action", "withdraw"),
    "archive": pgettext_lazy("listing action", "archive"),
    "approve": pgettext_lazy("listing action", "approve"),
    "reject": pgettext_lazy("listing action", "reject"),
    "request_changes": pgettext_lazy("listing action", "request changes to"),
    "suspend": pgettext_lazy("listing action", "suspend"),
    "reinstate": pgettext_lazy("listing action", "reinstate"),
}

# Owners may edit what is not under review or decided against; edits to a
# published listing go live at once and are audited field by field.
EDITABLE_STATUSES = (S.DRAFT, S.CHANGES_REQUESTED, S.PUBLISHED)

# A listing must carry this much before a moderator sees it (FORMAT.md: 40-250 words).
DESCRIPTION_WORDS = (40, 250)
OFFERS_PER_LISTING = (1, 5)
