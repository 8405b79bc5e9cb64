"""Relevance evaluation of the real search pipeline on a set (catalog.jsonl, queries.jsonl,
qrels.tsv), with the reference metric definitions (ireval.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SUBSETS = (("all", "overall"), ("q_ko", "Korean queries"), ("q_en", "English queries"),
           ("xling", "cross-lingual"), ("filtered", "filtered"))


def load_ireval(folder: Path) -> ModuleType:
    """ireval.py from the set's parent folder when there is one, else our copy of it."""
    candidate = Path(folder).resolve().parent / "ireval.py"
    if candidate.is_file():
        spec = importlib.util.spec_from_file_location("ireval_reference", candidate)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    from search.evaluation import ireval

    return ireval


def run_queries(queries: list[dict], *, mode: str, external_id_of: dict[int, str]) -> dict:
    """{qid: [external_id, ...]} - the top 10 of the real search for each query."""
    from search.selectors import ranked_ids

    return {
        q["qid"]: [external_id_of[i] for i in ranked_ids(text=q["text"], filters=q.get("filters"),
                                                          mode=mode, limit=10)]
        for q in queries
    }


def format_table(results: dict[str, dict]) -> list[str]:
    lines = [f"{'subset':<18}{'n':>4}  " + "  ".join(
        f"{run + ' ' + metric:>16}" for run in results for metric in ("nDCG", "R", "MRR"))]
    first = next(iter(results.values()))
    for key, label in SUBSETS:
        if key not in first:
            continue
        cells = []
        for scores in results.values():
            s = scores[key]
            cells += [f"{s['ndcg10']:>16.3f}", f"{s['recall10']:>16.3f}", f"{s['mrr10']:>16.3f}"]
        lines.append(f"{label:<18}{first[key]['n']:>4}  " + "  ".join(cells))
    return lines
