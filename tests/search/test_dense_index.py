"""The vector index alone: synthetic vectors, since these tests are about ids, not meaning."""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np
import pytest

from search.dense import IndexMismatchError, IndexMissingError, Manifest, VectorIndex
from search.dense import index as index_module

DIMENSION = 8
MODEL_ID = "test-model|passages=fp32"


def unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def exact_ranking(index_vectors: dict[int, np.ndarray], query: np.ndarray) -> list[int]:
    scores = {listing_id: float(vector @ query) for listing_id, vector in index_vectors.items()}
    return sorted(scores, key=lambda listing_id: -scores[listing_id])


@pytest.fixture
def vectors() -> np.ndarray:
    return unit_vectors(50)


@pytest.fixture
def index(vectors) -> VectorIndex:
    built = VectorIndex(DIMENSION, MODEL_ID)
    built.upsert(range(100, 150), vectors)
    return built


def test_search_returns_listing_ids_by_cosine_best_first(index, vectors):
    results = index.search(vectors[7], 5)

    expected = exact_ranking(dict(zip(range(100, 150), vectors, strict=True)), vectors[7])[:5]
    assert [listing_id for listing_id, _ in results] == expected
    assert results[0] == (107, pytest.approx(1.0, abs=1e-6))


def test_upsert_replaces_the_vector_of_an_existing_listing(index, vectors):
    index.upsert([120], vectors[3:4])

    assert len(index) == 50
    np.testing.assert_allclose(index.vector(120), vectors[3])
    assert {listing_id for listing_id, _ in index.search(vectors[3], 2)} == {103, 120}


def test_within_one_upsert_the_last_vector_for_an_id_wins(vectors):
    index = VectorIndex(DIMENSION, MODEL_ID)

    index.upsert([5, 6, 5], vectors[:3])

    assert len(index) == 2
    np.testing.assert_allclose(index.vector(5), vectors[2])
    np.testing.assert_allclose(index.vector(6), vectors[1])


def test_remove_takes_listings_out_and_ignores_unknown_ids(index, vectors):
    removed = index.remove([107, 108, 999])

    assert removed == 2
    assert len(index) == 48
    assert 107 not in index and 108 not in index and 109 in index
    assert 107 not in [listing_id for listing_id, _ in index.search(vectors[7], 48)]


def test_a_vector_of_the_wrong_dimension_is_refused_and_nothing_changes(index):
    with pytest.raises(IndexMismatchError, match="dimension 8"):
        index.upsert([1, 2], np.ones((2, DIMENSION + 1), dtype=np.float32))

    assert len(index) == 50 and 1 not in index


def test_the_allow_list_keeps_out_every_other_listing_and_ranks_the_allowed_exactly(index, vectors):
    allowed = [101, 113, 127, 140, 149, 5000]  # 5000 is not indexed: harmless
    query = vectors[13] * 0.2 + vectors[7] * 0.8  # nearest overall is 107, not allowed
    query /= np.linalg.norm(query)

    results = index.search(query, 10, allowed_ids=allowed)

    allowed_vectors = {i: vectors[i - 100] for i in allowed if i != 5000}
    assert [listing_id for listing_id, _ in results] == exact_ranking(allowed_vectors, query)
    for listing_id, score in results:
        assert score == pytest.approx(float(allowed_vectors[listing_id] @ query), abs=1e-5)


def test_the_allow_list_is_exact_for_every_query_against_a_large_index():
    """Property check over many random queries: nothing outside the allow-list ever returns."""
    rng = np.random.default_rng(3)
    all_vectors = unit_vectors(2_000, seed=3)
    ids = rng.choice(1_000_000, size=2_000, replace=False)
    index = VectorIndex(DIMENSION, MODEL_ID)
    index.upsert(ids, all_vectors)
    by_id = dict(zip(ids.tolist(), all_vectors, strict=True))
    for trial in range(80):
        # From a single listing up to all of them, across both filtering strategies.
        size = int(rng.choice([1, 5, 50, 199, 200, 500, 1_500, 2_000]))
        allowed = set(rng.choice(ids, size=size, replace=False).tolist())
        query = unit_vectors(1, seed=100 + trial)[0]

        results = index.search(query, 20, allowed_ids=allowed)

        expected = exact_ranking({i: by_id[i] for i in allowed}, query)[:20]
        assert [listing_id for listing_id, _ in results] == expected


def test_a_large_allow_list_whose_listings_rank_low_is_still_ranked_exactly(vectors):
    """The oversampled scan finds too few allowed listings here and must fall back."""
    index = VectorIndex(DIMENSION, MODEL_ID)
    query = vectors[0]
    # 40 listings close to the query, 20 allowed ones pointing away from it.
    index.upsert(range(40), np.tile(query, (40, 1)))
    far = -np.tile(query, (20, 1)) + unit_vectors(20, seed=9) * 0.01
    index.upsert(range(100, 120), far / np.linalg.norm(far, axis=1, keepdims=True))

    results = index.search(query, 5, allowed_ids=range(100, 120))

    assert len(results) == 5
    assert {listing_id for listing_id, _ in results} <= set(range(100, 120))
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    best_allowed = sorted((float(index.vector(i) @ query) for i in range(100, 120)), reverse=True)
    assert scores == pytest.approx(best_allowed[:5], abs=1e-6)


def test_an_empty_allow_list_or_index_finds_nothing(index, vectors):
    assert index.search(vectors[0], 5, allowed_ids=[]) == []
    assert VectorIndex(DIMENSION, MODEL_ID).search(vectors[0], 5) == []


def test_asking_for_more_than_there_is_returns_what_there_is(index, vectors):
    assert len(index.search(vectors[0], 500)) == 50
    assert len(index.search(vectors[0], 500, allowed_ids=[100, 101])) == 2


# -- saving and loading -------------------------------------------------------------------


def test_save_and_load_round_trip(index, vectors, tmp_path):
    manifest = index.save(tmp_path)

    loaded = VectorIndex.load(tmp_path)

    assert manifest.version == 1
    assert (manifest.model_id, manifest.dimension, manifest.count) == (MODEL_ID, DIMENSION, 50)
    assert manifest.file == "vectors.1.faiss"
    assert Manifest.read(tmp_path) == manifest
    assert (loaded.model_id, loaded.dimension, len(loaded)) == (MODEL_ID, DIMENSION, 50)
    assert loaded.search(vectors[9], 3) == index.search(vectors[9], 3)
    np.testing.assert_array_equal(np.sort(loaded.ids()), np.arange(100, 150))


def test_each_save_is_a_new_version_and_only_the_previous_file_is_kept(index, tmp_path):
    versions = [index.save(tmp_path).version for _ in range(4)]

    assert versions == [1, 2, 3, 4]
    assert sorted(path.name for path in tmp_path.glob("vectors.*")) == [
        "vectors.3.faiss",
        "vectors.4.faiss",
    ]
    assert not list(tmp_path.glob(".*.faiss.*"))  # no temporary files left


def test_loading_an_empty_folder_says_there_is_no_index(tmp_path):
    with pytest.raises(IndexMissingError, match="no index manifest"):
        VectorIndex.load(tmp_path)


def test_an_index_built_with_another_model_is_refused(index, tmp_path):
    index.save(tmp_path)

    with pytest.raises(IndexMismatchError, match="rebuild it"):
        VectorIndex.load(tmp_path, expected_model_id="another-model")


def test_a_save_failing_while_writing_vectors_leaves_the_old_index_loadable(
    index, vectors, tmp_path, monkeypatch
):
    index.save(tmp_path)
    bigger = VectorIndex(DIMENSION, MODEL_ID)
    bigger.upsert(range(1000), unit_vectors(1000, seed=1))

    def write_half_then_fail(faiss_index, path: str) -> None:
        Path(path).write_bytes(b"\x00" * 100)  # a partial file...
        raise OSError("disk full")  # ...then the crash

    monkeypatch.setattr(faiss, "write_index", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        bigger.save(tmp_path)
    monkeypatch.undo()

    loaded = VectorIndex.load(tmp_path)
    assert Manifest.read(tmp_path).version == 1
    assert len(loaded) == 50
    assert loaded.search(vectors[4], 1)[0][0] == 104
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".write.lock",
        "manifest.json",
        "vectors.1.faiss",
    ]


def test_a_save_failing_before_the_manifest_is_replaced_leaves_the_old_index_loadable(
    index, tmp_path, monkeypatch
):
    index.save(tmp_path)
    real_replace = index_module.os.replace

    def fail_on_manifest(source, target):
        if Path(target).name == "manifest.json":
            raise OSError("crash before commit")
        real_replace(source, target)

    monkeypatch.setattr(index_module.os, "replace", fail_on_manifest)
    with pytest.raises(OSError, match="crash before commit"):
        VectorIndex(DIMENSION, MODEL_ID).save(tmp_path)  # an empty rebuild, never committed
    monkeypatch.undo()

    assert Manifest.read(tmp_path).version == 1
    assert len(VectorIndex.load(tmp_path)) == 50
    assert index.save(tmp_path).version == 2  # the next save carries on


def test_a_truncated_vectors_file_is_refused_not_half_loaded(index, tmp_path):
    manifest = index.save(tmp_path)
    path = tmp_path / manifest.file
    path.write_bytes(path.read_bytes()[:-16])

    with pytest.raises(IndexMismatchError, match="manifest says"):
        VectorIndex.load(tmp_path)


def test_the_manifest_is_small_readable_json(index, tmp_path):
    index.save(tmp_path)

    data = json.loads((tmp_path / "manifest.json").read_text())

    assert set(data) == {
        "version", "model_id", "dimension", "count", "created_at", "file", "size_bytes", "format",
    }  # fmt: skip
    assert (tmp_path / "manifest.json").stat().st_size < 1_000
