"""Bulk catalog import (shared/catalog/FORMAT.md): a JSON Lines or CSV file of
listings, written all-or-nothing.

Every line is checked before anything is written, and the writing is one
transaction: if any line is bad the catalog is refused with every problem as
(line, field, reason), fields named as the API names them
(`license_offers.0.royalty_pct`). Listings are matched by (owner, external_id),
so re-importing a corrected file updates them instead of adding duplicates;
fields a line leaves out are left as they are, given license_offers replace all
offers (the rules of listing_update).
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO

from django.db import transaction
from django.db.models import prefetch_related_objects
from rest_framework import serializers

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import ApplicationError, Forbidden, InvalidInput, flatten_errors

from ..inputs import ListingInput, listing_fields_from_input
from ..models import Listing
from ..models import ListingStatus as S
from ..workflow import EDITABLE_STATUSES
from .listings import _listing_apply, listing_create, listing_publish_imported

JSONL_SUFFIXES = frozenset({".jsonl", ".json", ".ndjson"})
LIST_COLUMNS = frozenset({"tags", "asset_formats"})
JSON_COLUMNS = frozenset({"license_offers"})
NON_FIELD = "non_field_errors"
# Reserved top-level domain (RFC 2606): mail to these accounts can never be delivered.
PLACEHOLDER_EMAIL_DOMAIN = "catalog.invalid"
SYSTEM_IMPORTER_EMAIL = "system@exchange.invalid"
# SQLite before 3.32 allows 999 bound parameters per query; stay below on every backend.
QUERY_CHUNK = 500

# progress(phase, lines done, lines in this phase); phase is "validate" or "write".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CatalogProblem:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


class CatalogInvalid(InvalidInput):
    """The whole catalog is refused; `fields` maps "line N: field" to its reasons."""

    code = "invalid_catalog"

    def __init__(self, problems: Iterable[CatalogProblem]):
        self.problems = sorted(problems, key=lambda problem: problem.line)
        fields: dict[str, list[str]] = {}
        for problem in self.problems:
            fields.setdefault(f"line {problem.line}: {problem.field}", []).append(problem.reason)
        count = len(self.problems)
        super().__init__(
            f"The catalog has {count} problem{'' if count == 1 else 's'}; nothing was imported.",
            fields=fields,
        )


@dataclass
class CatalogImportReport:
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    unchanged_ids: list[int] = field(default_factory=list)
    published_ids: list[int] = field(default_factory=list)
    accounts_created_ids: list[int] = field(default_factory=list)

    @property
    def created(self) -> int:
        return len(self.created_ids)

    @property
    def updated(self) -> int:
        return len(self.updated_ids)

    @property
    def unchanged(self) -> int:
        return len(self.unchanged_ids)

    @property
    def published(self) -> int:
        return len(self.published_ids)

    @property
    def accounts_created(self) -> int:
        return len(self.accounts_created_ids)


@dataclass
class _Line:
    number: int
    values: dict


@dataclass
class _Step:
    """One valid line and what writing it means."""

    number: int
    data: dict
    owner_key: str  # the creator's display name, or "" when the import has one owner
    fields: dict
    offers: list[dict] | None
    existing: Listing | None = None
    changes: bool = True


def _chunks(items: list, size: int = QUERY_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- reading


def _read_text(file: IO) -> str:
    raw = file.read()
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problem = CatalogProblem(line, "file", f"not UTF-8 text (byte 0x{raw[error.start]:02x})")
        raise CatalogInvalid([problem]) from None


def _is_jsonl(name: str, text: str) -> bool:
    suffix = PurePath(name or "").suffix.lower()
    if suffix in JSONL_SUFFIXES or suffix == ".csv":
        return suffix != ".csv"
    return text.lstrip()[:1] == "{"  # an upload without a useful name: sniff


def _jsonl_lines(text: str, problems: list[CatalogProblem]) -> list[_Line]:
    lines = []
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and friends raw.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(CatalogProblem(
                number, NON_FIELD, f"not valid JSON: {error.msg} (column {error.colno})"
            ))
            continue
        if not isinstance(values, dict):
            problems.append(CatalogProblem(number, NON_FIELD, "expected a JSON object {...}"))
            continue
        lines.append(_Line(number, values))
    return lines


def _csv_cell(column: str, cell: str):
    """A CSV cell as the JSON value it stands for; ValueError with the reason."""
    cell = cell.strip()
    if column in JSON_COLUMNS or (column in LIST_COLUMNS and cell.startswith("[")):
        try:
            value = json.loads(cell)
        except json.JSONDecodeError as error:
            raise ValueError(f"not a valid JSON array: {error.msg}") from None
        if not isinstance(value, list):
            raise ValueError("expected a JSON array [...]")
        return value
    if column in LIST_COLUMNS:
        return [part.strip() for part in cell.split("|") if part.strip()]
    return cell


def _csv_lines(text: str, problems: list[CatalogProblem]) -> list[_Line]:
    known = set(ListingInput().fields)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    lines = []
    next_start = 1
    try:
        for row in reader:
            # A record may span lines (quoted newlines): report the line it starts on.
            number, next_start = next_start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                for name in sorted({n for n in header if n and n not in known}):
                    problems.append(CatalogProblem(number, name, "unknown column"))
                for name in sorted({n for n in header if n and header.count(n) > 1}):
                    problems.append(CatalogProblem(number, name, "column appears more than once"))
                continue
            if len(row) > len(header):
                problems.append(CatalogProblem(
                    number, NON_FIELD, f"{len(row)} cells but the header names {len(header)}"
                ))
                continue
            values = {}
            for name, cell in zip(header, row, strict=False):  # missing trailing cells: empty
                if name not in known or not cell.strip():
                    continue
                try:
                    values[name] = _csv_cell(name, cell)
                except ValueError as error:
                    problems.append(CatalogProblem(number, name, str(error)))
            lines.append(_Line(number, values))
    except csv.Error as error:
        problems.append(CatalogProblem(next_start, NON_FIELD, f"not valid CSV: {error}"))
    return lines


# ---------------------------------------------------------------- checking


def _validate(
    lines: list[_Line], *, one_owner: bool, problems: list[CatalogProblem],
    progress: Progress | None,
) -> list[_Step]:
    steps = []
    first_seen: dict[tuple[str, str], int] = {}
    # One serializer for every line: binding a new one per line deep-copies its fields,
    # over half of the validation time when profiled on 2,000 lines.
    serializer = ListingInput()
    for done, line in enumerate(lines, start=1):
        try:
            data, errors = serializer.run_validation(line.values), {}
        except serializers.ValidationError as error:
            data, errors = None, error.detail
        for name, reasons in flatten_errors(errors).items():
            problems.extend(CatalogProblem(line.number, name, reason) for reason in reasons)
        raw_id, raw_creator = line.values.get("external_id"), line.values.get("creator")
        external_id = (data or {}).get("external_id") or (
            raw_id.strip() if isinstance(raw_id, str) else ""
        )
        if not external_id and "external_id" not in errors:
            problems.append(CatalogProblem(
                line.number, "external_id",
                "required in a catalog file: the listing's stable id in your own system",
            ))
        elif external_id:
            owner_key = "" if one_owner else str(raw_creator or "").strip()
            first = first_seen.setdefault((owner_key, external_id), line.number)
            if first != line.number:
                problems.append(CatalogProblem(
                    line.number, "external_id", f"{external_id!r} is already used on line {first}"
                ))
        if data is not None and external_id:
            fields, offers = listing_fields_from_input(data)
            owner_key = "" if one_owner else data["creator"]
            steps.append(_Step(line.number, data, owner_key, fields, offers))
        if progress:
            progress("validate", done, len(lines))
    bad = {problem.line for problem in problems}
    return [step for step in steps if step.number not in bad]


def placeholder_email(display_name: str) -> str:
    """The same name always gives the same address, so a re-import finds the account."""
    digest = hashlib.sha256(display_name.encode()).hexdigest()[:16]
    return f"creator-{digest}@{PLACEHOLDER_EMAIL_DOMAIN}"


def _match_creators(
    steps: list[_Step], problems: list[CatalogProblem]
) -> dict[str, User | None]:
    """Creator display name -> its account, or None when the import must create one."""
    names = sorted({step.owner_key for step in steps})
    matches: dict[str, list[User]] = {name: [] for name in names}
    for chunk in _chunks(names):
        for user in User.objects.filter(display_name__in=chunk, is_creator=True, is_active=True):
            matches[user.display_name].append(user)
    unmatched = {placeholder_email(name): name for name, users in matches.items() if not users}
    placeholders: dict[str, User] = {}
    for chunk in _chunks(list(unmatched)):
        for user in User.objects.filter(email__in=chunk):
            placeholders[unmatched[user.email]] = user
    owners: dict[str, User | None] = {}
    refused: dict[str, str] = {}
    for name, users in matches.items():
        if len(users) > 1:
            refused[name] = (f"{len(users)} creator accounts are named {name!r}; "
                             "import them with an explicit owner")
        elif users:
            owners[name] = users[0]
        elif name in placeholders:
            account = placeholders[name]
            if account.is_active and account.is_creator:
                owners[name] = account  # its holder renamed it since the last import
            else:
                refused[name] = f"the account {account.email} made for {name!r} is suspended"
        else:
            owners[name] = None
    for step in steps:
        if step.owner_key in refused:
            problems.append(CatalogProblem(step.number, "creator", refused[step.owner_key]))
    return owners


def _existing_listings(keys: set[tuple[int, str]]) -> dict[tuple[int, str], Listing]:
    found = {}
    # By external_id alone, then filtered here: a query per owner would be a query per line
    # when every line has its own creator.
    for chunk in _chunks(sorted({external_id for _, external_id in keys})):
        for listing in Listing.objects.filter(external_id__in=chunk):
            key = (listing.owner_id, listing.external_id)
            if key in keys:
                found[key] = listing
    prefetch_related_objects(list(found.values()), "offers")
    return found


def _differs(listing: Listing, fields: dict, offers: list[dict] | None) -> bool:
    if any(getattr(listing, name) != value for name, value in fields.items()):
        return True
    if offers is None:
        return False
    current = list(listing.offers.all())
    return len(current) != len(offers) or any(
        any(getattr(old, name) != value for name, value in new.items())
        for old, new in zip(current, offers, strict=True)
    )


def _plan(
    steps: list[_Step], owners: dict[str, User | None], *, publish: bool,
    problems: list[CatalogProblem],
) -> list[_Step]:
    bad = {problem.line for problem in problems}
    steps = [step for step in steps if step.number not in bad]
    keys = {(owners[s.owner_key].pk, s.fields["external_id"]) for s in steps if owners[s.owner_key]}
    existing = _existing_listings(keys)
    planned = []
    for step in steps:
        owner = owners[step.owner_key]
        step.existing = existing.get((owner.pk, step.fields["external_id"])) if owner else None
        listing = step.existing
        if listing is not None:
            step.changes = _differs(listing, step.fields, step.offers)
            touches = step.changes or (publish and listing.status != S.PUBLISHED)
            if touches and listing.status == S.SUBMITTED:
                problems.append(CatalogProblem(
                    step.number, "external_id",
                    f"matches listing #{listing.pk}, which is awaiting review: withdraw it or "
                    "wait for the moderator's decision, then import again",
                ))
                continue
            if touches and listing.status not in EDITABLE_STATUSES:
                problems.append(CatalogProblem(
                    step.number, "external_id",
                    f"matches listing #{listing.pk}, which is "
                    f"{listing.get_status_display().lower()}; an import may not change it",
                ))
                continue
        planned.append(step)
    return planned


# ---------------------------------------------------------------- writing


def _creator_account_create(*, importer: User, display_name: str, language: str) -> User:
    account = User.objects.create_user(
        email=placeholder_email(display_name),
        password=None,  # unusable: the rights holder claims the account through staff
        display_name=display_name,
        preferred_language=language,
        is_creator=True,
    )
    audit_record(actor=importer, action="user.create_for_catalog", target=account,
                 reason="rights holder named in an imported catalog",
                 data={"display_name": display_name})
    return account


def _problems_from_error(number: int, error: ApplicationError) -> list[CatalogProblem]:
    if not error.fields:
        return [CatalogProblem(number, NON_FIELD, error.message)]
    return [
        CatalogProblem(number, name, reason)
        for name, reasons in error.fields.items()
        for reason in reasons
    ]


def _write(
    steps: list[_Step], *, importer: User, owners: dict[str, User | None], publish: bool,
    report: CatalogImportReport, problems: list[CatalogProblem], progress: Progress | None,
) -> None:
    for step in steps:
        if owners[step.owner_key] is None:
            owners[step.owner_key] = _creator_account_create(
                importer=importer, display_name=step.owner_key, language=step.data["language"]
            )
            report.accounts_created_ids.append(owners[step.owner_key].pk)
    for done, step in enumerate(steps, start=1):
        try:
            listing = step.existing
            if listing is None:
                listing = listing_create(owner=owners[step.owner_key], data=step.data,
                                         actor=importer, audit_data={"import_line": step.number})
                report.created_ids.append(listing.pk)
            elif step.changes:
                listing = _listing_apply(actor=importer, listing=listing, fields=step.fields,
                                         offers=step.offers)
                report.updated_ids.append(listing.pk)
            else:
                report.unchanged_ids.append(listing.pk)
            if publish and listing.status != S.PUBLISHED:
                # Its completeness check is the one that makes an incomplete line a problem.
                listing_publish_imported(importer=importer, listing=listing)
                report.published_ids.append(listing.pk)
        except ApplicationError as error:
            problems.extend(_problems_from_error(step.number, error))
        if progress:
            progress("write", done, len(steps))


def catalog_import(
    *,
    importer: User,
    file: IO,
    name: str = "",
    owner: User | None = None,
    publish: bool = False,
    progress: Progress | None = None,
) -> CatalogImportReport:
    """Import a catalog file all-or-nothing; CatalogInvalid lists every problem.

    `name` chooses the format by extension (.jsonl/.json/.ndjson or .csv); without a
    telling one the first character decides. With `owner` every listing is theirs;
    without, each distinct `creator` is matched to an active creator account of that
    exact display name, or gets a new one with an unusable password.
    """
    if not importer.is_staff:
        raise Forbidden("Only staff may import a catalog.")
    if owner is not None and not (owner.is_creator and owner.is_active):
        raise InvalidInput.for_field("owner", f"{owner.email} is not an active creator account")
    problems: list[CatalogProblem] = []
    text = _read_text(file)
    lines = (_jsonl_lines if _is_jsonl(name, text) else _csv_lines)(text, problems)
    if not lines and not problems:
        raise CatalogInvalid([CatalogProblem(1, "file", "holds no listings")])
    steps = _validate(lines, one_owner=owner is not None, problems=problems, progress=progress)
    owners = {"": owner} if owner is not None else _match_creators(steps, problems)
    steps = _plan(steps, owners, publish=publish, problems=problems)
    if problems and not publish:
        raise CatalogInvalid(problems)
    # With publish, whether a listing is complete is known only once written: the lines
    # that passed are written anyway so that one report holds every problem, then rolled back.
    report = CatalogImportReport()
    with transaction.atomic():
        _write(steps, importer=importer, owners=owners, publish=publish, report=report,
               problems=problems, progress=progress)
        if problems:
            raise CatalogInvalid(problems)
    return report


def catalog_owner_get(email: str) -> User:
    """The account a catalog is imported for, by email."""
    owner = User.objects.filter(email__iexact=(email or "").strip()).first()
    if owner is None:
        raise InvalidInput.for_field("owner", f"no account has the email {email!r}")
    return owner


def system_importer_get_or_create() -> User:
    """Who imports when no person is named (the commands): a staff account that
    cannot sign in (inactive, unusable password), so audit rows name the command."""
    with transaction.atomic():
        importer = User.objects.filter(email=SYSTEM_IMPORTER_EMAIL).first()
        if importer is None:
            importer = User.objects.create_user(
                email=SYSTEM_IMPORTER_EMAIL, password=None,
                display_name="System (catalog import command)", is_staff=True, is_active=False,
            )
            audit_record(actor=None, action="user.create_system", target=importer)
    return importer
