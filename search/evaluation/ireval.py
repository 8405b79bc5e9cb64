# ruff: noqa: E501, E741 (kept verbatim)
# Copied unchanged from shared/catalog/ireval.py: used when an evaluation set has no ireval.py
# beside it, so the metrics are always the reference ones.
"""Reference implementation of the relevance metrics used to judge search (TREC-style qrels).

nDCG@10 uses gain 2^grade - 1. "xling" is the cross-lingual subset: queries with at least one grade>=2
answer written in the other language, scored counting ONLY the other-language answers as relevant."""
import json
import math
from collections import defaultdict
from pathlib import Path


def load_set(folder):
    folder = Path(folder)
    catalog = [json.loads(l) for l in (folder / "catalog.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    queries = [json.loads(l) for l in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    qrels = defaultdict(dict)
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4:
            qrels[parts[0]][parts[2]] = int(parts[3])
    return catalog, queries, qrels


def ndcg_at(ranked, rels, k=10):
    dcg = sum((2 ** rels.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rels.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked, rels, k=10):
    relevant = {d for d, g in rels.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranked, rels, k=10):
    for i, d in enumerate(ranked[:k]):
        if rels.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def score_run(run, queries, qrels, catalog):
    """run: {qid: [external_id, ...]} -> dict of mean metrics, overall and by subset."""
    lang_of = {c["external_id"]: c["language"] for c in catalog}
    buckets = defaultdict(list)
    for q in queries:
        rels = qrels.get(q["qid"], {})
        if not rels:
            continue
        ranked = run.get(q["qid"], [])
        m = (ndcg_at(ranked, rels), recall_at(ranked, rels), mrr_at(ranked, rels))
        buckets["all"].append(m)
        buckets["q_" + q["language"]].append(m)
        other = {d: g for d, g in rels.items() if lang_of.get(d) != q["language"]}
        if any(g >= 2 for g in other.values()):
            # only the other-language answers count: does the query reach across languages?
            buckets["xling"].append((ndcg_at(ranked, other), recall_at(ranked, other), mrr_at(ranked, other)))
        if q.get("filters"):
            buckets["filtered"].append(m)
    out = {}
    for name, ms in buckets.items():
        n = len(ms)
        out[name] = {"n": n, "ndcg10": sum(m[0] for m in ms) / n, "recall10": sum(m[1] for m in ms) / n,
                     "mrr10": sum(m[2] for m in ms) / n}
    return out


def passes_filters(item, filters):
    return all(item.get(k) == v for k, v in (filters or {}).items())
