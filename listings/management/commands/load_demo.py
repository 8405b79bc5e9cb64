import io
import json
import os
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from exchange.accounts.models import User
from exchange.accounts.services import MODERATORS_GROUP, organisation_join_or_create
from exchange.audit.services import audit_record
from licensing.models import Certificate, Deal
from listings.demo.activity import ActivityReport, activity_seed
from listings.models import Listing, Report, ReportStatus
from listings.models import ListingStatus as S
from listings.services import (
    catalog_import,
    listing_request_changes,
    listing_submit,
    system_importer_get_or_create,
)
from payments.models import OPEN_STATUSES, Payment
from payments.selectors import creator_earnings
from search.models import AlertStatus, DuplicateAlert, SavedBrief
from search.services import index_check

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "demo" / "catalog.jsonl"
# The deal notifications of the demo's own activity would all go to the example.com
# accounts; with the console backend they would bury the accounts printed at the end.
QUIET_EMAIL = "django.core.mail.backends.dummy.EmailBackend"
PASSWORDS_FILE = "demo-accounts.txt"
# One of the catalog's 41 creators (seven 3D-asset listings): the demo creator account
# bears this display name, so the import gives it those listings.
DEMO_CREATOR_NAME = "Studio Mudeung"
# Three of its listings stay out of the published import and show the other states;
# the submitted one keeps the moderator's review queue non-empty.
STAGED_STATES = {"D-0024": S.SUBMITTED, "D-0116": S.DRAFT, "D-0043": S.CHANGES_REQUESTED}
CHANGES_REASON = "Please give the polygon counts and texture resolution of each scan."


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    display_name: str
    fields: dict


ACCOUNTS = (
    DemoAccount("creator", "creator@example.com", DEMO_CREATOR_NAME, {"is_creator": True}),
    DemoAccount("producer", "producer@example.com", "Namdo XR Studio",
                {"is_producer": True, "preferred_language": "en"}),
    DemoAccount("moderator", "moderator@example.com", "Demo Moderator", {"is_staff": True}),
)
PRODUCER_ORGANISATION = ("Namdo XR Studio Co., Ltd.", "123-45-67891")  # valid check digit


def _stored_passwords(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    rows = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {row[1]: row[2] for row in rows if len(row) == 3 and not row[0].startswith("#")}


def _write_passwords(path: Path, accounts: list[tuple[DemoAccount, str]]) -> None:
    text = "# role email password (written by manage.py load_demo)\n" + "".join(
        f"{account.role} {account.email} {password}\n" for account, password in accounts
    )
    if path.exists() and path.read_text() == text:
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
    os.chmod(path, 0o600)  # the file may have existed with wider permissions


def _account_ensure(account: DemoAccount, password: str) -> User:
    user = User.objects.filter(email=account.email).first()
    if user is None:
        user = User.objects.create_user(
            email=account.email, password=password, display_name=account.display_name,
            **account.fields,
        )
        audit_record(actor=None, action="user.create_demo", target=user,
                     reason="demo account from manage.py load_demo")
    elif not user.check_password(password):  # DEMO_PASSWORD changed, or the file was lost
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=None, action="user.reset_demo_password", target=user)
    if account.role == "moderator" and not user.groups.filter(name=MODERATORS_GROUP).exists():
        user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    if account.role == "producer" and user.organisation_id is None:
        name, number = PRODUCER_ORGANISATION
        organisation_join_or_create(user=user, name=name, business_number=number)
    return user


def _import(lines: list[str], *, importer: User, publish: bool) -> list[int]:
    if not lines:
        return []
    report = catalog_import(importer=importer, file=io.BytesIO("\n".join(lines).encode()),
                            name=DEMO_CATALOG.name, publish=publish)
    return report.created_ids


def _demo_lines() -> dict[str, str]:
    """external_id -> its line of the demo catalog."""
    lines = DEMO_CATALOG.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["external_id"]: line for line in lines if line.strip()}


def _catalog_load(*, demo: dict[str, str], creator: User, moderator: User) -> int:
    """Add the demo listings that are missing; ones already there are left alone
    (they may since have been edited or moderated). Returns how many were added."""
    present = set(Listing.objects.filter(external_id__in=list(demo))
                  .values_list("external_id", flat=True))
    missing = {eid: line for eid, line in demo.items() if eid not in present}
    importer = system_importer_get_or_create()
    published = _import([line for eid, line in missing.items() if eid not in STAGED_STATES],
                        importer=importer, publish=True)
    staged = _import([line for eid, line in missing.items() if eid in STAGED_STATES],
                     importer=importer, publish=False)
    for listing in Listing.objects.filter(pk__in=staged):
        target = STAGED_STATES[listing.external_id]
        if target != S.DRAFT:
            listing_submit(actor=creator, listing=listing)
        if target == S.CHANGES_REQUESTED:
            listing_request_changes(actor=moderator, listing=listing, reason=CHANGES_REASON)
    return len(published) + len(staged)


class Command(BaseCommand):
    help = (
        "Idempotent demo data for `make run`: a creator, a producer (with an organisation) and "
        "a moderator account, and the bundled demo catalog (160 listings from 41 creators, "
        "published; three of the demo creator's are left submitted, draft and changes "
        "requested). Passwords are random on first creation and kept in "
        f"$EXCHANGE_DATA_DIR/{PASSWORDS_FILE} (mode 0600), or DEMO_PASSWORD for all three "
        "(not checked against the password rules: for local use only). They are printed "
        "on every run. Then the demo activity (listings.demo.activity), made through the "
        "services: the producer's deals with the creator in every state up to a paid "
        "licence, an open invoice, a saved brief, an infringement report and a "
        "near-duplicate submission; each is made once, only when missing."
    )

    def handle(self, *args, **options):
        path = Path(settings.DATA_DIR) / PASSWORDS_FILE
        stored = _stored_passwords(path)
        override = os.environ.get("DEMO_PASSWORD", "").strip()
        passwords = [
            (account, override or stored.get(account.email) or secrets.token_urlsafe(12))
            for account in ACCOUNTS
        ]
        demo = _demo_lines()
        with transaction.atomic():
            users = {account.role: _account_ensure(account, password)
                     for account, password in passwords}
            added = _catalog_load(demo=demo, creator=users["creator"],
                                  moderator=users["moderator"])
        _write_passwords(path, passwords)
        # The import's own on-commit task indexes the new listings; this catches anything it
        # could not (a first run, another embedding model) so the demo is searchable at once.
        report = index_check(repair=True)
        self.stdout.write(f"Search index: {report.published} published listings"
                          + (" (rebuilt or repaired)." if report.repaired else ", up to date."))
        # After the index: the near-duplicate check of the submitted copy searches it.
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL):
            activity = activity_seed(creator=users["creator"], producer=users["producer"],
                                     moderator=users["moderator"])
        self._print(path, passwords, demo, added)
        self._print_activity(users, activity)

    def _print(self, path: Path, passwords: list[tuple[DemoAccount, str]],
               demo: dict[str, str], added: int) -> None:
        self.stdout.write(f"Demo accounts (passwords kept in {path}):")
        for account, password in passwords:
            self.stdout.write(f"  {account.role:<10} {account.email:<24} {password}  "
                              f"({account.display_name})")
        counts = Counter(Listing.objects.filter(external_id__in=list(demo))
                         .values_list("status", flat=True))
        states = ", ".join(f"{counts[status]} {status}" for status in S.values if counts[status])
        self.stdout.write(f"Demo catalog: {counts.total()} listings ({states}); "
                          f"{added} added by this run.")

    def _print_activity(self, users: dict[str, User], activity: ActivityReport) -> None:
        creator, producer = users["creator"], users["producer"]
        deals = Deal.objects.filter(producer=producer, creator=creator)
        states = Counter(deals.values_list("status", flat=True))
        invoices = Payment.objects.filter(deal__in=deals, status__in=OPEN_STATUSES).count()
        certificates = Certificate.objects.filter(deal__in=deals).count()
        earned = sum(row.creator_share_krw for row in creator_earnings(user=creator))
        review = Listing.objects.filter(status=S.SUBMITTED)
        alerts = DuplicateAlert.objects.filter(listing__in=review, status=AlertStatus.OPEN)
        reports = Report.objects.filter(status=ReportStatus.OPEN).count()
        self.stdout.write(
            f"Demo activity: {len(activity.added)} added by this run"
            + "".join(f"\n  added: {line}" for line in activity.added)
            + "".join(f"\n  skipped {line}" for line in activity.skipped))
        self.stdout.write(
            f"  producer   {deals.count()} deals with the creator ("
            + ", ".join(f"{states[s]} {s}" for s in sorted(states)) + f"), {invoices} open "
            f"invoice(s), {certificates} certificate(s), "
            f"{SavedBrief.objects.filter(owner=producer).count()} saved brief(s), "
            f"{Report.objects.filter(reporter=producer).count()} report(s) filed")
        self.stdout.write(
            f"  creator    {deals.values('listing').distinct().count()} listings with deals, "
            f"earnings {earned:,} KRW")
        self.stdout.write(
            f"  moderator  {review.count()} listings to review "
            f"({alerts.values('listing').distinct().count()} with a near-duplicate alert), "
            f"{reports} open report(s)")
