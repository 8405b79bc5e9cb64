"""PostgreSQL: concurrent acceptances of conflicting exclusive deals, and the
exclusion constraint behind the lock.

Personas: `owner` (the creator accepting every deal at once), one producer per deal.
"""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import IntegrityError, connection, connections, transaction

from exchange.errors import Conflict
from licensing import services
from licensing.models import ClaimKind, Deal, DealStatus, RightsClaim
from tests import factories

from .conftest import custom_terms, days_ahead
from .reference import Right, conflict

CONCURRENT_ACCEPTANCES = 24

# serialized_rollback: the flush after a transactional test would otherwise take the
# moderators group (a data migration) from the tests that follow.
pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _competing_terms(index: int) -> dict:
    """Exclusive, all overlapping day 100 in KR, yet not identical."""
    territories = [["KR"], ["WW"], ["JP", "KR"]][index % 3]
    return custom_terms(media=["immersive", "game"][: 1 + index % 2], territories=territories,
                        start_date=days_ahead(60 + index), end_date=days_ahead(100 + index),
                        exclusive=True)


def test_exactly_one_of_many_concurrent_exclusive_acceptances_wins(owner, listing):
    deals = [
        services.deal_request(producer=factories.make_producer(), listing=listing,
                              production=f"Production {i}", terms=_competing_terms(i))
        for i in range(CONCURRENT_ACCEPTANCES)
    ]
    barrier = threading.Barrier(CONCURRENT_ACCEPTANCES)
    outcomes: dict[int, str] = {}

    def accept(deal_id: int) -> None:
        try:
            deal = Deal.objects.get(pk=deal_id)
            barrier.wait(timeout=30)
            services.deal_accept(actor=owner, deal=deal)
            outcomes[deal_id] = "won"
        except Conflict as refused:
            outcomes[deal_id] = refused.code
        except Exception as error:  # anything else is a failure to report
            outcomes[deal_id] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(d.pk,)) for d in deals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcomes.values()) == (
        ["rights_unavailable"] * (CONCURRENT_ACCEPTANCES - 1) + ["won"])
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "won")
    assert list(Deal.objects.filter(status=DealStatus.ACCEPTED).values_list("pk", flat=True)) \
        == [winner]
    claims = list(RightsClaim.objects.filter(listing=listing, active=True))
    assert {c.deal_id for c in claims} == {winner}
    rights = [Right(c.medium, c.territory, c.start_date, c.end_date, c.exclusive)
              for c in claims]
    assert not any(conflict(a, b) for i, a in enumerate(rights) for b in rights[i + 1:])


def test_the_exclusion_constraint_refuses_a_conflicting_row_written_past_the_lock(
    owner, producer, other_producer, listing
):
    assert connection.vendor == "postgresql"
    first = services.deal_accept(actor=owner, deal=services.deal_request(
        producer=producer, listing=listing, production="VR", terms=custom_terms()))
    second = services.deal_request(producer=other_producer, listing=listing, production="Game",
                                   terms=custom_terms(territories=["JP"]))

    # A raw write of a WW right overlapping the exclusive KR hold
    with pytest.raises(IntegrityError), transaction.atomic():
        RightsClaim.objects.create(
            listing=listing, deal=second, kind=ClaimKind.GRANT, medium="immersive",
            territory="WW", start_date=days_ahead(50), end_date=days_ahead(50), exclusive=False)

    # The service, with its own check switched off, still gets a clean 409
    Deal.objects.filter(pk=second.pk).update(territories=["WW"])
    with mock.patch("licensing.services.ledger.blocks_for", return_value=[]), \
            pytest.raises(Conflict) as refused:
        services.deal_accept(actor=owner, deal=second)
    assert refused.value.fields == {"availability": ["taken by a concurrent deal"]}
    assert list(RightsClaim.objects.filter(active=True).values_list("deal_id", flat=True)) \
        == [first.pk]


def test_non_exclusive_rows_never_collide_in_the_constraint(owner, producer, other_producer,
                                                            listing):
    for who in (producer, other_producer):
        deal = services.deal_request(producer=who, listing=listing, production="Exhibition",
                                     terms=custom_terms(exclusive=False, territories=["WW"]))
        services.deal_accept(actor=owner, deal=deal)

    assert RightsClaim.objects.filter(active=True).count() == 2
