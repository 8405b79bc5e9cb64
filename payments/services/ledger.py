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


def split_record(*, payment: Payment, now: dt.datetime, actor: User | None = None) -> None:
    """A completed payment's money is split between the platform and the creator.
    A zero part (a 0 % fee) writes no row."""
    fee, share = fee_split(payment.amount_krw)
    for kind, amount in ((EntryKind.PLATFORM_FEE, fee), (EntryKind.CREATOR_SHARE, share)):
        if amount:
            entry_add(payment=payment, kind=kind, amount_krw=amount, now=now, actor=actor)
