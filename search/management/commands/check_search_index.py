from django.core.management.base import BaseCommand, CommandError

from search.services import index_check


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:20])
    return shown + (f" … ({len(ids)} in all)" if len(ids) > 20 else "")


class Command(BaseCommand):
    help = ("Compare the search index with the database (published listings, their content) "
            "and report differences; --repair re-indexes them. Exits 1 when they differ "
            "and were not repaired.")

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="fix the differences found")

    def handle(self, *args, repair: bool = False, **options):
        report = index_check(repair=repair)
        self.stdout.write(f"index version {report.version}: {report.indexed} listings; "
                          f"database: {report.published} published")
        for name in ("missing", "extra", "stale"):
            ids = getattr(report, name)
            if ids:
                self.stdout.write(f"  {name}: {_ids(ids)}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("index and database agree"))
        elif report.repaired:
            self.stdout.write(self.style.SUCCESS("repaired"))
        else:
            raise CommandError("index and database differ; run with --repair")
