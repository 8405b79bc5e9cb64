"""BM25 index: ranking, changes, candidates, persistence."""

import io
import json
import math

import numpy as np
import pytest

from search.text.bm25 import BM25Index, BM25Params


def _idf(n_docs: int, df: int) -> float:
    return math.log1p((n_docs - df + 0.5) / (df + 0.5))


def _saturation(
    tf: float, length: float, average: float, k1: float = 1.2, b: float = 0.75
) -> float:
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))


@pytest.fixture
def index():
    index = BM25Index()
    index.add(1, {"bamboo": 3.0, "forest": 1.0})  # "bamboo" in the title
    index.add(2, {"bamboo": 1.0, "tea": 1.0, "field": 2.0})
    index.add(3, {"tea": 1.0, "ceremony": 1.0})
    return index


def test_score_is_okapi_bm25(index):
    doc_ids, scores = index.scores({"bamboo": 1.0})
    assert doc_ids.tolist() == [1, 2, 3]
    average = (4 + 4 + 2) / 3
    expected = [
        _idf(3, 2) * _saturation(3.0, 4, average),
        _idf(3, 2) * _saturation(1.0, 4, average),
        0.0,
    ]
    assert scores.tolist() == pytest.approx(expected, rel=1e-6)


def test_search_ranks_by_score_and_skips_non_matches(index):
    hits = index.search({"bamboo": 1.0, "tea": 1.0})
    assert [hit.doc_id for hit in hits] == [2, 1, 3]
    # Equal contributions (same tf, same df) are listed by term.
    assert [m.term for m in hits[0].matched] == ["bamboo", "tea"]
    assert index.search({"unknown": 1.0}) == []


def test_top_k_and_candidates_limit_results(index):
    assert [h.doc_id for h in index.search({"bamboo": 1.0, "tea": 1.0}, top_k=1)] == [2]
    assert [h.doc_id for h in index.search({"bamboo": 1.0}, candidates=[1, 3, 99])] == [1]
    doc_ids, scores = index.scores({"tea": 1.0}, candidates=[3, 2])
    assert doc_ids.tolist() == [3, 2]
    assert scores[0] > scores[1] > 0  # doc 3 is shorter


def test_bridged_terms_add_frequency_but_not_length():
    index = BM25Index(BM25Params(k1=1.2, b=0.75))
    index.add(1, {"도깨비": 2.0}, {"goblin": 1.0})
    index.add(2, {"goblin": 2.0})
    [first, second] = index.search({"goblin": 1.0})
    assert (first.doc_id, second.doc_id) == (2, 1)
    assert second.score == pytest.approx(_idf(2, 2) * _saturation(1.0, 2.0, 2.0), rel=1e-6)
    assert [(m.term, m.via_document_bridge) for m in second.matched] == [("goblin", True)]


def test_remove_and_replace_documents(index):
    assert index.remove(1) is True
    assert index.remove(1) is False
    assert 1 not in index and len(index) == 2
    assert [h.doc_id for h in index.search({"bamboo": 1.0})] == [2]
    index.add(2, {"forest": 1.0})  # replaces the old version of 2
    assert len(index) == 2
    assert index.search({"bamboo": 1.0}) == []
    assert [h.doc_id for h in index.search({"forest": 1.0})] == [2]
    index.add(1, {"bamboo": 1.0})
    assert sorted(index.doc_ids().tolist()) == [1, 2, 3]


def test_bytes_roundtrip_gives_identical_scores(index):
    index.remove(3)
    index.add(4, {"tea": 2.0}, {"녹차": 1.0})
    restored = BM25Index.from_bytes(index.to_bytes())
    query = {"bamboo": 1.0, "tea": 0.5, "녹차": 0.5}
    assert restored.params == index.params
    for original, copy in zip(index.scores(query), restored.scores(query), strict=True):
        assert np.array_equal(original, copy)
    assert restored.search(query) == index.search(query)


def test_file_roundtrip_and_changes_after_load(index, tmp_path):
    path = tmp_path / "lexical.npz"
    index.save(path)
    restored = BM25Index.load(path)
    assert [p.name for p in tmp_path.iterdir()] == ["lexical.npz"]
    restored.add(5, {"bamboo": 5.0})
    assert [h.doc_id for h in restored.search({"bamboo": 1.0})] == [5, 1, 2]


def test_unknown_format_version_is_refused(index):
    arrays = dict(np.load(io.BytesIO(index.to_bytes()), allow_pickle=False))
    meta = json.loads(arrays["meta"].tobytes())
    meta["version"] = 9
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with pytest.raises(ValueError, match="unsupported BM25 index format version 9"):
        BM25Index.from_bytes(buffer.getvalue())


def test_written_and_bridged_terms_stay_apart_through_later_changes():
    index = BM25Index()
    index.add(1, {"도깨비": 2.0}, {"goblin": 1.0})
    index.add(2, {"goblin": 2.0, "forest": 1.0})
    index.search({"goblin": 1.0})  # builds
    index.add(3, {"forest": 1.0}, {"숲": 0.5})
    index.remove(2)
    hits = {hit.doc_id: hit.matched for hit in index.search({"goblin": 1.0, "숲": 1.0})}
    assert [(m.term, m.via_document_bridge) for m in hits[1]] == [("goblin", True)]
    assert [(m.term, m.via_document_bridge) for m in hits[3]] == [("숲", True)]
    restored = BM25Index.from_bytes(index.to_bytes())
    assert restored.search({"goblin": 1.0, "숲": 1.0}) == index.search({"goblin": 1.0, "숲": 1.0})


def test_format_1_files_still_load_with_the_same_scores():
    # Given a file in format 1 (original and bridged frequencies as two CSR matrices)
    index = BM25Index()
    index.add(1, {"tea": 2.0, "field": 1.0}, {"녹차": 1.0})
    index.add(2, {"녹차": 1.0}, {"tea": 0.5})
    terms = ["tea", "field", "녹차"]
    meta = {"version": 1, "params": {"k1": 1.2, "b": 0.75}, "terms": terms}
    buffer = io.BytesIO()
    np.savez(
        buffer,
        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        doc_ids=np.array([1, 2], dtype=np.int64),
        lengths=np.array([3.0, 1.0], dtype=np.float32),
        original_data=np.array([2.0, 1.0, 1.0], dtype=np.float32),
        original_indices=np.array([0, 1, 2], dtype=np.int32),
        original_indptr=np.array([0, 2, 3], dtype=np.int32),
        original_shape=np.array([2, 3]),
        bridged_data=np.array([1.0, 0.5], dtype=np.float32),
        bridged_indices=np.array([2, 0], dtype=np.int32),
        bridged_indptr=np.array([0, 1, 2], dtype=np.int32),
        bridged_shape=np.array([2, 3]),
    )
    # When it is loaded, then it ranks and explains exactly like the index it was written from
    restored = BM25Index.from_bytes(buffer.getvalue())
    query = {"tea": 1.0, "녹차": 1.0, "field": 0.5}
    for original, copy in zip(index.scores(query), restored.scores(query), strict=True):
        assert np.array_equal(original, copy)
    assert restored.search(query) == index.search(query)


def test_frequencies_are_stored_as_float16_only_when_exact(index):
    index.add(4, {"tea": 2.5}, {"녹차": 0.75})
    index.search({"tea": 1.0})
    assert index._tf.data.dtype == np.float16  # sums of quarters: exact in float16
    odd = BM25Index()
    odd.add(1, {"tea": 0.1, "field": 1.0})
    odd.add(2, {"tea": 1.0})
    [first, second] = odd.search({"tea": 1.0})
    assert odd._tf.data.dtype == np.float32
    average = (1.1 + 1.0) / 2
    assert second.score == pytest.approx(_idf(2, 2) * _saturation(0.1, 1.1, average), rel=1e-6)
