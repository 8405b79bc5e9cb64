"""A reference model of the conflict rules, small enough to be obviously right:
the specification the ledger is checked against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WW = "WW"


@dataclass(frozen=True)
class Right:
    medium: str
    territory: str
    start: dt.date
    end: dt.date  # inclusive
    exclusive: bool


def conflict(a: Right, b: Right) -> bool:
    return (
        a.medium == b.medium
        and (a.territory == b.territory or WW in (a.territory, b.territory))
        and a.start <= b.end and b.start <= a.end
        and (a.exclusive or b.exclusive)
    )


def rights_of(media, territories, start, end, exclusive) -> list[Right]:
    return [Right(m, t, start, end, exclusive) for m in media for t in territories]


def any_conflict(new: list[Right], held: list[Right]) -> bool:
    return any(conflict(a, b) for a in new for b in held)
