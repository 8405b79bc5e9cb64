"""Analyzers: what becomes an index term and what a phrase sequence looks like."""

import pytest

from search.text.analysis import FieldWeights, analyze_document, analyze_query, analyze_text
from search.text.normalize import normalize_text


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("5·18 민주화운동", "518 민주화운동"),
        ("5ㆍ18", "518"),
        ("5.18 광주", "518 광주"),
        ("4·19혁명", "419혁명"),
        ("glb·usd 형식", "glb usd 형식"),
        ("낮·황혼·밤", "낮 황혼 밤"),
        ("version 2.5", "version 2.5"),
        ("Pavilions — Biennale", "Pavilions Biennale"),
    ],
)
def test_normalize_joins_dotted_dates_and_splits_list_dots(raw, normalized):
    assert normalize_text(raw) == normalized


def test_korean_particles_and_endings_are_not_terms():
    # Kiwi reads 물질 (diving work) as 물 + suffix 질: the noun and the whole word stay.
    terms = analyze_text("해녀가 바다에서 물질을 합니다").terms
    assert terms == {"해녀": 1.0, "바다": 1.0, "물": 1.0, "물질": 0.5}


def test_korean_dotted_date_is_one_term_in_both_scripts():
    assert "518" in analyze_text("5·18 기념 공연").terms
    assert "518" in analyze_text("the 5·18 uprising").terms


def test_korean_compound_indexes_parts_and_whole_at_half_weight():
    terms = analyze_text("민주화운동").terms
    assert terms == {"민주": 1.0, "운동": 1.0, "민주화": 0.5, "민주화운동": 0.5}


def test_korean_place_name_also_indexes_its_stem():
    terms = analyze_text("신안군 흑산도의 해녀").terms
    assert terms == {"신안군": 1.0, "신안": 0.5, "흑산도": 1.0, "흑산": 0.5, "해녀": 1.0}


def test_latin_inside_korean_is_normalised_as_english():
    terms = analyze_text("16K LED 월 플레이트와 3D 모델").terms
    assert terms == {"16k": 1.0, "led": 1.0, "월": 1.0, "플레이트": 1.0, "3d": 1.0, "모델": 1.0}


def test_english_stopwords_dropped_and_words_stemmed():
    terms = analyze_text("The paintings of the islands").terms
    assert terms == {"paint": 1.0, "island": 1.0}


def test_english_hyphenated_words_index_joined_without_unit_stubs():
    terms = analyze_text("Damyang-gun sci-fi").terms
    assert terms == {"damyang": 1.0, "sci": 1.0, "damyanggun": 0.5, "scifi": 0.5}


def test_english_clause_punctuation_breaks_phrases():
    segments = analyze_text("sea of clouds, silver grass").segments
    assert [[t.text for t in s] for s in segments] == [["sea", "cloud"], ["silver", "grass"]]


def test_mount_abbreviation_stays_with_the_name():
    segments = analyze_text("Mt. Mudeung at dawn").segments
    assert [[t.text for t in s] for s in segments] == [["mount", "mudeung", "dawn"]]


def test_document_terms_are_field_weighted():
    document = analyze_document(
        title="도깨비 웹툰",
        description="도깨비 이야기",
        tags=["판타지"],
        language="ko",
        field_weights=FieldWeights(title=3.0, tags=2.0, description=1.0),
    )
    assert document.terms == {"도깨비": 4.0, "웹툰": 3.0, "이야기": 1.0, "판타지": 2.0}
    assert document.length == 10.0


def test_query_counts_a_repeated_word_once():
    assert analyze_query("horror horror webtoon").terms == {"horror": 1.0, "webtoon": 1.0}
