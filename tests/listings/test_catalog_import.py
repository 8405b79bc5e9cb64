"""The catalog import: the service, the import_catalog command and the staff API.

Personas: a staff importer, a creator who owns listings, a producer-only account
(not a creator), and anonymous callers of the API.
"""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.test import APIClient

from exchange.accounts.models import User
from exchange.audit.models import AuditEntry
from exchange.errors import Forbidden
from listings.models import LicenseOffer, Listing, ListingStatus
from listings.services import (
    CatalogInvalid,
    CatalogProblem,
    catalog_import,
    listing_submit,
)
from listings.services.catalog import SYSTEM_IMPORTER_EMAIL, placeholder_email

IMPORT_URL = "/api/v1/catalog/import/"
# 45 words: inside FORMAT.md's 40-250, so a listing built from it may be published.
DESCRIPTION = (
    "A photo essay of dawn over Mudeungsan: mist rolling off the Seoseokdae columnar joints, "
    "hikers on the ridge, the city of Gwangju waking below, and the first light on the "
    "autumn silver grass. Forty frames shot over three seasons, each available as a "
    "high-resolution PNG with captions in Korean and English."
)
REGION_REASON = "unknown region code 'KR-99'; use an ISO 3166-2:KR code such as KR-29"
ROYALTY_REASON = "Ensure this value is less than or equal to 50."


@pytest.fixture(autouse=True)
def english():
    # The project's default language is Korean; DRF's messages are asserted in English.
    with translation.override("en"):
        yield


def offer(**overrides) -> dict:
    return {
        "media": ["publishing"], "territory": ["KR"], "term_months": 12, "exclusive": False,
        "price_krw": 1_000_000, "royalty_pct": None, **overrides,
    }


def row(external_id: str = "DAWN-1", **overrides) -> dict:
    return {
        "external_id": external_id, "title": "Mudeungsan at Dawn", "description": DESCRIPTION,
        "language": "en", "ip_type": "photo", "region": "KR-29",
        "tags": ["mountain", "dawn"], "asset_formats": ["png"], "creator": "Dawn Studio",
        "license_offers": [offer()], **overrides,
    }


def jsonl(*lines) -> bytes:
    """Dicts become JSON lines; strings are written as they are (for broken lines)."""
    return "\n".join(
        json.dumps(line, ensure_ascii=False) if isinstance(line, dict) else line
        for line in lines
    ).encode()


def as_csv(*rows: dict) -> bytes:
    out = io.StringIO()
    columns = list(rows[0])
    writer = csv.writer(out)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([
            "|".join(value) if name in ("tags", "asset_formats")
            else json.dumps(value) if name == "license_offers" and not isinstance(value, str)
            else value
            for name, value in values.items()
        ])
    return out.getvalue().encode()


def counts() -> tuple[int, int, int, int]:
    return (Listing.objects.count(), LicenseOffer.objects.count(), User.objects.count(),
            AuditEntry.objects.count())


def run_import(importer: User, content: bytes, name: str = "catalog.jsonl", **options):
    return catalog_import(importer=importer, file=io.BytesIO(content), name=name, **options)


def problems_of(importer: User, content: bytes, name: str = "catalog.jsonl", **options):
    with pytest.raises(CatalogInvalid) as caught:
        run_import(importer, content, name, **options)
    return [str(problem) for problem in caught.value.problems]


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user("staff@example.com", password="staff-pass-1",
                                    display_name="Agency Staff", is_staff=True)


@pytest.fixture
def creator(db) -> User:
    return User.objects.create_user("creator@example.com", password="creator-pass-1",
                                    display_name="Dawn Studio", is_creator=True)


@pytest.fixture
def producer(db) -> User:
    return User.objects.create_user("producer@example.com", password="producer-pass-1",
                                    display_name="XR Producer", is_producer=True)


# ------------------------------------------------------------------ refusing bad files


@pytest.mark.django_db
def test_a_file_with_several_bad_lines_is_refused_whole_with_every_problem(staff):
    # given a catalog whose first line is fine and whose other lines each have a problem
    content = jsonl(
        row("DAWN-1"),
        '{"external_id": "DAWN-2", "title" "no colon"}',
        row("DAWN-3", region="KR-99"),
        row("DAWN-4", license_offers=[offer(royalty_pct=60)]),
        "",
        row("DAWN-1", title="Same id again"),
        {key: value for key, value in row().items() if key != "external_id"},
        "[1, 2]",
    )
    before = counts()

    # when it is imported
    with pytest.raises(CatalogInvalid) as caught:
        run_import(staff, content)

    # then nothing at all is written and each problem names its line and field
    assert counts() == before
    assert caught.value.code == "invalid_catalog"
    assert caught.value.message == "The catalog has 6 problems; nothing was imported."
    assert caught.value.fields == {
        "line 2: non_field_errors": ["not valid JSON: Expecting ':' delimiter (column 35)"],
        "line 3: region": [REGION_REASON],
        "line 4: license_offers.0.royalty_pct": [ROYALTY_REASON],
        "line 6: external_id": ["'DAWN-1' is already used on line 1"],
        "line 7: external_id": [
            "required in a catalog file: the listing's stable id in your own system"
        ],
        "line 8: non_field_errors": ["expected a JSON object {...}"],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("bad_line", "problem"), [
    ('{"external_id": "DAWN-2",', "line 2: non_field_errors: not valid JSON: Expecting "
                                  "property name enclosed in double quotes (column 26)"),
    (row("DAWN-2", region="KR-99"), f"line 2: region: {REGION_REASON}"),
    (row("DAWN-2", license_offers=[offer(), offer(royalty_pct=50.5)]),
     f"line 2: license_offers.1.royalty_pct: {ROYALTY_REASON}"),
    (row("DAWN-1"), "line 2: external_id: 'DAWN-1' is already used on line 1"),
    (row("DAWN-2", creator=""), "line 2: creator: This field may not be blank."),
])
def test_one_bad_line_is_reported_and_nothing_is_written(staff, bad_line, problem):
    # given a good line followed by a bad one
    before = counts()

    # when the file is imported, then the one problem is reported and nothing written
    assert problems_of(staff, jsonl(row("DAWN-1"), bad_line)) == [problem]
    assert counts() == before


@pytest.mark.django_db
def test_the_same_external_id_for_two_creators_is_not_a_duplicate(staff):
    # given two creators who both number their listings from 1
    content = jsonl(row("1", creator="Dawn Studio"), row("1", creator="Night Studio"))

    # when imported
    report = run_import(staff, content)

    # then each gets its own listing
    assert report.created == 2
    assert sorted(Listing.objects.values_list("owner__display_name", "external_id")) == [
        ("Dawn Studio", "1"), ("Night Studio", "1"),
    ]


@pytest.mark.django_db
def test_bad_csv_cells_are_reported_with_their_column(staff):
    # given a CSV file with an unknown column and a cell that is not a JSON array
    content = as_csv(row("DAWN-1", colour="red", license_offers='[{"media": '))

    # when imported, then the header and the cell problems are named
    assert problems_of(staff, content, "catalog.csv") == [
        "line 1: colour: unknown column",
        "line 2: license_offers: not a valid JSON array: Expecting value",
    ]


# ------------------------------------------------------------------ writing


@pytest.mark.django_db
def test_an_import_creates_drafts_and_creator_accounts_audited_as_the_importer(staff, creator):
    # given one line by an existing creator and one by a rights holder with no account
    content = jsonl(row("DAWN-1"), row("NEW-1", creator="새벽 스튜디오", language="ko"))

    # when imported
    report = run_import(staff, content)

    # then both are drafts, the existing creator is matched by display name and the
    # other rights holder gets an account that cannot sign in
    dawn, new = (Listing.objects.get(external_id=eid) for eid in ("DAWN-1", "NEW-1"))
    assert (report.created, report.updated, report.unchanged, report.published) == (2, 0, 0, 0)
    assert sorted(report.created_ids) == sorted([dawn.pk, new.pk])
    assert (dawn.owner, dawn.status, dawn.creator_name) == (creator, "draft", "Dawn Studio")
    account = new.owner
    assert (account.email, account.display_name, account.is_creator, account.has_usable_password(),
            account.preferred_language) == (
        placeholder_email("새벽 스튜디오"), "새벽 스튜디오", True, False, "ko")
    assert report.accounts_created_ids == [account.pk]
    assert list(AuditEntry.objects.filter(action="user.create_for_catalog")
                .values_list("actor", "target_id")) == [(staff.pk, str(account.pk))]
    assert list(AuditEntry.objects.filter(action="listing.create", actor=staff)
                .order_by("id").values_list("target_id", "data")) == [
        (str(dawn.pk), {"import_line": 1}), (str(new.pk), {"import_line": 2})]


@pytest.mark.django_db
def test_csv_imports_the_same_listings_as_json_lines(staff, creator):
    # given the same two listings as CSV and as JSON Lines
    rows = [row("DAWN-1", tags=["mountain", "안개"]),
            row("DAWN-2", license_offers=[offer(), offer(media=["game", "immersive"],
                                                          royalty_pct=7.5, price_krw=0)])]

    # when the CSV is imported (with a BOM, as spreadsheets write it) and then the JSONL
    csv_report = run_import(staff, b"\xef\xbb\xbf" + as_csv(*rows), "catalog.csv")
    jsonl_report = run_import(staff, jsonl(*rows), "catalog.jsonl")

    # then the JSON Lines file finds nothing to change
    assert csv_report.created == 2
    assert (jsonl_report.created, jsonl_report.updated, jsonl_report.unchanged) == (0, 0, 2)
    second = Listing.objects.get(external_id="DAWN-2")
    assert Listing.objects.get(external_id="DAWN-1").tags == ["mountain", "안개"]
    assert list(second.offers.values_list("media", "price_krw", "royalty_pct")) == [
        (["publishing"], 1_000_000, None), (["game", "immersive"], 0, Decimal("7.50")),
    ]


@pytest.mark.django_db
def test_csv_list_cells_may_be_json_arrays_and_problems_name_the_line_a_record_starts_on(
    staff, creator
):
    # given a CSV whose first record's description spans three lines and whose second
    # record, starting on line 5, has a bad region; tags are given as a JSON array
    first = row("DAWN-1", description=DESCRIPTION.replace(", ", ",\n", 2))
    second = row("DAWN-2", region="KR-99")
    content = as_csv(first, second).replace(b"mountain|dawn", b'"[""mountain"", ""dawn""]"')

    # when imported, then the problem is on line 5
    assert problems_of(staff, content, "catalog.csv") == [f"line 5: region: {REGION_REASON}"]

    # and without that record the JSON-array cell is read as a list
    run_import(staff, content.rsplit(b"DAWN-2", 1)[0].rsplit(b"\n", 1)[0], "catalog.csv")
    assert Listing.objects.get().tags == ["mountain", "dawn"]


@pytest.mark.django_db
def test_an_upload_without_a_useful_name_is_sniffed(staff, creator):
    # given the same listing as JSON Lines and as CSV, both named "upload"
    report_jsonl = run_import(staff, jsonl(row("DAWN-1")), name="upload")
    report_csv = run_import(staff, as_csv(row("DAWN-2")), name="upload")

    # then both are read
    assert (report_jsonl.created, report_csv.created) == (1, 1)


@pytest.mark.django_db
def test_reimporting_a_changed_file_updates_the_listing_instead_of_duplicating(staff, creator):
    # given an imported catalog of two listings
    run_import(staff, jsonl(row("DAWN-1"), row("DAWN-2")))
    dawn = Listing.objects.get(external_id="DAWN-1")

    # when the file is imported again with one title and one offer changed
    changed = jsonl(row("DAWN-1", title="Mudeungsan at First Light",
                        license_offers=[offer(price_krw=1_500_000, exclusive=True)]),
                    row("DAWN-2"))
    report = run_import(staff, changed)

    # then that listing is updated in place, the other left alone, nothing duplicated
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert report.updated_ids == [dawn.pk]
    assert Listing.objects.count() == 2
    dawn.refresh_from_db()
    assert dawn.title == "Mudeungsan at First Light"
    assert list(dawn.offers.values_list("price_krw", "exclusive")) == [(1_500_000, True)]
    edit = AuditEntry.objects.get(action="listing.edit", target_id=str(dawn.pk))
    assert (edit.actor, edit.data) == (staff, {"fields": ["title", "license_offers"]})


@pytest.mark.django_db
def test_a_listing_under_review_is_not_changed_by_an_import(staff, creator):
    # given an imported listing its creator has submitted for review
    run_import(staff, jsonl(row("DAWN-1")))
    listing = listing_submit(actor=creator, listing=Listing.objects.get(external_id="DAWN-1"))
    before = counts()

    # when a changed version is imported, then it is refused with the reason
    assert problems_of(staff, jsonl(row("DAWN-1", title="Changed"))) == [
        f"line 1: external_id: matches listing #{listing.pk}, which is awaiting review: "
        "withdraw it or wait for the moderator's decision, then import again"
    ]
    assert counts() == before


@pytest.mark.django_db
def test_old_region_codes_are_stored_as_the_current_ones(staff, creator):
    # given Gangwon and Jeonbuk under their pre-2023/2024 codes
    content = jsonl(row("GW-1", region="KR-42"), row("JB-1", region="kr-45"))

    # when imported
    run_import(staff, content)

    # then the current codes are stored
    assert dict(Listing.objects.values_list("external_id", "region")) == {
        "GW-1": "KR-51", "JB-1": "KR-52",
    }


@pytest.mark.django_db
def test_publish_publishes_every_listing_with_an_audit_row_naming_the_importer(staff, creator):
    # when a catalog is imported with publish
    report = run_import(staff, jsonl(row("DAWN-1"), row("DAWN-2")), publish=True)

    # then both are published and the audit says by whom
    assert report.published == 2
    assert set(Listing.objects.values_list("status", flat=True)) == {ListingStatus.PUBLISHED}
    rows = AuditEntry.objects.filter(action="listing.import_publish").order_by("id")
    assert [(entry.actor, entry.from_state, entry.to_state) for entry in rows] == [
        (staff, "draft", "published"), (staff, "draft", "published"),
    ]


@pytest.mark.django_db
def test_publish_refuses_the_whole_file_when_a_listing_is_incomplete(staff):
    # given a file whose second listing has a short description and no offers
    content = jsonl(row("DAWN-1"), row("DAWN-2", description="Too short.", license_offers=[]),
                    row("DAWN-3", region="KR-99"))
    before = counts()

    # when imported with publish
    problems = problems_of(staff, content, publish=True)

    # then every problem is reported, the completeness ones too, and nothing is written
    # (not even the creator account the import would have made)
    assert problems == [
        "line 2: description: must be 40-250 words to submit (it has 2)",
        "line 2: license_offers: offer 1-5 licenses to submit (it has 0)",
        f"line 3: region: {REGION_REASON}",
    ]
    assert counts() == before


@pytest.mark.django_db
def test_only_staff_may_import(creator):
    # when a creator calls the service, then it is refused and nothing written
    before = counts()
    with pytest.raises(Forbidden):
        run_import(creator, jsonl(row()))
    assert counts() == before


@pytest.mark.django_db
def test_progress_is_reported_per_line_for_each_phase(staff, creator):
    calls = []

    run_import(staff, jsonl(row("DAWN-1"), "", row("DAWN-2")),
               progress=lambda *call: calls.append(call))

    assert calls == [("validate", 1, 2), ("validate", 2, 2), ("write", 1, 2), ("write", 2, 2)]


# ------------------------------------------------------------------ the command


def command(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_catalog", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def catalog_file(tmp_path):
    def write(content: bytes, name: str = "catalog.jsonl"):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)
    return write


@pytest.mark.django_db
def test_the_command_imports_and_prints_a_summary(catalog_file, creator):
    # when the command imports a good file without --as
    out, err = command(catalog_file(jsonl(row("DAWN-1"), row("NEW-1", creator="Night"))),
                       "--publish")

    # then it says what it did, and the audit names the system importer
    assert out == ("Imported catalog.jsonl: 2 created, 0 updated, 0 unchanged, 2 published; "
                   "1 creator accounts created.\n")
    assert err == ""
    system = User.objects.get(email=SYSTEM_IMPORTER_EMAIL)
    assert (system.is_staff, system.is_active, system.has_usable_password()) == (
        True, False, False)
    assert set(AuditEntry.objects.filter(action="listing.import_publish")
               .values_list("actor", flat=True)) == {system.pk}


@pytest.mark.django_db
def test_the_command_prints_each_problem_and_fails_writing_nothing(catalog_file, staff):
    # given a file with two bad lines
    path = catalog_file(jsonl(row("DAWN-1", region="KR-99"), "not json",
                              row("DAWN-3")))
    stdout, stderr = io.StringIO(), io.StringIO()
    before = counts()

    # when the command runs
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", path, "--as", "staff@example.com",
                     stdout=stdout, stderr=stderr)

    # then it fails with every problem on stderr and nothing written
    assert str(caught.value) == "The catalog has 2 problems; nothing was imported."
    assert stderr.getvalue() == (
        f"line 1: region: {REGION_REASON}\n"
        "line 2: non_field_errors: not valid JSON: Expecting value (column 1)\n"
    )
    assert stdout.getvalue() == ""
    assert counts() == before


@pytest.mark.django_db
def test_the_command_with_owner_gives_every_listing_to_that_creator(catalog_file, creator):
    # given lines naming two different rights holders
    path = catalog_file(jsonl(row("A-1", creator="Imprint One"),
                              row("A-2", creator="Imprint Two")))

    # when imported for one owner
    out, _ = command(path, "--owner", "CREATOR@example.com")

    # then that creator owns both, the rights holder's name kept on each, no accounts made
    assert out.endswith("0 creator accounts created.\n")
    assert list(Listing.objects.order_by("external_id")
                .values_list("owner", "creator_name")) == [
        (creator.pk, "Imprint One"), (creator.pk, "Imprint Two"),
    ]


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_or_non_creator_owner(catalog_file, producer):
    path = catalog_file(jsonl(row()))
    before = counts()

    with pytest.raises(CommandError) as unknown:
        command(path, "--owner", "nobody@example.com")
    with pytest.raises(CommandError) as not_creator:
        command(path, "--owner", "producer@example.com")

    assert str(unknown.value) == "--owner: no account has the email 'nobody@example.com'"
    assert str(not_creator.value) == (
        "--owner: producer@example.com is not an active creator account")
    assert counts() == before


@pytest.mark.django_db
def test_the_command_refuses_a_non_staff_importer_and_a_missing_file(catalog_file, creator):
    with pytest.raises(CommandError) as not_staff:
        command(catalog_file(jsonl(row())), "--as", "creator@example.com")
    with pytest.raises(CommandError) as missing:
        command("/nonexistent/catalog.jsonl")

    assert str(not_staff.value) == "--as: creator@example.com is not an active staff account"
    assert str(missing.value) == (
        "cannot read /nonexistent/catalog.jsonl: No such file or directory")


# ------------------------------------------------------------------ the API


def upload(content: bytes, name: str = "catalog.jsonl") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.django_db
def test_staff_import_over_the_api_and_get_the_report(staff, creator):
    client = APIClient()
    client.force_authenticate(staff)

    response = client.post(IMPORT_URL, {"file": upload(jsonl(row("DAWN-1"))),
                                        "owner": "creator@example.com", "publish": "true"},
                           format="multipart")

    listing = Listing.objects.get()
    assert response.status_code == 200
    assert response.json() == {
        "created": 1, "updated": 0, "unchanged": 0, "published": 1, "accounts_created": 0,
        "created_ids": [listing.pk], "updated_ids": [], "unchanged_ids": [],
        "published_ids": [listing.pk], "accounts_created_ids": [],
    }
    assert (listing.owner, listing.status) == (creator, "published")


@pytest.mark.django_db
def test_a_creator_may_not_import_over_the_api(creator):
    client = APIClient()
    client.force_authenticate(creator)
    before = counts()

    response = client.post(IMPORT_URL, {"file": upload(jsonl(row()))}, format="multipart")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert counts() == before


@pytest.mark.django_db
def test_anonymous_callers_may_not_import():
    before = counts()

    response = APIClient().post(IMPORT_URL, {"file": upload(jsonl(row()))}, format="multipart")

    assert response.status_code == 403
    assert counts() == before


@pytest.mark.django_db
def test_a_bad_file_over_the_api_is_a_400_naming_lines_and_fields(staff):
    client = APIClient()
    client.force_authenticate(staff)
    before = counts()

    response = client.post(
        IMPORT_URL,
        {"file": upload(as_csv(row("DAWN-1"), row("DAWN-2", region="KR-99")), "catalog.csv")},
        format="multipart", HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_catalog",
        "message": "The catalog has 1 problem; nothing was imported.",
        "fields": {"line 3: region": [REGION_REASON]},
    }
    assert counts() == before


@pytest.mark.django_db
def test_an_unknown_owner_over_the_api_is_a_400_on_owner(staff):
    client = APIClient()
    client.force_authenticate(staff)

    response = client.post(IMPORT_URL, {"file": upload(jsonl(row())),
                                        "owner": "nobody@example.com"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "owner": ["no account has the email 'nobody@example.com'"]
    }


def test_a_problem_reads_as_line_field_reason():
    assert str(CatalogProblem(3, "region", "unknown")) == "line 3: region: unknown"
