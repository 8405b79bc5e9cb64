import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from exchange.accounts.models import User
from exchange.errors import ApplicationError
from listings.services import (
    CatalogImportReport,
    CatalogInvalid,
    catalog_import,
    catalog_owner_get,
    system_importer_get_or_create,
)


def progress_bars(stream):
    """A progress callback drawing one tqdm bar per phase (silent when not a terminal)."""
    bars: dict[str, tqdm] = {}

    def progress(phase: str, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            bar = bars[phase] = tqdm(total=total, desc=phase, unit=" lines", file=stream,
                                     disable=None)
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return progress


def summary(name: str, report: CatalogImportReport) -> str:
    return (
        f"Imported {name}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.published} published; "
        f"{report.accounts_created} creator accounts created."
    )


class Command(BaseCommand):
    help = (
        "Import a catalog file (JSON Lines or CSV in the format of shared/catalog/FORMAT.md), "
        "all or nothing: if any line is bad, every problem is printed as 'line N: field: "
        "reason' and nothing is written. Listings are matched by (owner, external_id), so "
        "importing a corrected file again updates them. Without --owner each distinct "
        "`creator` becomes or matches a creator account. The audit log names the --as staff "
        "user as the importer or, without --as, the system account system@exchange.invalid "
        "(staff but inactive: nobody can sign in with it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=".jsonl/.json/.ndjson or .csv")
        parser.add_argument("--owner", metavar="EMAIL",
                            help="creator account that owns every listing in the file")
        parser.add_argument("--publish", action="store_true",
                            help="publish every listing, skipping the review queue")
        parser.add_argument("--as", dest="importer", metavar="EMAIL",
                            help="staff account recorded as the importer")

    def handle(self, *args, file: Path, owner: str | None, publish: bool,
               importer: str | None, **options):
        try:
            owner_account = catalog_owner_get(owner) if owner else None
        except ApplicationError as error:
            raise CommandError(f"--owner: {error.fields['owner'][0]}") from None
        try:
            stream = file.open("rb")
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        try:
            # One transaction with the import: a refused file leaves no system account behind.
            with stream, transaction.atomic():
                importer_account = self._importer(importer)
                report = catalog_import(
                    importer=importer_account, file=stream, name=file.name,
                    owner=owner_account, publish=publish,
                    progress=progress_bars(options.get("stderr") or sys.stderr),
                )
        except CatalogInvalid as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(error.message) from None
        except ApplicationError as error:
            if "owner" in error.fields:
                raise CommandError(f"--owner: {error.fields['owner'][0]}") from None
            raise CommandError(error.message) from None
        self.stdout.write(summary(file.name, report))

    def _importer(self, email: str | None) -> User:
        if not email:
            return system_importer_get_or_create()
        account = User.objects.filter(email__iexact=email.strip()).first()
        if account is None or not (account.is_staff and account.is_active):
            raise CommandError(f"--as: {email} is not an active staff account")
        return account
