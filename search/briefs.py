"""Saved production briefs: keep one, change it, delete it, and run it again.

A saved brief holds the brief, never its results: `saved_brief_recommend` asks the catalog
afresh each time, so a brief opened next month shows what is published and free then.
Input is validated by search.inputs.SavedBriefInput before it reaches these functions.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.errors import Conflict, Forbidden, NotFound
from search.models import SavedBrief
from search.recommend import Brief, recommend
from search.selectors import ResultPage

# Enough for a busy producer's whole year; a bound so one account cannot fill the table.
MAX_SAVED_BRIEFS = 200
FIELDS = ("title", "text", "media", "territory", "start", "end", "budget_krw",
          "preferred_regions", "ip_type", "exclusive")
# What a field left out of the input means: a brief is always written whole.
DEFAULTS = {"media": [], "territory": "", "start": None, "end": None, "budget_krw": None,
            "preferred_regions": [], "ip_type": "", "exclusive": False}


def _require_signed_in(user) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise Forbidden(_("Sign in to save a brief."))


def _values(data: dict) -> dict:
    values = {**DEFAULTS, **{name: data[name] for name in FIELDS if name in data}}
    for name in ("territory", "ip_type"):
        values[name] = values[name] or ""
    return values


def saved_brief_create(*, owner: User, data: dict) -> SavedBrief:
    _require_signed_in(owner)
    with transaction.atomic():
        # Lock the owner's row so two concurrent saves cannot both pass the count.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        if SavedBrief.objects.filter(owner=owner).count() >= MAX_SAVED_BRIEFS:
            raise Conflict(_("You have kept %(count)d briefs; delete one to save another.")
                           % {"count": MAX_SAVED_BRIEFS}, code="too_many_briefs")
        now = timezone.now()
        return SavedBrief.objects.create(owner=owner, created_at=now, updated_at=now,
                                         **_values(data))


def saved_brief_update(*, actor: User, brief: SavedBrief, data: dict) -> SavedBrief:
    """Replace the brief with validated input (a whole brief: PATCH merges before validating)."""
    if brief.owner_id != getattr(actor, "pk", None):
        raise Forbidden(_("Only the brief's owner may change it."))
    values = {**_values(data), "updated_at": timezone.now()}
    with transaction.atomic():
        updated = SavedBrief.objects.filter(pk=brief.pk, owner=actor).update(**values)
        if not updated:
            raise NotFound(_("No such brief."))
    brief.refresh_from_db()
    return brief


def saved_brief_delete(*, actor: User, brief: SavedBrief) -> None:
    if brief.owner_id != getattr(actor, "pk", None):
        raise Forbidden(_("Only the brief's owner may delete it."))
    with transaction.atomic():
        SavedBrief.objects.filter(pk=brief.pk, owner=actor).delete()


# --- reads ---------------------------------------------------------------------------


def saved_briefs_of(user) -> QuerySet[SavedBrief]:
    if not (user and user.is_authenticated):
        return SavedBrief.objects.none()
    return SavedBrief.objects.filter(owner=user)


def saved_brief_get(*, user, pk) -> SavedBrief:
    """One of the user's own briefs; anyone else's is not found (never "forbidden")."""
    try:
        return saved_briefs_of(user).get(pk=pk)
    except (SavedBrief.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def saved_brief_as_input(brief: SavedBrief) -> dict:
    """The brief in the shape SavedBriefInput accepts (what an edit starts from)."""
    data = {name: getattr(brief, name) for name in FIELDS}
    for name in ("start", "end"):
        data[name] = data[name].isoformat() if data[name] else None
    return data


def saved_brief_recommend(*, brief: SavedBrief, limit: int = 20) -> ResultPage:
    """The brief's recommendations as of now. Raises SearchUnavailable while no index is
    served."""
    data = {name: getattr(brief, name) for name in FIELDS if name != "title"}
    data["budget_krw"] = brief.budget_krw
    return recommend(brief=Brief.from_input({**data, "limit": limit}))
