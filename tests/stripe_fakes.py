"""Stripe on this machine, for the payments specifications and the payment pages.

`localstripe` is a stateful Stripe fake (PyPI): it runs for the whole session in its own
process on 127.0.0.1 on a free port, keeps its state in memory (never /tmp) and is
emptied before each test that uses it. What it lacks (Connect accounts, account links,
transfers and their reversals) is served by `recorded_stripe`: a local HTTP server that
answers each expected request with a response recorded from Stripe's API and keeps what
it received for the test to check. Both fixtures switch Stripe on in the settings and
point the real `stripe` library (through payments.gateways.stripe) at their server.
Nothing here reaches the internet.

`stripe_keys` switches Stripe on with no server at all, for webhook specifications.

A folder uses them by importing the fixtures (`localstripe_url` with `localstripe`,
`recorded_stripe`, or `stripe_keys`) into its conftest or test module.
"""

from __future__ import annotations

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

WEBHOOK_SECRET = "whsec_test_content_ip_exchange"
LOCALSTRIPE_START_TIMEOUT_S = 30
_LOCALSTRIPE_LAUNCHER = """
import sys
from aiohttp import web
from localstripe import resources, server
resources.Store.dump_to_disk = lambda self: None
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def _stripe_on(settings, *, api_base: str, secret_key: str, publishable_key: str) -> None:
    settings.STRIPE_SECRET_KEY = secret_key
    settings.STRIPE_PUBLISHABLE_KEY = publishable_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_ENABLED = True
    settings.STRIPE_API_BASE = api_base
    settings.PLATFORM_FEE_PERCENT = 10


@pytest.fixture
def stripe_keys(settings) -> None:
    """Stripe switched on with no server behind it: for events signed and delivered
    here, where nothing calls Stripe."""
    settings.STRIPE_SECRET_KEY = "sk_test_not_used_here"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_ENABLED = True
    settings.PLATFORM_FEE_PERCENT = 10


# --- localstripe --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _localstripe_start() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", _LOCALSTRIPE_LAUNCHER, str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + LOCALSTRIPE_START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            pytest.fail(f"localstripe exited: {process.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)


def _localstripe_stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


# Every module that imports `localstripe_url` is a fixture of its own to pytest, each
# cached for the session; the process is kept here so a run of several folders still
# starts one. Session fixtures are finalized only when the session ends, so the first
# finalizer stops it and the others find it stopped.
_localstripe_running: dict[str, tuple[subprocess.Popen, str]] = {}


@pytest.fixture(scope="session")
def localstripe_url():
    if "server" not in _localstripe_running:
        _localstripe_running["server"] = _localstripe_start()
    yield _localstripe_running["server"][1]
    running = _localstripe_running.pop("server", None)
    if running is not None:
        _localstripe_stop(running[0])


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
    _stripe_on(settings, api_base=localstripe_url, secret_key="sk_test_localstripe",
               publishable_key="pk_test_localstripe")
    return LocalStripe(localstripe_url)


# --- recorded responses ---------------------------------------------------------------


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
    """Stripe switched on and pointed at a fresh recorded-response server; the test
    fails if our code sent a request it did not expect."""
    stub = RecordedStripe()
    _stripe_on(settings, api_base=stub.url, secret_key="sk_test_recorded",
               publishable_key="pk_test_recorded")
    yield stub
    stub.close()
    assert stub.unexpected == []


# Stripe Connect onboarding of a creator in Korea, recorded from Stripe's API (test mode)
# and trimmed to the fields that matter: a cross-border Express account under the
# `recipient` service agreement, and its onboarding link.
ACCOUNT = "acct_1QkR2wKr4Xmpl3Kr"
ACCOUNT_CREATED = {
    "id": ACCOUNT, "object": "account", "type": "express", "country": "KR",
    "email": "owner@example.com", "business_type": None, "charges_enabled": False,
    "details_submitted": False, "payouts_enabled": False,
    "capabilities": {"transfers": "inactive"},
    "tos_acceptance": {"service_agreement": "recipient"},
    "default_currency": "krw", "metadata": {},
}
ACCOUNT_LINK = {
    "object": "account_link", "created": 1763950000, "expires_at": 1763950300,
    "url": f"https://connect.stripe.com/setup/e/{ACCOUNT}/Qx7Zb1c2D3e4",
}
