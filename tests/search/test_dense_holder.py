"""The index a web process serves: reloads on a new version, never a broken one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from search.dense import IndexHolder, Manifest, VectorIndex, index_rebuild

DIMENSION = 4
MODEL_ID = "test-model|passages=fp32"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def index_of(ids: list[int], model_id: str = MODEL_ID) -> VectorIndex:
    vectors = np.eye(DIMENSION, dtype=np.float32)[[i % DIMENSION for i in ids]]
    index = VectorIndex(DIMENSION, model_id)
    index.upsert(ids, vectors)
    return index


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def holder(tmp_path, clock) -> IndexHolder:
    return IndexHolder(tmp_path, expected_model_id=MODEL_ID, check_interval_s=2.0, clock=clock)


def test_before_any_index_is_saved_the_holder_serves_none(holder):
    assert holder.get() is None
    assert holder.version is None


def test_the_holder_loads_the_saved_index(holder, tmp_path):
    index_of([1, 2, 3]).save(tmp_path)

    served = holder.get()

    assert holder.version == 1
    assert sorted(served.ids().tolist()) == [1, 2, 3]


def test_a_new_version_is_picked_up_after_the_check_interval_not_before(holder, tmp_path, clock):
    index_of([1, 2, 3]).save(tmp_path)
    first = holder.get()
    index_of([1, 2, 3, 4, 5]).save(tmp_path)

    clock.now += 1.9
    assert holder.get() is first

    clock.now += 0.2
    second = holder.get()
    assert second is not first
    assert holder.version == 2
    assert len(second) == 5


def test_without_a_new_version_the_same_index_object_keeps_serving(holder, tmp_path, clock):
    index_of([1]).save(tmp_path)
    first = holder.get()

    clock.now += 60

    assert holder.get() is first
    assert holder.refresh() is False


def test_a_broken_new_version_leaves_the_old_one_serving(holder, tmp_path, clock):
    index_of([1, 2]).save(tmp_path)
    first = holder.get()
    manifest = index_of([1, 2, 3]).save(tmp_path)
    (tmp_path / manifest.file).write_bytes(b"garbage")  # e.g. a disk error after the commit

    clock.now += 5

    assert holder.get() is first
    assert holder.version == 1


def test_an_index_built_with_another_model_is_never_served(holder, tmp_path, clock):
    index_of([1, 2]).save(tmp_path)
    first = holder.get()
    index_of([1, 2, 3], model_id="another-model").save(tmp_path)

    clock.now += 5

    assert holder.get() is first
    assert Manifest.read(tmp_path).model_id == "another-model"


def test_an_older_version_in_the_manifest_is_not_loaded(holder, tmp_path, clock):
    index_of([1, 2]).save(tmp_path)
    index_of([1, 2, 3]).save(tmp_path)
    current = holder.get()
    manifest_path = tmp_path / "manifest.json"
    data = json.loads(manifest_path.read_text())
    data.update(version=1, file="vectors.1.faiss", count=2)
    data["size_bytes"] = (tmp_path / "vectors.1.faiss").stat().st_size
    manifest_path.write_text(json.dumps(data))

    clock.now += 5

    assert holder.get() is current
    assert holder.version == 2


def test_a_rebuild_from_listing_rows_lands_in_the_holder(holder, tmp_path, clock):
    class CountingEmbedder:  # the index does not care about meaning; the model tests do
        dimension = DIMENSION
        model_id = MODEL_ID

        def embed_passages(self, texts):
            return np.eye(DIMENSION, dtype=np.float32)[[len(t) % DIMENSION for t in texts]]

    index_of([1]).save(tmp_path)
    holder.get()

    manifest = index_rebuild(
        [(10, "a"), (11, "bb"), (12, "ccc")], embedder=CountingEmbedder(), folder=tmp_path
    )
    clock.now += 5

    assert manifest.version == 2
    assert sorted(holder.get().ids().tolist()) == [10, 11, 12]
