"""Fixtures and hooks shared by the whole suite.

The suite runs in two configurations, chosen by the environment (see
exchange/settings.py): the embedded defaults (SQLite, Celery tasks run eagerly
in-process) and the deployed shape (PostgreSQL via DATABASE_URL, a Redis
broker via CELERY_BROKER_URL and a real worker process).

Sections:
  1. Markers: skip tests whose infrastructure this configuration lacks.
  2. Celery: a real worker process for the broker configuration.
  3. Search index: a folder of its own for every test.
  4. Language and network: services speak English; no test reaches the internet.
Add new shared fixtures under a section of their own.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from django.utils import translation

pytest_plugins = ["tests.personas"]

REPO_ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------
# 1. Markers
#    @pytest.mark.broker    needs a real broker and worker (CELERY_BROKER_URL set)
#    @pytest.mark.postgres  needs PostgreSQL (DATABASE_URL points at it)
# --------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    vendor = connections["default"].vendor
    skip_broker = pytest.mark.skip(reason="CELERY_BROKER_URL is not set: tasks run eagerly")
    skip_postgres = pytest.mark.skip(reason=f"needs PostgreSQL, the database here is {vendor}")
    for item in items:
        if item.get_closest_marker("broker") and not settings.CELERY_BROKER_URL:
            item.add_marker(skip_broker)
        if item.get_closest_marker("postgres") and vendor != "postgresql":
            item.add_marker(skip_postgres)


# --------------------------------------------------------------------------
# 2. Celery worker
#    `celery_worker_process` starts one real worker for the whole session when
#    CELERY_BROKER_URL is set, and is None otherwise (tasks then run eagerly,
#    so a test can use it in both configurations). The worker talks to
#    pytest-django's test database, so a test whose task reads or writes rows
#    must be @pytest.mark.django_db(transaction=True): rows inside the default
#    per-test transaction are invisible to another process. With SQLite the
#    test database lives in memory and the worker cannot share it; mark such
#    tests `postgres` as well.
# --------------------------------------------------------------------------

# A cold start imports Django and every app's tasks; on this 2-core machine
# that takes a few seconds, sentence-transformers and torch being the bulk.
WORKER_START_TIMEOUT_S = 90
WORKER_STOP_TIMEOUT_S = 20
WORKER_LOG_TAIL_LINES = 200


@dataclass
class CeleryWorker:
    hostname: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = WORKER_LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no worker log)"
        return "\n".join(text.splitlines()[-lines:])


def _worker_database_url() -> str | None:
    """DATABASE_URL for the worker: the session's server, but pytest-django's test database
    (its name, e.g. test_exchange, is in settings once the test database exists)."""
    test_db_name = settings.DATABASES["default"]["NAME"]
    configured = os.environ.get("DATABASE_URL", "").strip()
    if configured:
        return urlsplit(configured)._replace(path=f"/{test_db_name}").geturl()
    connection = connections["default"]
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{test_db_name}"
    return None


def _sanitized(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(url)


def _start_worker(app, log_path: Path) -> CeleryWorker:
    env = dict(os.environ)
    database_url = _worker_database_url()
    if database_url:
        env["DATABASE_URL"] = database_url
    hostname = f"pytest-{os.getpid()}@{socket.gethostname()}"
    command = [
        sys.executable, "-m", "celery", "-A", "exchange", "worker",
        "--pool=solo", "--concurrency=1", "-Q", "celery",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--loglevel=INFO", f"--hostname={hostname}",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return CeleryWorker(hostname=hostname, process=process, log_path=log_path)


def _wait_until_ready(app, worker: CeleryWorker) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(
                f"Celery worker exited with code {worker.process.returncode} before answering "
                f"a ping.\n--- worker log ({worker.log_path}) ---\n{worker.log_tail()}",
                pytrace=False,
            )
        if app.control.ping(destination=[worker.hostname], timeout=1.0):
            return
    pytest.fail(
        f"Celery worker did not answer a ping within {WORKER_START_TIMEOUT_S} s.\n"
        f"--- worker log ({worker.log_path}) ---\n{worker.log_tail()}",
        pytrace=False,
    )


def _stop_worker(worker: CeleryWorker) -> None:
    if worker.process.poll() is not None:
        return
    worker.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
    try:
        worker.process.wait(timeout=WORKER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory) -> CeleryWorker | None:
    # Depending on django_db_setup creates the test database first and, since
    # teardown runs in reverse, stops the worker before that database is
    # dropped (PostgreSQL refuses to drop a database still in use).
    if not settings.CELERY_BROKER_URL:
        yield None
        return

    from exchange.celery import app

    try:
        app.control.purge()  # leftovers from an interrupted run would run first
    except Exception as error:  # any failure here means the broker is unreachable
        broker = _sanitized(settings.CELERY_BROKER_URL)
        pytest.fail(f"Cannot reach the Celery broker at {broker}: {error}", pytrace=False)
    worker = _start_worker(app, tmp_path_factory.mktemp("celery") / "worker.log")
    try:
        _wait_until_ready(app, worker)
        yield worker
    finally:
        _stop_worker(worker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach the worker's log to the report of every failed test that used it."""
    report = yield
    worker = getattr(item, "funcargs", {}).get("celery_worker_process")
    if report.failed and isinstance(worker, CeleryWorker):
        report.sections.append((f"celery worker log ({worker.log_path})", worker.log_tail()))
    return report


# --------------------------------------------------------------------------
# 3. Search index
#    Every test gets its own empty index folder, so no test reads or writes
#    the developer's index under ./data, and a web-process reload is checked
#    on every search (no 2-second staleness inside a test).
# --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def search_index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    settings.SEARCH_RELOAD_INTERVAL_S = 0
    return settings.SEARCH_INDEX_DIR


# --------------------------------------------------------------------------
# 4. Language and network
#    Code called outside a request (services, tasks) speaks English, as the
#    assertions about its messages are written; a request speaks its own
#    language (LocaleMiddleware). No test reaches the internet: a connection
#    from the test process to anything but this machine fails at once.
# --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _services_speak_english():
    with translation.override("en"):
        yield


class InternetRefused(OSError):
    pass


def _is_this_machine(host: str) -> bool:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return False
    return all(ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses)


@pytest.fixture(autouse=True, scope="session")
def _no_internet():
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse_outside(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_this_machine(address[0]):
            raise InternetRefused(f"tests may not reach {address[0]}: only this machine")

    def connect(sock, address):
        refuse_outside(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock, address):
        refuse_outside(sock, address)
        return real_connect_ex(sock, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
