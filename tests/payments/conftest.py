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
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from django.test import Client
from django.utils import timezone

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
# `localstripe` is a stateful Stripe fake (PyPI): it runs for the whole session in its own
# process on 127.0.0.1 on a free port, keeps its state in memory (never /tmp) and is
# emptied before each test that uses it. What it lacks (Connect accounts, account links,
# transfers and their reversals) is served by `recorded_stripe`: a local HTTP server that
# answers each expected request with a response recorded from Stripe's API and keeps what
# it received for the test to check. Nothing here reaches the internet.

WEBHOOK_SECRET = "whsec_test_content_ip_exchange"
LOCALSTRIPE_START_TIMEOUT_S = 30
_LOCALSTRIPE_LAUNCHER = """
import sys
from aiohttp import web
from localstripe import resources, server
resources.Store.dump_to_disk = lambda self: None
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", _LOCALSTRIPE_LAUNCHER, str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + LOCALSTRIPE_START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            pytest.fail(f"localstripe exited: {process.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


class LocalStripe:
    """The test's own view of localstripe, as the producer's browser (Stripe.js) and
    Stripe's dashboard would see it."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer sk_test_localstripe"

    def get(self, path: str, **params) -> dict:
        response = self.session.get(self.url + path, params=params, timeout=10)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, **data) -> dict:
        response = self.session.post(self.url + path, data=data, timeout=10)
        response.raise_for_status()
        return response.json()

    def confirm(self, intent_id: str, card: str = "pm_card_visa") -> dict:
        """The producer enters a test card and Stripe.js confirms the intent."""
        self.post(f"/v1/payment_intents/{intent_id}", payment_method=card)
        return self.post(f"/v1/payment_intents/{intent_id}/confirm")

    def events(self, event_type: str) -> list[dict]:
        return self.get("/v1/events", type=event_type)["data"]


@pytest.fixture
def localstripe(localstripe_url, settings) -> LocalStripe:
    """Stripe switched on and pointed at localstripe, emptied for this test."""
    requests.delete(localstripe_url + "/_config/data", timeout=10).raise_for_status()
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_ENABLED = True
    settings.STRIPE_API_BASE = localstripe_url
    settings.PLATFORM_FEE_PERCENT = 10
    return LocalStripe(localstripe_url)


@dataclass
class Exchange:
    """One request the code under test sent, and the recorded answer it got."""

    method: str
    path: str
    form: dict[str, list[str]]
    headers: dict[str, str]


class RecordedStripe:
    """A local HTTP server answering expected Stripe requests, in order, with
    recorded responses. An unexpected request gets a 500 and is kept, so the test
    fails on it."""

    def __init__(self):
        self.expected: list[tuple[str, str, int, dict]] = []
        self.received: list[Exchange] = []
        self.unexpected: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                path, _, query = self.path.partition("?")
                stub.received.append(Exchange(self.command, path, parse_qs(body or query),
                                              dict(self.headers)))
                if stub.expected and stub.expected[0][:2] == (self.command, path):
                    _method, _path, status, payload = stub.expected.pop(0)
                else:
                    stub.unexpected.append(f"{self.command} {path}")
                    status, payload = 500, {"error": {"message": "not recorded",
                                                      "type": "api_error"}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_recorded")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def expect(self, method: str, path: str, payload: dict, status: int = 200) -> None:
        self.expected.append((method, path, status, payload))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorded_stripe(settings):
    stub = RecordedStripe()
    settings.STRIPE_SECRET_KEY = "sk_test_recorded"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_ENABLED = True
    settings.STRIPE_API_BASE = stub.url
    settings.PLATFORM_FEE_PERCENT = 10
    yield stub
    stub.close()
    assert stub.unexpected == []


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
