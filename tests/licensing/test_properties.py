"""Property-based: whatever sequence of deals producers ask for, the ledger admits
exactly what the reference model (tests/licensing/reference.py) admits, never
holds two conflicting rights, and answers availability the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange.errors import Conflict
from licensing import services
from licensing.models import RightsClaim
from licensing.selectors import available_listing_ids

from .conftest import custom_terms, days_ahead
from .reference import Right, any_conflict, conflict, rights_of

pytestmark = pytest.mark.django_db

MEDIA = ["immersive", "game"]
TERRITORY_SETS = [["KR"], ["JP"], ["WW"], ["JP", "KR"]]
BASE = 10  # days ahead of today: requests may not start in the past

periods = st.tuples(st.integers(0, 20), st.integers(0, 12)).map(
    lambda p: (days_ahead(BASE + p[0]), days_ahead(BASE + p[0] + p[1]))
)
proposals = st.fixed_dictionaries({
    "media": st.lists(st.sampled_from(MEDIA), min_size=1, max_size=2, unique=True),
    "territories": st.sampled_from(TERRITORY_SETS),
    "period": periods,
    "exclusive": st.booleans(),
})
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _rights(p: dict) -> list[Right]:
    return rights_of(p["media"], p["territories"], *p["period"], p["exclusive"])


def _terms(p: dict) -> dict:
    start, end = p["period"]
    return custom_terms(media=p["media"], territories=p["territories"], start_date=start,
                        end_date=end, exclusive=p["exclusive"])


def _ledger(listing) -> list[Right]:
    return [Right(c.medium, c.territory, c.start_date, c.end_date, c.exclusive)
            for c in RightsClaim.objects.filter(listing=listing, active=True)]


@SETTINGS
@given(sequence=st.lists(proposals, min_size=1, max_size=6),
       query=proposals)
def test_the_ledger_admits_what_the_reference_admits(owner, producer, listing, sequence, query):
    with transaction.atomic():
        held: list[Right] = []
        for proposal in sequence:
            expected = not any_conflict(_rights(proposal), held)
            try:
                deal = services.deal_request(producer=producer, listing=listing,
                                             production="VR", terms=_terms(proposal))
                services.deal_accept(actor=owner, deal=deal)
                admitted = True
            except Conflict as refused:
                assert refused.code == "rights_unavailable"
                admitted = False
            assert admitted == expected, (proposal, held)
            if admitted:
                held.extend(_rights(proposal))

        ledger = _ledger(listing)
        assert sorted(map(repr, ledger)) == sorted(map(repr, held))
        assert not any(conflict(a, b) for i, a in enumerate(ledger) for b in ledger[i + 1:])

        for medium in query["media"]:
            for territory in query["territories"]:
                start, end = query["period"]
                wanted = Right(medium, territory, start, end, query["exclusive"])
                free = [listing.pk] if not any_conflict([wanted], held) else []
                assert available_listing_ids([listing.pk], medium, territory, start, end,
                                             query["exclusive"]) == free
        transaction.set_rollback(True)


@given(a=proposals, b=proposals)
def test_the_reference_rules_are_symmetric_and_non_exclusive_pairs_never_conflict(a, b):
    ra, rb = _rights(a), _rights(b)
    assert any_conflict(ra, rb) == any_conflict(rb, ra)
    if not a["exclusive"] and not b["exclusive"]:
        assert not any_conflict(ra, rb)


def test_an_exclusive_worldwide_right_conflicts_with_every_country():
    ww = Right("game", "WW", dt.date(2030, 1, 1), dt.date(2030, 1, 1), True)
    assert all(conflict(ww, Right("game", c, ww.start, ww.end, False)) for c in ("KR", "JP"))
