"""The bilingual bridge: a Korean text reaches English terms and the reverse."""

import pytest

from search.text.analysis import analyze_query
from search.text.bm25 import BM25Index
from search.text.bridge import LEXICON, ROMANIZATION, SYNONYM, Bridge
from search.text.lexicon import parse_file
from search.text.pipeline import document_terms, query_terms

FIXTURE_LEXICON = """\
ko\ten\tkind
공포|호러\thorror|ghost story
도깨비\tdokkaebi|goblin
대나무 숲|대숲\tbamboo forest
녹차밭\tgreen tea field
무등산\t-\tmountain
"""


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    path = tmp_path_factory.mktemp("lexicon") / "fixture.tsv"
    path.write_text(FIXTURE_LEXICON, encoding="utf-8")
    from search.text.lexicon import Lexicon

    return Bridge(Lexicon(tuple(parse_file(path))), weight=0.5, romanization_weight=0.4)


def test_korean_phrase_bridges_to_english_terms_with_provenance(bridge):
    bridged = bridge.bridge(analyze_query("대나무 숲의 도깨비"))
    assert [(b.term, b.weight, b.source, b.target, b.kind) for b in bridged] == [
        ("bamboo", 0.5, "대나무 숲", "bamboo forest", LEXICON),
        ("forest", 0.5, "대나무 숲", "bamboo forest", LEXICON),
        ("대숲", 0.5, "대나무 숲", "대나무 숲", SYNONYM),
        ("dokkaebi", 0.5, "도깨비", "dokkaebi", LEXICON),
        ("goblin", 0.5, "도깨비", "dokkaebi", LEXICON),
    ]
    assert bridged[0].reason == "bridged: 대나무 숲 → bamboo forest"


def test_spacing_and_particles_do_not_block_a_korean_match(bridge):
    assert {b.term for b in bridge.bridge(analyze_query("대나무숲에서"))} == {
        "bamboo",
        "forest",
        "대숲",
    }


def test_english_phrase_bridges_to_korean(bridge):
    terms = bridge.bridged_terms(analyze_query("A ghost story in the green tea fields"))
    # A one-word Korean form counts whole; its one-syllable fragment (밭) is dropped.
    assert terms == {"공포": 0.5, "호러": 0.5, "horror": 0.5, "녹차밭": 0.5, "녹차": 0.5}


def test_korean_proper_noun_is_romanized_even_without_lexicon_entry(bridge):
    bridged = [b for b in bridge.bridge(analyze_query("담양 여행")) if b.kind == ROMANIZATION]
    assert [(b.term, b.weight, b.reason) for b in bridged] == [
        ("damyang", 0.4, "bridged: 담양 → Damyang")
    ]


def test_place_kind_spellings_are_matched(bridge):
    terms = bridge.bridged_terms(analyze_query("hiking Mount Mudeung"))
    assert terms == {"무등산": 0.5, "무등": 0.25, "mudeungsan": 0.5, "mountain": 0.5}


def test_bridged_terms_never_repeat_original_ones(bridge):
    # Both words bridge (each occurrence counts), but neither comes back as a bridged term.
    analyzed = analyze_query("horror 공포")
    assert bridge.bridged_terms(analyzed) == {"ghost": 1.0, "stori": 1.0, "호러": 1.0}


def _index(bridge: Bridge | None, docs):
    index = BM25Index()
    for doc_id, (title, description, language) in docs.items():
        terms = document_terms(
            title=title, description=description, language=language, bridge=bridge
        )
        index.add(doc_id, terms.original, terms.bridged, terms.length)
    return index


ENGLISH_DOCS = {
    1: ("Goblin Night", "A goblin plays tricks on villagers in a bamboo forest.", "en"),
    2: ("Tea Terraces", "Drone footage over green tea fields at sunrise.", "en"),
    3: ("City Lights", "Neon streets of a future city in the rain.", "en"),
}
KOREAN_DOCS = {
    11: ("도깨비 장난", "대숲 마을에 도깨비가 나타나 장난을 칩니다.", "ko"),
    12: ("녹차밭의 아침", "보성 녹차밭을 드론으로 촬영한 영상입니다.", "ko"),
    13: ("무등산 사계", "무등산의 사계절 풍경을 담은 사진입니다.", "ko"),
}


def test_korean_query_reaches_english_document(bridge):
    index = _index(bridge, ENGLISH_DOCS)
    query = query_terms("대숲에 사는 도깨비 이야기", bridge=bridge)
    assert [hit.doc_id for hit in index.search(query.weights())] == [1]
    unbridged = _index(None, ENGLISH_DOCS)
    assert unbridged.search(query_terms("대숲에 사는 도깨비 이야기", bridge=None).weights()) == []


def test_english_query_reaches_korean_document(bridge):
    index = _index(bridge, KOREAN_DOCS)
    assert [
        h.doc_id
        for h in index.search(query_terms("green tea field footage", bridge=bridge).weights())
    ] == [12]
    assert [
        h.doc_id for h in index.search(query_terms("Mudeungsan seasons", bridge=bridge).weights())
    ] == [13]


def test_hit_reasons_show_which_document_terms_came_from_the_bridge(bridge):
    index = _index(bridge, KOREAN_DOCS)
    [hit] = index.search(query_terms("goblin", bridge=bridge).weights())
    assert hit.doc_id == 11
    assert [(m.term, m.via_document_bridge) for m in hit.matched] == [
        ("goblin", True),
        ("도깨비", False),
        ("dokkaebi", True),
    ]
