from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.services import index_rebuild


class Command(BaseCommand):
    help = ("Rebuild the search index from every published listing and swap it in atomically; "
            "if the rebuild fails, the previous index keeps serving.")

    def handle(self, *args, **options):
        bar = tqdm(total=0, unit="listing", desc="indexing", file=self.stderr._out)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = index_rebuild(progress=progress)
        bar.close()
        self.stdout.write(self.style.SUCCESS(
            f"Search index version {report.version}: {len(report.indexed)} published listings."
        ))
