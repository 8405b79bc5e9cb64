"""Every change of a deal: request, counter, accept, reject, withdraw, expiry,
hold lapse and payment. Each is a conditional update of the deal's row (status,
move and version as read), a DealTransition row and an audit row in one
transaction; e-mail goes out after commit."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from listings.models import LicenseOffer, Listing, ListingStatus

from .. import workflow
from ..models import ClaimKind, Deal, DealMessage, DealProposal, DealStatus, DealTransition, Party
from ..selectors import blocks_for
from ..terms import TERM_FIELDS, Terms, clean_terms, terms_from_offer
from ..workflow import TRANSITIONS
from . import agreements, ledger

MESSAGE_MAX_CHARS = 5000


def proposal_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.LICENSING_PROPOSAL_EXPIRY_DAYS)


def hold_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.LICENSING_HOLD_HOURS)


def _other(party: str) -> str:
    return Party.PRODUCER if party == Party.CREATOR else Party.CREATOR


def _notify(transition: DealTransition) -> None:
    from ..tasks import send_deal_notification

    transaction.on_commit(lambda: send_deal_notification.delay(transition.pk))


def _record(*, deal: Deal, action: str, actor: User | None, from_status: str, to_status: str,
            reason: str = "", data: dict | None = None, now: dt.datetime) -> DealTransition:
    transition = DealTransition.objects.create(
        deal=deal, action=action, from_status=from_status, to_status=to_status,
        actor=actor, reason=reason, version=deal.version, created_at=now,
    )
    audit_record(actor=actor, action=f"deal.{action}", target=deal, from_state=from_status,
                 to_state=to_status, reason=reason, data=data)
    _notify(transition)
    return transition


def _apply(*, deal: Deal, action: str, actor: User | None, now: dt.datetime, reason: str = "",
           changes: dict | None = None, data: dict | None = None) -> Deal:
    """Move `deal` (as read) along `action`: exactly one row changes or Conflict."""
    target = TRANSITIONS[action].target
    updated = Deal.objects.filter(
        pk=deal.pk, status=deal.status, awaiting=deal.awaiting, version=deal.version
    ).update(status=target, updated_at=now, **(changes or {}))
    if updated != 1:
        raise Conflict(_("The deal changed meanwhile; reload it and try again."),
                       code="stale_deal")
    from_status = deal.status
    deal.refresh_from_db()
    _record(deal=deal, action=action, actor=actor, from_status=from_status, to_status=target,
            reason=reason, data=data, now=now)
    return deal


def _require_allowed(*, actor: User | None, deal: Deal, action: str, reason: str = "") -> str:
    """Who may take `action` now (workflow.TRANSITIONS); returns the cleaned reason."""
    transition = TRANSITIONS[action]
    party = deal.party_of(actor)
    if actor is None:
        # The system (beat tasks, the payments integration) acts without a user,
        # and only where staff or the system may act.
        if transition.by not in (workflow.SYSTEM, workflow.STAFF):
            raise Forbidden(_("This needs a signed-in party."))
    elif transition.by != workflow.SYSTEM:
        if party is None and not (actor and actor.is_staff):
            raise NotFound(_("No deal here."))
        if transition.by == workflow.STAFF and not actor.is_staff:
            raise Forbidden(_("Only staff may do this."))
        if transition.by == workflow.CREATOR and party != Party.CREATOR:
            raise Forbidden(_("Only the creator may do this."))
        if transition.by == workflow.PRODUCER and party != Party.PRODUCER:
            raise Forbidden(_("Only the producer may do this."))
        if transition.by == workflow.CREATOR_OR_STAFF and not (
            party == Party.CREATOR or actor.is_staff
        ):
            raise Forbidden(_("Only the creator or staff may do this."))
        if transition.by == workflow.PARTY_ON_TURN and party is None:
            raise Forbidden(_("Only the parties to the deal may do this."))
    if deal.status not in transition.sources:
        raise Conflict(_("Cannot %(action)s a deal that is %(status)s.")
                       % {"action": workflow.ACTION_VERBS.get(action, action),
                          "status": deal.get_status_display().lower()},
                       code="invalid_transition")
    if transition.by == workflow.PARTY_ON_TURN and party != deal.awaiting:
        raise Conflict(_("It is the other party's move."), code="not_your_move")
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise InvalidInput.for_field("reason", _("say why, so the other party can act on it"))
    return reason


def _refuse_if_expired(deal: Deal, now: dt.datetime) -> None:
    """An open proposal past its expiry is expired now (committed), then refused."""
    if Deal.objects.filter(pk=deal.pk, status__in=workflow.OPEN, expires_at__lte=now).exists():
        deal_expire(deal_id=deal.pk, now=now)
        raise Conflict(_("This proposal expired unanswered; start a new request."),
                       code="expired")


def _require_start_not_past(terms: Terms) -> None:
    if terms.start_date < timezone.localdate():
        raise InvalidInput.for_field("start_date", _("must be today or later"))


def _require_available(*, listing_id: int, terms: Terms, exclude_deal_id: int | None = None):
    blocks = blocks_for(listing_id=listing_id, terms=terms, exclude_deal_id=exclude_deal_id)
    if blocks:
        raise ledger.conflict_error(blocks)


# --- negotiation ----------------------------------------------------------------------


def deal_request(*, producer: User, listing: Listing, production: str,
                 offer: LicenseOffer | None = None, terms: dict | None = None,
                 start_date: dt.date | None = None, message: str = "") -> Deal:
    """A producer asks for rights on a published listing: an offer as it stands (from
    `start_date`, today by default) or custom `terms`."""
    if not producer.is_producer:
        raise Forbidden(_("Only producers can request licences; add the producer role."))
    if listing.owner_id == producer.pk:
        raise Forbidden(_("You cannot license your own listing."))
    if listing.status != ListingStatus.PUBLISHED:
        raise Conflict(_("Only published listings can be licensed."), code="not_published")
    production = (production or "").strip()
    if not production:
        raise InvalidInput.for_field("production", _("describe the intended production"))
    if (offer is None) == (terms is None):
        raise InvalidInput.for_field("offer", _("send either an offer or custom terms, not both"))
    if offer is not None:
        if offer.listing_id != listing.pk:
            raise InvalidInput.for_field("offer", _("is not an offer of this listing"))
        raw = terms_from_offer(offer, start_date=start_date or timezone.localdate())
    else:
        raw = terms
    cleaned = clean_terms(raw)
    _require_start_not_past(cleaned)
    now = timezone.now()
    with transaction.atomic():
        _require_available(listing_id=listing.pk, terms=cleaned)
        deal = Deal.objects.create(
            listing=listing, creator_id=listing.owner_id, producer=producer, offer=offer,
            status=DealStatus.REQUESTED, awaiting=Party.CREATOR, version=1,
            production=production[:5000], expires_at=now + proposal_lifetime(),
            created_at=now, updated_at=now, **cleaned.model_fields(),
        )
        DealProposal.objects.create(deal=deal, version=1, side=Party.PRODUCER,
                                    proposed_by=producer, terms=cleaned.as_dict(),
                                    created_at=now)
        _record(deal=deal, action="request", actor=producer, from_status="",
                to_status=DealStatus.REQUESTED, now=now,
                data={"terms": cleaned.as_dict(), "offer_id": offer.pk if offer else None})
        if message.strip():
            DealMessage.objects.create(deal=deal, author=producer, body=message.strip(),
                                       created_at=now)
    return deal


def deal_counter(*, actor: User, deal: Deal, changes: dict, note: str = "") -> Deal:
    """The party whose move it is puts changed terms on the table; the move passes."""
    now = timezone.now()
    _require_allowed(actor=actor, deal=deal, action="counter")
    _refuse_if_expired(deal, now)
    unknown = sorted(set(changes) - set(TERM_FIELDS))
    if unknown:
        raise InvalidInput.for_field(unknown[0], _("is not a term that can be countered"))
    current = Terms.of(deal)
    proposed = clean_terms({**current.model_fields(), **changes})
    if proposed == current:
        raise InvalidInput.for_field("terms", _("a counter must change at least one term"))
    _require_start_not_past(proposed)
    _require_available(listing_id=deal.listing_id, terms=proposed, exclude_deal_id=deal.pk)
    side = deal.party_of(actor)
    with transaction.atomic():
        deal = _apply(deal=deal, action="counter", actor=actor, now=now, reason=note.strip(),
                      changes={**proposed.model_fields(), "version": deal.version + 1,
                               "awaiting": _other(side), "expires_at": now + proposal_lifetime()},
                      data={"terms": proposed.as_dict()})
        DealProposal.objects.create(deal=deal, version=deal.version, side=side,
                                    proposed_by=actor, terms=proposed.as_dict(),
                                    note=note.strip(), created_at=now)
    return deal


def deal_accept(*, actor: User, deal: Deal) -> Deal:
    """The party whose move it is accepts the terms on the table: they are frozen
    and the rights are held until payment (LICENSING_HOLD_HOURS)."""
    now = timezone.now()
    _require_allowed(actor=actor, deal=deal, action="accept")
    _refuse_if_expired(deal, now)
    with transaction.atomic():
        listing = ledger.lock_listing(deal.listing_id)
        _release_expired_holds(listing_id=listing.pk, now=now)
        current = Deal.objects.get(pk=deal.pk)
        _require_allowed(actor=actor, deal=current, action="accept")
        if listing.status != ListingStatus.PUBLISHED:
            raise Conflict(_("The listing is no longer published."), code="not_published")
        hold_until = now + hold_lifetime()
        ledger.claims_place(deal=current, kind=ClaimKind.HOLD, expires_at=hold_until, now=now)
        current = _apply(deal=current, action="accept", actor=actor, now=now,
                         changes={"awaiting": "", "expires_at": None, "accepted_at": now,
                                  "hold_expires_at": hold_until},
                         data={"terms": Terms.of(current).as_dict()})
        agreements.agreement_create(deal=current)
    return current


def deal_reject(*, actor: User, deal: Deal, reason: str) -> Deal:
    now = timezone.now()
    reason = _require_allowed(actor=actor, deal=deal, action="reject", reason=reason)
    _refuse_if_expired(deal, now)
    with transaction.atomic():
        return _apply(deal=deal, action="reject", actor=actor, now=now, reason=reason,
                      changes={"awaiting": "", "expires_at": None, "reason": reason})


def deal_withdraw(*, actor: User, deal: Deal, reason: str = "") -> Deal:
    now = timezone.now()
    reason = _require_allowed(actor=actor, deal=deal, action="withdraw", reason=reason)
    _refuse_if_expired(deal, now)
    with transaction.atomic():
        return _apply(deal=deal, action="withdraw", actor=actor, now=now, reason=reason,
                      changes={"awaiting": "", "expires_at": None, "reason": reason})


def deal_message_post(*, actor: User, deal: Deal, body: str) -> DealMessage:
    if deal.party_of(actor) is None:
        raise NotFound(_("No deal here."))
    body = (body or "").strip()
    if not body:
        raise InvalidInput.for_field("body", _("write a message"))
    if len(body) > MESSAGE_MAX_CHARS:
        raise InvalidInput.for_field("body", _("at most %(count)d characters")
                                     % {"count": MESSAGE_MAX_CHARS})
    with transaction.atomic():
        message = DealMessage.objects.create(deal=deal, author=actor, body=body)
        audit_record(actor=actor, action="deal.message", target=deal,
                     data={"message_id": message.pk})
    return message


# --- the system's moves (beat tasks) ------------------------------------------------


def deal_expire(*, deal_id: int, now: dt.datetime | None = None) -> Deal | None:
    """An open proposal past its expiry closes; anything else is left as it is, so the
    task may run twice."""
    now = now or timezone.now()
    with transaction.atomic():
        deal = Deal.objects.filter(pk=deal_id).first()
        if deal is None or deal.status not in workflow.OPEN or deal.expires_at is None \
                or deal.expires_at > now:
            return deal
        try:
            return _apply(deal=deal, action="expire", actor=None, now=now,
                          changes={"awaiting": "", "expires_at": None},
                          reason="no answer before the proposal expired")
        except Conflict:
            return Deal.objects.get(pk=deal_id)  # someone moved first: nothing to expire


def _lapse(deal: Deal, now: dt.datetime) -> Deal:
    ledger.claims_release(deal=deal, now=now)
    return _apply(deal=deal, action="lapse", actor=None, now=now,
                  reason="payment did not complete before the hold expired")


def _release_expired_holds(*, listing_id: int, now: dt.datetime) -> None:
    """Inside a ledger writer's lock: holds past their expiry give their rights back."""
    expired = Deal.objects.filter(listing_id=listing_id, status=DealStatus.ACCEPTED,
                                  hold_expires_at__lte=now)
    for deal in expired:
        _lapse(deal, now)


def deal_lapse(*, deal_id: int, now: dt.datetime | None = None) -> Deal | None:
    """An accepted deal whose hold expired unpaid releases its rights."""
    now = now or timezone.now()
    with transaction.atomic():
        deal = Deal.objects.filter(pk=deal_id).first()
        if deal is None:
            return None
        ledger.lock_listing(deal.listing_id)
        deal.refresh_from_db()
        if deal.status != DealStatus.ACCEPTED or deal.hold_expires_at > now:
            return deal
        return _lapse(deal, now)


# --- payment --------------------------------------------------------------------------


def _pay(*, deal: Deal, actor: User | None, reference: str = "") -> Deal:
    now = timezone.now()
    with transaction.atomic():
        ledger.lock_listing(deal.listing_id)
        _release_expired_holds(listing_id=deal.listing_id, now=now)
        current = Deal.objects.get(pk=deal.pk)
        _require_allowed(actor=actor, deal=current, action="pay")
        agreements.require_fully_signed(current)
        if current.status == DealStatus.ACCEPTED:
            ledger.holds_to_grants(deal=current)
        else:
            ledger.claims_place(deal=current, kind=ClaimKind.GRANT, now=now)
        current = _apply(deal=current, action="pay", actor=actor, now=now,
                         changes={"paid_at": now, "hold_expires_at": None},
                         data={"payment_reference": reference} if reference else None)
        agreements.certificate_issue(deal=current, now=now)
    return current


def deal_mark_paid(*, actor: User, deal: Deal) -> Deal:
    """Staff confirm a bank transfer or invoice on a deal whose agreement both parties
    signed: the hold becomes grants and the licence gets its certificate. A deal
    whose hold lapsed is licensed only if its rights are still free."""
    _require_allowed(actor=actor, deal=deal, action="pay")
    return _pay(deal=deal, actor=actor)


def deal_payment_completed(*, deal_id: int, reference: str) -> Deal:
    """For the payments integration: the payment `reference` (e.g. a PaymentIntent id)
    completed. Same rules as deal_mark_paid, with the system as actor; a deal
    already licensed is returned as it is, so a repeated webhook changes nothing."""
    deal = Deal.objects.get(pk=deal_id)
    if deal.status == DealStatus.LICENSED:
        return deal
    return _pay(deal=deal, actor=None, reference=reference)


# --- the licence ----------------------------------------------------------------------


def deal_revoke(*, actor: User, deal: Deal, reason: str) -> Deal:
    """The creator or staff revoke a licence for breach: its rights are free again."""
    now = timezone.now()
    reason = _require_allowed(actor=actor, deal=deal, action="revoke", reason=reason)
    with transaction.atomic():
        ledger.lock_listing(deal.listing_id)
        current = Deal.objects.get(pk=deal.pk)
        _require_allowed(actor=actor, deal=current, action="revoke", reason=reason)
        ledger.claims_release(deal=current, now=now)
        return _apply(deal=current, action="revoke", actor=actor, now=now, reason=reason,
                      changes={"reason": reason})


def deal_end(*, deal_id: int, today: dt.date | None = None) -> Deal | None:
    """A licence whose last day has passed ends; its grants stay in the ledger as the
    record of who held what (they cannot overlap any later period)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        deal = Deal.objects.filter(pk=deal_id).first()
        if deal is None or deal.status != DealStatus.LICENSED or deal.end_date >= today:
            return deal
        try:
            return _apply(deal=deal, action="end", actor=None, now=timezone.now(),
                          reason="the licence period ended")
        except Conflict:
            return Deal.objects.get(pk=deal_id)
