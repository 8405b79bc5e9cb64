"""manage.py load_demo: demo accounts and the bundled demo catalog, idempotently."""

import io
import re
import stat

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from exchange.accounts.models import User
from exchange.audit.models import AuditEntry
from listings.models import Listing
from listings.selectors import moderation_queue

ACCOUNT_LINE = re.compile(r"^  (creator|producer|moderator)\s+(\S+)\s+(\S+)  \(", re.MULTILINE)


@pytest.fixture(autouse=True)
def demo_setup(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    # Hashing at full strength costs seconds per password; the test checks logic, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def state() -> tuple:
    return (Listing.objects.count(), User.objects.count(), AuditEntry.objects.count(),
            sorted(Listing.objects.values_list("external_id", "status")))


@pytest.mark.django_db
def test_load_demo_twice_gives_the_same_accounts_and_catalog(tmp_path):
    # when the demo is loaded on an empty database, then again
    first = load_demo()
    after_first = state()
    second = load_demo()

    # then the second run changes nothing and prints the same accounts
    assert state() == after_first
    assert ACCOUNT_LINE.findall(first) == ACCOUNT_LINE.findall(second)
    assert first.splitlines()[-1] == ("Demo catalog: 160 listings (1 draft, 1 submitted, "
                                      "157 published, 1 changes_requested); 160 added by this run.")
    assert second.splitlines()[-1] == ("Demo catalog: 160 listings (1 draft, 1 submitted, "
                                       "157 published, 1 changes_requested); 0 added by this run.")
    # 41 catalog creators (one is the demo creator), the producer, the moderator, the importer
    assert User.objects.count() == 44
    assert stat.S_IMODE((tmp_path / "demo-accounts.txt").stat().st_mode) == 0o600


@pytest.mark.django_db
def test_the_demo_accounts_sign_in_with_the_printed_passwords():
    accounts = ACCOUNT_LINE.findall(load_demo())

    assert [role for role, _, _ in accounts] == ["creator", "producer", "moderator"]
    for _, email, password in accounts:
        assert authenticate(email=email, password=password) == User.objects.get(email=email)
    moderator = User.objects.get(email="moderator@example.com")
    producer = User.objects.get(email="producer@example.com")
    assert (moderator.is_staff, moderator.is_moderator) == (True, True)
    assert (producer.is_producer, producer.organisation.business_number) == (True, "1234567891")


@pytest.mark.django_db
def test_the_demo_creator_owns_its_catalog_listings_in_several_states():
    load_demo()

    creator = User.objects.get(email="creator@example.com")
    assert sorted(creator.listings.values_list("external_id", "status")) == [
        ("D-0024", "submitted"), ("D-0043", "changes_requested"), ("D-0054", "published"),
        ("D-0094", "published"), ("D-0103", "published"), ("D-0116", "draft"),
        ("D-0127", "published"),
    ]
    assert [listing.external_id for listing in moderation_queue()] == ["D-0024"]
    submit = AuditEntry.objects.get(action="listing.submit",
                                    target_id=str(creator.listings.get(external_id="D-0024").pk))
    assert submit.actor == creator


@pytest.mark.django_db
def test_demo_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-1")

    accounts = ACCOUNT_LINE.findall(load_demo())

    assert {password for _, _, password in accounts} == {"demo-password-1"}
    assert authenticate(email="creator@example.com", password="demo-password-1") is not None
