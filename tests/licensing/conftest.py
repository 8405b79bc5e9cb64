"""Fixtures of the licensing specifications.

People (from tests/personas.py): `owner` (the creator whose listing is licensed),
`producer` (the licensee), `other_producer` and `other_creator` (strangers to the
deal), `staff` (marks payments). `listing` is a published listing of `owner`
with one standard offer: immersive + exhibition, KR, 12 months, non-exclusive,
3,000,000 KRW.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from exchange.accounts.models import User
from exchange.celery import app as celery_app
from licensing import services
from licensing.models import Deal
from listings.models import Listing, ListingStatus
from tests import factories


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """E-mail and sweep tasks run in the test's own process and transaction, also
    when the suite runs against a real broker (the worker cannot see rows of an
    uncommitted test transaction)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def days_ahead(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def custom_terms(**overrides: Any) -> dict[str, Any]:
    """Valid custom terms in the API's shape: exclusive immersive rights in KR for
    2027 relative dates (30 days from now, for a year)."""
    return {
        "media": ["immersive"],
        "territories": ["KR"],
        "start_date": days_ahead(30),
        "end_date": days_ahead(394),
        "exclusive": True,
        "fee_krw": 5_000_000,
        "royalty_pct": None,
        **overrides,
    }


def as_json(terms: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in terms.items()}


@pytest.fixture
def other_producer(db) -> User:
    return factories.make_producer(email="other-producer@example.com",
                                   display_name="Other Producer")


@pytest.fixture
def listing(owner) -> Listing:
    return factories.make_listing(owner=owner, status=ListingStatus.PUBLISHED,
                                  title="달빛 야시장 Lantern Market")


@pytest.fixture
def make_deal(producer, listing):
    """A requested deal on `listing` through the service, custom terms by default."""

    def build(*, by: User | None = None, on: Listing | None = None, production: str =
              "A VR exhibition at the Asia Culture Center", **terms: Any) -> Deal:
        return services.deal_request(producer=by or producer, listing=on or listing,
                                     production=production, terms=custom_terms(**terms))

    return build


@pytest.fixture
def accepted_deal(make_deal, owner) -> Deal:
    deal = make_deal()
    return services.deal_accept(actor=owner, deal=deal)


def sign_both(deal: Deal) -> Deal:
    """Both parties sign the deal's agreement over the hash they were shown."""
    agreement = deal.agreement
    for signer in (deal.creator, deal.producer):
        services.agreement_sign(actor=signer, agreement=agreement, sha256=agreement.sha256,
                                ip_address="203.0.113.7", user_agent="pytest")
    return deal


@pytest.fixture
def licensed_deal(accepted_deal, staff) -> Deal:
    sign_both(accepted_deal)
    return services.deal_mark_paid(actor=staff, deal=accepted_deal)
