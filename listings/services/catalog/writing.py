"""Writing a checked catalog all-or-nothing, and the accounts an import acts as or for."""

from typing import IO

from django.db import transaction

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import ApplicationError, Forbidden, InvalidInput

from ...models import ListingStatus as S
from ..listings import _listing_apply, listing_create, listing_publish_imported
from .checking import _match_creators, _plan, _Step, _validate, placeholder_email
from .reading import _csv_lines, _is_jsonl, _jsonl_lines, _read_text
from .reports import NON_FIELD, CatalogImportReport, CatalogInvalid, CatalogProblem, Progress

SYSTEM_IMPORTER_EMAIL = "system@exchange.invalid"


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
