"""Fixtures of the payments specifications.

The people and deals come from the licensing specifications (tests/licensing/
conftest.py): `owner` (the creator), `producer` (the payer), `other_producer`,
`other_creator`, `staff`; `accepted_deal` is exclusive immersive rights in KR
for a year at 5,000,000 KRW on `listing` (region KR-29, Gwangju). Every test
ends by checking that the ledger of every deal balances.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from exchange.errors import Conflict
from licensing import services as licensing
from licensing.models import Deal, RightsClaim
from payments.models import LedgerEntry, Payment
from payments.selectors import deal_balance
from payments.services import invoice_issue
from tests.licensing.conftest import (  # noqa: F401  (fixtures used by this folder)
    _tasks_run_in_process,
    accepted_deal,
    listing,
    make_deal,
    other_producer,
    sign_both,
)
from tests.stripe_fakes import (  # noqa: F401  (fixtures used by this folder)
    WEBHOOK_SECRET,
    localstripe,
    localstripe_url,
    recorded_stripe,
    stripe_keys,
)


@pytest.fixture(autouse=True)
def _every_ledger_balances(request):
    """After each test that used the database: every deal with entries balances."""
    if "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")  # set up first, so it is still there when we check
    yield
    unbalanced = {}
    for deal_id in LedgerEntry.objects.values_list("deal_id", flat=True).distinct():
        balance = deal_balance(deal_id=deal_id)
        if not balance.balanced:
            unbalanced[deal_id] = balance
    assert unbalanced == {}


@pytest.fixture
def signed_deal(accepted_deal) -> Deal:  # noqa: F811  (the imported fixture)
    return sign_both(accepted_deal)


@pytest.fixture
def invoice(signed_deal, producer) -> Payment:
    return invoice_issue(actor=producer, deal=signed_deal)


def lapse(deal: Deal) -> Deal:
    """The deal's hold runs out unpaid (its expiry moved into the past) and lapses."""
    past = timezone.now() - dt.timedelta(minutes=1)
    Deal.objects.filter(pk=deal.pk).update(hold_expires_at=past)
    RightsClaim.objects.filter(deal=deal, active=True).update(expires_at=past)
    return licensing.deal_lapse(deal_id=deal.pk)


# --- Stripe on this machine -------------------------------------------------------------
# `localstripe` (with its session's `localstripe_url`), `recorded_stripe` and
# `stripe_keys` come from tests/stripe_fakes.py, shared with the payment pages: Stripe
# switched on and pointed at localstripe, at a local server answering with responses
# recorded from Stripe, or at nothing. Events reach /webhooks/stripe/ signed with
# WEBHOOK_SECRET, as Stripe signs them.


def signature(body: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """Stripe-Signature as Stripe computes it: HMAC-SHA256 over "<t>.<raw body>"."""
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver(event: dict):
    """Stripe delivers a signed event to our endpoint."""
    body = json.dumps(event).encode()
    return Client().post("/webhooks/stripe/", data=body, content_type="application/json",
                         HTTP_STRIPE_SIGNATURE=signature(body))


def entries(deal) -> list[tuple[str, int]]:
    return list(LedgerEntry.objects.filter(deal=deal).order_by("id")
                .values_list("kind", "amount_krw"))


def at_once(count: int, attempt: Callable[[int], str]) -> list[str]:
    """`count` threads (desks 0 to count - 1), each on its own database connection, call
    `attempt(desk)` at the same moment; their outcomes, sorted: what it returned, a
    Conflict's code, or the error (anything else is a failure to report)."""
    barrier = threading.Barrier(count)
    outcomes: dict[int, str] = {}

    def run(desk: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[desk] = attempt(desk)
        except Conflict as refused:
            outcomes[desk] = refused.code
        except Exception as error:  # anything else is a failure to report
            outcomes[desk] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(desk,)) for desk in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes.values())
