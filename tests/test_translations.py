"""Every string the interface shows has its Korean translation: the catalog is
re-extracted from the source (as `makemessages` would) into a temporary copy
and must have no untranslated and no fuzzy (machine-guessed) entry."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
# What makemessages skips: not code that renders pages or API messages.
IGNORED = [".venv", "bench", "tests", "docker", "data", "test-artifacts"]

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None,
                                reason="GNU gettext (Debian package gettext) is not installed")


def _entries(po: Path, *flags: str) -> str:
    return subprocess.run(["msgattrib", "--no-obsolete", *flags, str(po)], check=True,
                          capture_output=True, text=True).stdout


def test_the_korean_catalog_covers_every_string_in_the_source(settings, tmp_path, monkeypatch):
    shutil.copytree(LOCALE, tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(settings.BASE_DIR)

    call_command("makemessages", locale=["ko"], ignore_patterns=IGNORED, verbosity=0)

    po = tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    # msgattrib prints the catalog's header entry first whenever it prints anything.
    untranslated = _entries(po, "--untranslated").split("\n\n")[1:]
    fuzzy = _entries(po, "--only-fuzzy").split("\n\n")[1:]
    assert untranslated == [], "run makemessages -l ko and translate these"
    assert fuzzy == [], "check these guessed translations and drop their fuzzy flag"


def test_the_compiled_korean_catalog_is_current():
    po = LOCALE / "ko" / "LC_MESSAGES" / "django.po"
    mo = LOCALE / "ko" / "LC_MESSAGES" / "django.mo"
    compiled = subprocess.run(["msgfmt", "--check", "-o", "-", str(po)], check=True,
                              capture_output=True).stdout
    assert compiled == mo.read_bytes(), "run compilemessages (or msgfmt) after editing the .po"
