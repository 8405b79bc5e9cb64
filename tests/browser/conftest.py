"""End-to-end tests in a real browser: Playwright drives Debian's Chromium against
pytest-django's live server (a real HTTP server on a transactional test database).

Sections:
  1. Chromium and Playwright: one browser for the whole package, a fresh context (its own
     cookies, language and viewport) per person in a test.
  2. What every page is checked for: no uncaught script error, no Content-Security-Policy
     violation; screenshots under test-artifacts/browser/.
  3. Background tasks: eager in the embedded configuration; with a broker, a worker of the
     test's own that reads and writes the same search index and media folder as the server.
  4. The files a creator uploads.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import sync_playwright

from exchange.celery import app as celery_app
from tests.browser.browsing import ARTIFACTS, screenshot
from tests.browser.files import cover_png, triangle_glb
from tests.conftest import (
    REPO_ROOT,
    CeleryWorker,
    _stop_worker,
    _wait_until_ready,
    _worker_database_url,
)

CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container: no sandbox (we run as root), no GPU, /dev/shm is small, and
# nothing may reach the internet (no updates, no field trials, no safe-browsing lists).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# A page of this project answers in well under a second on the live server; the first
# search loads the embedding model (~3 s here), the first worker task likewise.
ACTION_TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1280, "height": 900}
LOCALES = {"ko": "ko-KR", "en": "en-US"}


# --------------------------------------------------------------------------
# 1. Chromium and Playwright
# --------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: `make setup` as root installs the Debian package"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    # Playwright's synchronous API keeps an asyncio loop registered as running on this
    # thread while it is open. Django then takes this thread for async code: it refuses ORM
    # calls (the test's own and pytest-django's flush between tests), and it hands out
    # other database connections than the test database's own (asgiref keeps them per
    # context, not per thread, while a loop runs), which lack what pytest-django set up on
    # them (the serialized rollback). No coroutine ever touches the ORM here, so the check
    # is off and this thread keeps its connections exactly while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    own_connections = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in own_connections.items():
        connections[alias] = connection
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --------------------------------------------------------------------------
# 2. Page checks and screenshots
# --------------------------------------------------------------------------

CSP_VIOLATION = re.compile(r"Content Security Policy", re.I)


@dataclass
class PageProblems:
    """Uncaught script errors and CSP violations seen on any page of a test."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self._note(page, f"uncaught {error.message}"))
        page.on(
            "console",
            lambda message: self._note(page, message.text)
            if CSP_VIOLATION.search(message.text)
            else None,
        )

    def _note(self, page, text: str) -> None:
        self.seen.append(f"{page.url}: {text}")  # any error or violation is a broken page


OPEN_PAGES = pytest.StashKey[list]()


@pytest.fixture
def open_page(request, browser, live_server, media_root) -> Iterator[Callable[..., object]]:
    """open_page(language="ko", viewport=None) -> a new page in a browser context of its own
    (a person with their own cookies) whose relative URLs go to the live server; a desktop
    window unless a viewport (e.g. a phone's {"width": 390, "height": 844}) is given."""
    contexts = []
    problems = PageProblems()
    request.node.stash[OPEN_PAGES] = pages = []

    def open_(language: str = "ko", viewport: dict | None = None):
        context = browser.new_context(
            base_url=live_server.url, locale=LOCALES[language], viewport=viewport or VIEWPORT,
            accept_downloads=True,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        pages.append(page)
        return page

    yield open_
    for context in contexts:
        context.close()
    if problems.seen:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems.seen), pytrace=False)


# --------------------------------------------------------------------------
# 3. Background tasks
#    Embedded configuration: Celery runs each task eagerly in the live server's thread
#    once the request's transaction commits, so the index and media folders the test set
#    are the ones written. With a broker: a worker started for the test consumes a queue
#    of its own (no other worker in the session may take these tasks), with the test's
#    database, search index folder and media folder.
# --------------------------------------------------------------------------


def _start_worker(queue: str, env_overrides: dict[str, str], log_path: Path) -> CeleryWorker:
    env = {**os.environ, **env_overrides}
    hostname = f"{queue}@{socket.gethostname()}"
    command = [
        sys.executable, "-m", "celery", "-A", "exchange", "worker",
        "--pool=solo", "--concurrency=1", "-Q", queue,
        "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--loglevel=INFO", f"--hostname={hostname}",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT,
        )
    return CeleryWorker(hostname=hostname, process=process, log_path=log_path)


@pytest.fixture
def background_tasks(live_server, search_index_dir, media_root, tmp_path) -> Iterator[object]:
    """None in the embedded configuration (tasks run eagerly); with a broker, the running
    worker (its log is attached to a failed test's report)."""
    if not settings.CELERY_BROKER_URL:
        yield None
        return
    queue = f"browser-{os.getpid()}"
    database_url = _worker_database_url()
    assert database_url, "with a broker the test database must be reachable by a worker"
    env = {
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(search_index_dir),
        # The worker's media folder is <data folder>/media: the test's own media_root.
        "EXCHANGE_DATA_DIR": str(media_root.parent),
        "EMBEDDING_DATA_DIR": str(settings.EMBEDDING_DATA_DIR),
    }
    assert media_root == media_root.parent / "media"
    worker = _start_worker(queue, env, tmp_path / "browser-worker.log")
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        _wait_until_ready(celery_app, worker)
        yield worker
    finally:
        celery_app.conf.task_default_queue = previous_queue
        _stop_worker(worker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """When a browser test fails: a screenshot of every page it had open, as it was, and
    the log of its worker."""
    report = yield
    if report.failed and report.when == "call":
        for number, page in enumerate(item.stash.get(OPEN_PAGES, []), start=1):
            if not page.is_closed():
                path = screenshot(page, f"FAILED-{item.name}-page{number}")
                report.sections.append((f"page {number}", f"{page.url}\nscreenshot: {path}"))
    worker = getattr(item, "funcargs", {}).get("background_tasks")
    if report.failed and isinstance(worker, CeleryWorker):
        report.sections.append((f"celery worker log ({worker.log_path})", worker.log_tail()))
    return report


# --------------------------------------------------------------------------
# 4. Files
# --------------------------------------------------------------------------


@pytest.fixture
def sample_files() -> dict[str, bytes]:
    return {"cover": cover_png(), "model": triangle_glb()}
