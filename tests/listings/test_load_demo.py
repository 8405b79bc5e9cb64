"""manage.py load_demo: demo accounts, the bundled demo catalog and the demo activity
(deals, payment, licence, brief, report, near-duplicate submission), idempotently."""

import io
import re
import stat

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from exchange.accounts.models import User
from exchange.audit.models import AuditEntry
from licensing.models import Certificate, Deal, DealTransition, Signature
from listings.models import Listing, MediaAsset, Report
from listings.selectors import moderation_queue
from payments.models import LedgerEntry, Payment
from search.models import DuplicateAlert, SavedBrief
from tests.licensing.conftest import _tasks_run_in_process  # noqa: F401 (autouse: tasks here)

ACCOUNT_LINE = re.compile(r"^  (creator|producer|moderator)\s+(\S+)\s+(\S+)  \(", re.MULTILINE)


@pytest.fixture(autouse=True)
def demo_setup(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"  # the licence's deliverable is a real upload
    # Hashing at full strength costs seconds per password; the test checks logic, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def state() -> tuple:
    counts = tuple(model.objects.count() for model in (
        Listing, User, AuditEntry, Deal, DealTransition, Signature, Certificate, Payment,
        LedgerEntry, MediaAsset, Report, SavedBrief, DuplicateAlert))
    return (counts, sorted(Listing.objects.values_list("external_id", "status")),
            sorted(Deal.objects.values_list("listing__external_id", "status", "version")))


def line_starting(output: str, prefix: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(prefix))


@pytest.mark.django_db
def test_load_demo_twice_gives_the_same_accounts_and_catalog(tmp_path):
    # when the demo is loaded on an empty database, then again
    first = load_demo()
    after_first = state()
    second = load_demo()

    # then the second run changes nothing and prints the same accounts
    assert state() == after_first
    assert ACCOUNT_LINE.findall(first) == ACCOUNT_LINE.findall(second)
    assert line_starting(first, "Demo catalog") == (
        "Demo catalog: 160 listings (1 draft, 1 submitted, 157 published, 1 changes_requested); "
        "160 added by this run.")
    assert line_starting(second, "Demo catalog") == (
        "Demo catalog: 160 listings (1 draft, 1 submitted, 157 published, 1 changes_requested); "
        "0 added by this run.")
    assert line_starting(first, "Demo activity") == "Demo activity: 8 added by this run"
    assert line_starting(second, "Demo activity") == "Demo activity: 0 added by this run"
    assert Deal.objects.count() == 5
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
    assert [listing.external_id for listing in moderation_queue()] == ["D-0024", "DEMO-DUP-0105"]
    submit = AuditEntry.objects.get(action="listing.submit",
                                    target_id=str(creator.listings.get(external_id="D-0024").pk))
    assert submit.actor == creator


@pytest.mark.django_db
def test_demo_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-1")

    accounts = ACCOUNT_LINE.findall(load_demo())

    assert {password for _, _, password in accounts} == {"demo-password-1"}
    assert authenticate(email="creator@example.com", password="demo-password-1") is not None


@pytest.mark.django_db
def test_the_demo_accounts_see_a_lived_in_exchange(settings, django_capture_on_commit_callbacks):
    # when the demo is loaded (tasks that wait for a commit run, as they would in `make run`)
    with django_capture_on_commit_callbacks(execute=True):
        output = load_demo()

    creator = User.objects.get(email="creator@example.com")
    producer = User.objects.get(email="producer@example.com")
    moderator = User.objects.get(email="moderator@example.com")
    # then the producer has deals with the creator in every state of a negotiation
    deals = {deal.listing.external_id + "/" + deal.status: deal
             for deal in Deal.objects.filter(producer=producer).select_related("listing")}
    assert sorted(deals) == ["D-0054/accepted", "D-0054/requested", "D-0094/countered",
                             "D-0103/accepted", "D-0127/licensed"]
    assert {deal.creator for deal in deals.values()} == {creator}
    assert deals["D-0054/requested"].awaiting == "creator"
    countered = deals["D-0094/countered"]
    assert (countered.awaiting, countered.version, countered.fee_krw) == ("producer", 2, 3_600_000)
    # the accepted deal's agreement waits for both signatures, the invoiced one for the money
    assert Signature.objects.filter(agreement__deal=deals["D-0103/accepted"]).count() == 0
    invoiced = deals["D-0054/accepted"]
    assert sorted(invoiced.agreement.signatures.values_list("party", flat=True)) == [
        "creator", "producer"]
    invoice = Payment.objects.get(deal=invoiced)
    assert (invoice.method, invoice.status, invoice.amount_krw, invoice.received_krw) == (
        "bank_transfer", "pending", 2_700_000, 0)
    # the licence was paid by a bank transfer staff recorded: certificate, earnings, a real GLB
    licensed = deals["D-0127/licensed"]
    paid = Payment.objects.get(deal=licensed)
    assert (paid.status, paid.received_krw) == ("succeeded", 700_000)
    assert Certificate.objects.filter(deal=licensed).count() == 1
    shares = dict(LedgerEntry.objects.filter(deal=licensed, kind__in=[
        "platform_fee", "creator_share"]).values_list("kind", "amount_krw"))
    assert shares == {"platform_fee": 70_000, "creator_share": 630_000}
    assert AuditEntry.objects.get(action="payment.succeed", target_id=str(paid.pk)).actor \
        == moderator
    deliverable = MediaAsset.objects.get(listing=licensed.listing, role="deliverable")
    assert (deliverable.kind, deliverable.extension) == ("model_3d", "glb")
    assert deliverable.file.read(4) == b"glTF"
    # each step was taken by the person whose move it was
    actors = sorted((t.deal.listing.external_id, t.action, t.actor.email if t.actor else None)
                    for t in DealTransition.objects.filter(deal=countered))
    assert actors == [("D-0094", "counter", "creator@example.com"),
                      ("D-0094", "request", "producer@example.com")]
    # the producer kept a brief and reported a listing; the creator's earnings show the share
    brief = SavedBrief.objects.get(owner=producer)
    assert (brief.title, brief.territory, brief.media) == (
        "LED-wall shoot: Joseon night market", "KR", ["film_tv", "immersive"])
    report = Report.objects.get()
    assert (report.reporter, report.listing.external_id, report.kind, report.status) == (
        producer, "D-0088", "copyright", "open")
    # the moderator has two submissions to review, one a near copy of another owner's listing
    queue = list(moderation_queue())
    assert [listing.external_id for listing in queue] == ["D-0024", "DEMO-DUP-0105"]
    copy = queue[1]
    alert = DuplicateAlert.objects.get(listing=copy)
    assert alert.similar_listing.external_id == "D-0105"
    assert alert.similar_listing.owner != copy.owner
    assert alert.similarity >= settings.SEARCH_DUPLICATE_THRESHOLD
    assert "  creator    4 listings with deals, earnings 630,000 KRW" in output.splitlines()
    # (the alert itself arrives once the command's transaction commits, after its summary)
    assert line_starting(output, "  moderator  2 listings to review (")
