"""Writes to the money ledger, inside the transaction of the change they record."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from exchange.accounts.models import User

from ..models import EntryKind, LedgerEntry, Payment


def fee_split(amount_krw: int, percent: int | None = None) -> tuple[int, int]:
    """(platform fee, creator share) of an amount. The fee is rounded down to a whole
    won, so an odd won goes to the creator and the two always add up to the amount."""
    percent = settings.PLATFORM_FEE_PERCENT if percent is None else percent
    fee = amount_krw * percent // 100
    return fee, amount_krw - fee


def entry_add(*, payment: Payment, kind: str, amount_krw: int, now: dt.datetime,
              actor: User | None = None, external_id: str = "", note: str = "") -> LedgerEntry:
    return LedgerEntry.objects.create(
        deal_id=payment.deal_id, payment=payment, kind=kind, amount_krw=amount_krw,
        external_id=external_id, actor=actor, note=note, created_at=now,
    )


def split_record(*, payment: Payment, now: dt.datetime, actor: User | None = None,
                 fee_krw: int | None = None) -> None:
    """A completed payment's money is split between the platform and the creator.
    `fee_krw` is a fee already taken (a destination charge's application fee, as
    Stripe kept it); else the fee is PLATFORM_FEE_PERCENT of it now. A zero part
    (a 0 % fee) writes no row."""
    fee, share = fee_split(payment.amount_krw)
    if fee_krw is not None:
        fee, share = fee_krw, payment.amount_krw - fee_krw
    for kind, amount in ((EntryKind.PLATFORM_FEE, fee), (EntryKind.CREATOR_SHARE, share)):
        if amount:
            entry_add(payment=payment, kind=kind, amount_krw=amount, now=now, actor=actor)


def _payment_sum(payment: Payment, kind: str, *, sign: int) -> int:
    rows = LedgerEntry.objects.filter(payment=payment, kind=kind)
    rows = rows.filter(amount_krw__gt=0) if sign > 0 else rows.filter(amount_krw__lt=0)
    return abs(sum(rows.values_list("amount_krw", flat=True)))


def split_reverse(*, payment: Payment, amount_krw: int, refunded_before_krw: int,
                  now: dt.datetime, actor: User | None = None, note: str = "") -> int:
    """A refund of `amount_krw` out of a split payment takes back the platform fee
    and the creator's share in the proportion they were split. The fee taken back
    so far is always floor(fee x refunded / paid), so refunds in several parts add
    up to exactly the split, and a full refund reverses it to zero. Returns the
    creator's part."""
    fee_total = _payment_sum(payment, EntryKind.PLATFORM_FEE, sign=1)
    fee_back = _payment_sum(payment, EntryKind.PLATFORM_FEE, sign=-1)
    refunded_after = refunded_before_krw + amount_krw
    fee_part = fee_total * refunded_after // payment.amount_krw - fee_back
    share_part = amount_krw - fee_part
    for kind, amount in ((EntryKind.PLATFORM_FEE, fee_part),
                         (EntryKind.CREATOR_SHARE, share_part)):
        if amount:
            entry_add(payment=payment, kind=kind, amount_krw=-amount, now=now, actor=actor,
                      note=note)
    return share_part
