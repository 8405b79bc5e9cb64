"""Relevance of the real search pipeline on an evaluation set, in an isolated database and index.

The command re-runs itself in a child process whose settings point at a temporary folder:
a fresh SQLite database (migrated), a fresh index folder, eager Celery. The catalog goes in
through the real catalog import with publish, so the index is built by the same on-commit
task as in production; then every query runs through the same selectors the API uses, in
the hybrid mode and, in the same process, BM25-only and dense-only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from search.evaluation import format_table, load_ireval, run_queries
from search.ranking import DENSE, HYBRID, LEXICAL

RUNS = (HYBRID, LEXICAL, DENSE)
_CHILD_FLAG = "--isolated-child"


class Command(BaseCommand):
    help = ("Evaluate search on DIR (catalog.jsonl, queries.jsonl, qrels.tsv) in a temporary "
            "database and index: nDCG@10, Recall@10, MRR@10 for the hybrid, BM25-only and "
            "dense-only runs, overall and for Korean, English, cross-lingual and filtered "
            "queries.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--min-ndcg", type=float, default=None,
                            help="fail when the hybrid's overall nDCG@10 is below this")
        parser.add_argument("--min-xling", type=float, default=None,
                            help="fail when the hybrid's cross-lingual nDCG@10 is below this")
        parser.add_argument("--require-hybrid-best", action="store_true",
                            help="fail unless the hybrid beats BM25-only and dense-only overall")
        parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
        parser.add_argument(_CHILD_FLAG, dest="child_output", default=None, help="(internal)")

    def handle(self, *args, directory: Path, child_output: str | None = None, **options):
        directory = directory.resolve()
        for name in ("catalog.jsonl", "queries.jsonl", "qrels.tsv"):
            if not (directory / name).is_file():
                raise CommandError(f"{directory / name} is missing")
        if child_output:
            Path(child_output).write_text(json.dumps(self._evaluate(directory)))
            return
        with tempfile.TemporaryDirectory(prefix="search-eval-") as work:
            results = self._in_child(directory, Path(work))
        for line in format_table(results):
            self.stdout.write(line)
        if options["json"]:
            options["json"].write_text(json.dumps(results, indent=2))
        self._judge(results, options)

    def _in_child(self, directory: Path, work: Path) -> dict:
        output = work / "results.json"
        env = {
            key: value for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
        }
        env.update(EXCHANGE_DATA_DIR=str(work / "data"), SEARCH_INDEX_DIR=str(work / "index"),
                   LOG_LEVEL=env.get("SEARCH_EVAL_LOG_LEVEL", "WARNING"),
                   EMBEDDING_DATA_DIR=str(settings.EMBEDDING_DATA_DIR))
        manage = Path(settings.BASE_DIR) / "manage.py"
        self.stdout.write(f"Evaluating {directory} in an isolated database and index ({work})")
        completed = subprocess.run(
            [sys.executable, str(manage), "search_eval", str(directory),
             _CHILD_FLAG, str(output), "--skip-checks"], env=env, check=False,
        )
        if completed.returncode != 0:
            raise CommandError(f"the evaluation run failed (exit {completed.returncode})")
        return json.loads(output.read_text())

    def _evaluate(self, directory: Path) -> dict:
        from listings.models import Listing
        from listings.services import catalog_import, system_importer_get_or_create

        ireval = load_ireval(directory)
        catalog, queries, qrels = ireval.load_set(directory)
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        with (directory / "catalog.jsonl").open("rb") as file:
            catalog_import(importer=system_importer_get_or_create(), file=file,
                           name="catalog.jsonl", publish=True)
        external_id_of = dict(Listing.objects.values_list("pk", "external_id"))
        return {
            mode: ireval.score_run(run_queries(queries, mode=mode, external_id_of=external_id_of),
                                   queries, qrels, catalog)
            for mode in RUNS
        }

    def _judge(self, results: dict, options: dict) -> None:
        hybrid = results[HYBRID]
        failures = []
        if options["min_ndcg"] is not None and hybrid["all"]["ndcg10"] < options["min_ndcg"]:
            failures.append(f"overall nDCG@10 {hybrid['all']['ndcg10']:.3f} "
                            f"< {options['min_ndcg']}")
        xling = hybrid.get("xling", {}).get("ndcg10", 0.0)
        if options["min_xling"] is not None and xling < options["min_xling"]:
            failures.append(f"cross-lingual nDCG@10 {xling:.3f} < {options['min_xling']}")
        if options["require_hybrid_best"]:
            for other in (LEXICAL, DENSE):
                if hybrid["all"]["ndcg10"] <= results[other]["all"]["ndcg10"]:
                    failures.append(f"hybrid overall nDCG@10 {hybrid['all']['ndcg10']:.3f} does "
                                    f"not beat {other} {results[other]['all']['ndcg10']:.3f}")
        if failures:
            raise CommandError("; ".join(failures))
        self.stdout.write(self.style.SUCCESS("search evaluation passed"))
