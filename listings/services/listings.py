"""Every change to a listing and its offers, including the moderation workflow."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Conflict, Forbidden, InvalidInput
from search.services import index_mark_dirty

from ..inputs import listing_fields_from_input
from ..models import LicenseOffer, Listing
from ..models import ListingStatus as S
from ..workflow import (
    ACTION_VERBS,
    DESCRIPTION_WORDS,
    EDITABLE_STATUSES,
    OFFERS_PER_LISTING,
    TRANSITIONS,
)


def require_owner(actor: User, listing: Listing) -> None:
    if listing.owner_id != actor.pk:
        raise Forbidden(_("Only the listing's owner may do this."))


def require_moderator(actor: User) -> None:
    if not actor.is_moderator:
        raise Forbidden(_("Only moderators may do this."))


def _offers_replace(listing: Listing, offers: list[dict]) -> None:
    listing.offers.all().delete()
    LicenseOffer.objects.bulk_create(
        LicenseOffer(listing=listing, position=index, **offer) for index, offer in enumerate(offers)
    )


def listing_completeness_problems(listing: Listing) -> dict[str, list[str]]:
    """What a listing still lacks before it can be reviewed or published."""
    problems: dict[str, list[str]] = {}
    words = len(listing.description.split())
    low, high = DESCRIPTION_WORDS
    if not low <= words <= high:
        problems["description"] = [_("must be %(low)d-%(high)d words to submit (it has %(count)d)")
                                   % {"low": low, "high": high, "count": words}]
    offers = listing.offers.count()
    low, high = OFFERS_PER_LISTING
    if not low <= offers <= high:
        problems["license_offers"] = [_("offer %(low)d-%(high)d licenses to submit (it has "
                                        "%(count)d)") % {"low": low, "high": high, "count": offers}]
    return problems


def _require_complete(listing: Listing) -> None:
    problems = listing_completeness_problems(listing)
    if problems:
        summary = "; ".join(f"{field}: {reasons[0]}" for field, reasons in problems.items())
        raise InvalidInput(summary, code="incomplete", fields=problems)


def listing_create(*, owner: User, data: dict, actor: User | None = None,
                   audit_data: dict | None = None) -> Listing:
    """A new draft from validated catalog-format input (listings.inputs.ListingInput).
    `actor` is who brought it in when that is not the owner (a catalog import)."""
    if not owner.is_creator:
        raise Forbidden(_("Only creators can list IP; add the creator role to your profile."))
    fields, offers = listing_fields_from_input(data)
    with transaction.atomic():
        external_id = fields.get("external_id", "")
        if external_id and Listing.objects.filter(owner=owner, external_id=external_id).exists():
            raise Conflict(
                _("You already have a listing with this external_id."),
                code="duplicate_external_id",
                fields={"external_id": [_("already used by another of your listings")]},
            )
        listing = Listing.objects.create(owner=owner, status=S.DRAFT, **fields)
        _offers_replace(listing, offers or [])
        audit_record(actor=actor or owner, action="listing.create", target=listing,
                     to_state=S.DRAFT, data=audit_data)
    return listing


def listing_update(*, actor: User, listing: Listing, data: dict) -> Listing:
    """Apply validated (possibly partial) input; given offers replace all offers."""
    require_owner(actor, listing)
    fields, offers = listing_fields_from_input(data)
    return _listing_apply(actor=actor, listing=listing, fields=fields, offers=offers)


def _listing_apply(
    *, actor: User, listing: Listing, fields: dict, offers: list[dict] | None
) -> Listing:
    """The edit itself, for callers that have already decided the actor may make it
    (the owner via listing_update, staff via the catalog import)."""
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.status not in EDITABLE_STATUSES:
            raise Conflict(
                _("A listing that is %(status)s cannot be edited.")
                % {"status": locked.get_status_display().lower()},
                code="not_editable",
            )
        external_id = fields.get("external_id")
        if external_id and Listing.objects.filter(
            owner=locked.owner, external_id=external_id
        ).exclude(pk=locked.pk).exists():
            raise Conflict(
                _("You already have a listing with this external_id."),
                code="duplicate_external_id",
                fields={"external_id": [_("already used by another of your listings")]},
            )
        changed = sorted(name for name, value in fields.items() if getattr(locked, name) != value)
        for name in changed:
            setattr(locked, name, fields[name])
        locked.save()
        if offers is not None:
            _offers_replace(locked, offers)
            changed.append("license_offers")
        if locked.status == S.PUBLISHED:
            _require_complete(locked)  # a published listing never loses what review required
        audit_record(actor=actor, action="listing.edit", target=locked,
                     from_state=locked.status, to_state=locked.status,
                     data={"fields": changed})
        index_mark_dirty(listing_ids=[locked.pk])
    return locked


def _transition(*, actor: User, listing: Listing, action: str, reason: str = "") -> Listing:
    transition = TRANSITIONS[action]
    if transition.by_moderator:
        require_moderator(actor)
    else:
        require_owner(actor, listing)
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise InvalidInput.for_field("reason", _("say why, so the creator can act on it"))
    now = timezone.now()
    changes: dict = {"status": transition.target, "updated_at": now}
    if transition.by_moderator:
        changes["moderation_reason"] = reason
    elif action == "submit":
        changes.update(moderation_reason="", submitted_at=now)
    if transition.target == S.PUBLISHED:
        changes["published_at"] = now
    with transaction.atomic():
        current = Listing.objects.select_for_update().get(pk=listing.pk)
        if current.status not in transition.sources:
            raise Conflict(
                _("Cannot %(action)s a listing that is %(status)s.")
                % {"action": ACTION_VERBS.get(action, action),
                   "status": current.get_status_display().lower()},
                code="invalid_transition",
            )
        if action == "submit":
            _require_complete(current)
        if transition.target == S.PUBLISHED and not current.owner.is_active:
            raise Conflict(_("The owner's account is suspended; reinstate the account first."),
                           code="owner_suspended")
        Listing.objects.filter(pk=current.pk, status=current.status).update(**changes)
        audit_record(actor=actor, action=f"listing.{action}", target=current,
                     from_state=current.status, to_state=transition.target, reason=reason)
        index_mark_dirty(listing_ids=[current.pk], check_duplicates=action == "submit")
    listing.refresh_from_db()
    return listing


def listing_submit(*, actor: User, listing: Listing) -> Listing:
    return _transition(actor=actor, listing=listing, action="submit")


def listing_withdraw(*, actor: User, listing: Listing) -> Listing:
    return _transition(actor=actor, listing=listing, action="withdraw")


def listing_archive(*, actor: User, listing: Listing) -> Listing:
    return _transition(actor=actor, listing=listing, action="archive")


def listing_approve(*, actor: User, listing: Listing, reason: str = "") -> Listing:
    return _transition(actor=actor, listing=listing, action="approve", reason=reason)


def listing_reject(*, actor: User, listing: Listing, reason: str) -> Listing:
    return _transition(actor=actor, listing=listing, action="reject", reason=reason)


def listing_request_changes(*, actor: User, listing: Listing, reason: str) -> Listing:
    return _transition(actor=actor, listing=listing, action="request_changes", reason=reason)


def listing_suspend(*, actor: User, listing: Listing, reason: str) -> Listing:
    return _transition(actor=actor, listing=listing, action="suspend", reason=reason)


def listing_reinstate(*, actor: User, listing: Listing, reason: str = "") -> Listing:
    return _transition(actor=actor, listing=listing, action="reinstate", reason=reason)


def listing_publish_imported(*, importer: User, listing: Listing) -> Listing:
    """Publish a listing that agency staff imported with --publish, skipping the
    queue; the audit row names the importer. Published listings stay as they are."""
    if not importer.is_staff:
        raise Forbidden(_("Only staff may publish on import."))
    with transaction.atomic():
        current = Listing.objects.select_for_update().get(pk=listing.pk)
        if current.status == S.PUBLISHED:
            return current
        if current.status in (S.SUSPENDED, S.ARCHIVED, S.REJECTED):
            raise Conflict(
                _("A listing that is %(status)s is not re-published by an import.")
                % {"status": current.get_status_display().lower()},
                code="invalid_transition",
            )
        _require_complete(current)
        now = timezone.now()
        Listing.objects.filter(pk=current.pk, status=current.status).update(
            status=S.PUBLISHED, published_at=now, updated_at=now, moderation_reason=""
        )
        audit_record(actor=importer, action="listing.import_publish", target=current,
                     from_state=current.status, to_state=S.PUBLISHED,
                     reason="published by catalog import")
        index_mark_dirty(listing_ids=[current.pk])
    current.refresh_from_db()
    return current
