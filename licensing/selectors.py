"""Reads of deals and of the rights ledger, through who is asking: a deal is
visible to its two parties (and staff); anyone else gets a 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.regions import WORLDWIDE
from listings.models import MediaAsset, MediaRole

from .models import Agreement, Certificate, ClaimKind, Deal, DealMessage, DealStatus, RightsClaim
from .terms import Terms

DELIVERABLE_SALT = "licensing.deliverable"


def deals_visible_to(user) -> QuerySet[Deal]:
    queryset = Deal.objects.select_related("listing", "creator", "producer")
    if not (user and user.is_authenticated):
        return queryset.none()
    if user.is_staff:
        return queryset
    return queryset.filter(Q(creator=user) | Q(producer=user))


def deal_get(*, user, pk) -> Deal:
    try:
        return deals_visible_to(user).get(pk=pk)
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deal_messages(*, deal: Deal) -> QuerySet[DealMessage]:
    return deal.messages.select_related("author").order_by("created_at", "id")


def agreement_get(*, user, pk) -> Agreement:
    """An agreement of a deal the user may see, or 404."""
    try:
        agreement = Agreement.objects.select_related(
            "deal__listing", "deal__creator", "deal__producer").get(pk=pk)
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    deal_get(user=user, pk=agreement.deal_id)
    return agreement


# --- licences -------------------------------------------------------------------------


def licence_status(deal: Deal, today: dt.date | None = None) -> str | None:
    """active, expired or revoked for a licence; None for a deal that never became one.
    A licence past its last day is expired even before the beat task ends it."""
    today = today or timezone.localdate()
    if deal.status == DealStatus.REVOKED:
        return "revoked"
    if deal.status == DealStatus.ENDED or (deal.status == DealStatus.LICENSED
                                           and deal.end_date < today):
        return "expired"
    if deal.status == DealStatus.LICENSED:
        return "active"
    return None


def licence_is_active(deal: Deal) -> bool:
    return licence_status(deal) == "active"


def certificate_by_code(code: str) -> Certificate:
    """The certificate with this code, for anyone; 404 for anything else."""
    try:
        return Certificate.objects.select_related(
            "deal__listing", "deal__producer__organisation").get(code=code)
    except Certificate.DoesNotExist:
        raise Http404 from None


def deliverables_of(*, deal: Deal) -> QuerySet[MediaAsset]:
    return MediaAsset.objects.filter(listing_id=deal.listing_id, role=MediaRole.DELIVERABLE)


def deliverable_from_token(token: str) -> MediaAsset:
    """The deliverable a download link names, while the link is fresh and the licence
    still active; 404 otherwise, without saying which."""
    max_age = settings.LICENSING_DOWNLOAD_LINK_MINUTES * 60
    try:
        payload = signing.loads(token, salt=DELIVERABLE_SALT, max_age=max_age)
        deal = Deal.objects.get(pk=payload["d"])
        media = deliverables_of(deal=deal).get(pk=payload["m"])
    except (signing.BadSignature, KeyError, TypeError, Deal.DoesNotExist,
            MediaAsset.DoesNotExist):
        raise Http404 from None
    if not licence_is_active(deal):
        raise Http404
    return media


# --- the rights ledger ----------------------------------------------------------------


def _as_list(values: str | Iterable[str]) -> list[str]:
    return [values] if isinstance(values, str) else list(values)


def blocking_claims(
    *,
    listing_ids: Iterable[int],
    media: str | Iterable[str],
    territories: str | Iterable[str],
    start_date: dt.date,
    end_date: dt.date,
    exclusive: bool,
    exclude_deal_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[RightsClaim]:
    """Active claims that a claim with these terms would conflict with: same listing
    and medium, overlapping territory (WW overlaps every country) and inclusive
    period, and at least one side exclusive. A hold past its expiry no longer
    blocks, even before the beat task has released it."""
    now = now or timezone.now()
    territories = _as_list(territories)
    claims = RightsClaim.objects.filter(
        listing_id__in=list(listing_ids), active=True, medium__in=_as_list(media),
        start_date__lte=end_date, end_date__gte=start_date,
    ).filter(Q(kind=ClaimKind.GRANT) | Q(expires_at__gt=now))
    if WORLDWIDE not in territories:
        claims = claims.filter(territory__in=[*territories, WORLDWIDE])
    if not exclusive:
        claims = claims.filter(exclusive=True)
    if exclude_deal_id is not None:
        claims = claims.exclude(deal_id=exclude_deal_id)
    return claims


@dataclass(frozen=True)
class Block:
    """What stands in the way, and nothing about whose it is."""

    medium: str
    territory: str
    start_date: dt.date
    end_date: dt.date
    exclusive: bool
    kind: str

    def describe(self) -> str:
        if self.kind == ClaimKind.GRANT:
            what = _("exclusive licence") if self.exclusive else _("non-exclusive licence")
        else:
            what = (_("exclusive hold awaiting payment") if self.exclusive
                    else _("non-exclusive hold awaiting payment"))
        return _("%(medium)s in %(territory)s from %(start)s to %(end)s: %(what)s") % {
            "medium": self.medium, "territory": self.territory,
            "start": self.start_date.isoformat(), "end": self.end_date.isoformat(),
            "what": what}

    def as_dict(self) -> dict:
        return {"medium": self.medium, "territory": self.territory,
                "start_date": self.start_date.isoformat(),
                "end_date": self.end_date.isoformat(),
                "exclusive": self.exclusive, "kind": self.kind}


def blocks_for(*, listing_id: int, terms: Terms, exclude_deal_id: int | None = None,
               now: dt.datetime | None = None) -> list[Block]:
    claims = blocking_claims(
        listing_ids=[listing_id], media=terms.media, territories=terms.territories,
        start_date=terms.start_date, end_date=terms.end_date, exclusive=terms.exclusive,
        exclude_deal_id=exclude_deal_id, now=now,
    ).order_by("medium", "territory", "start_date", "end_date", "id")
    blocks = (Block(c.medium, c.territory, c.start_date, c.end_date, c.exclusive, c.kind)
              for c in claims)
    return list(dict.fromkeys(blocks))


def available_listing_ids(
    listing_ids: Iterable[int],
    media: str | Iterable[str],
    territory: str | Iterable[str],
    start: dt.date,
    end: dt.date,
    exclusive: bool,
) -> list[int]:
    """For search and recommendations: which of these listings could still license
    these media in this territory for this period, in the order given. Territory
    and media are taken as cleaned values (licensing.terms.clean_*)."""
    listing_ids = list(listing_ids)
    blocked = set(
        blocking_claims(listing_ids=listing_ids, media=media, territories=territory,
                        start_date=start, end_date=end, exclusive=exclusive)
        .values_list("listing_id", flat=True)
    )
    return [pk for pk in listing_ids if pk not in blocked]
