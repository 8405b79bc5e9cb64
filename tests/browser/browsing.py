"""What a person does on a page, for the browser tests: find a field by its label, sign
in, and keep a screenshot of what they saw."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests import factories
from tests.conftest import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"


def field(scope, label: str):
    """The form field labelled exactly `label`; a required field's label ends in an
    asterisk that screen readers skip (aria-hidden) but label matching sees."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}(\s*\*)?$"))


def sign_in(page, user, *, password: str = factories.PASSWORD) -> None:
    """Through the Korean sign-in page, as a person would."""
    page.goto("/accounts/sign-in/")
    field(page, "이메일").fill(user.email)
    field(page, "비밀번호").fill(password)
    page.get_by_role("main").get_by_role("button", name="로그인").click()
    expect(page.locator(".user-menu summary")).to_have_text(user.display_name)


def screenshot(page, name: str, *, focus=None) -> Path:
    """test-artifacts/browser/<name>.png, to look at after a run: the whole page, or with
    `focus` (a locator) the window scrolled to it, for pages too long to read whole."""
    path = ARTIFACTS / f"{name}.png"
    if focus is not None:
        focus.scroll_into_view_if_needed()
    page.screenshot(path=str(path), full_page=focus is None)
    return path
