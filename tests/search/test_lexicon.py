"""The ko<->en lexicon data files and their loader."""

import pytest

from search.text.lexicon import LEXICON_DIR, LexiconError, duplicate_forms, load_lexicon, parse_file

EXPECTED_DOMAINS = {
    "art_architecture", "audiences", "content_types", "folklore", "food", "genres", "history",
    "music_performance", "nature", "places_landmarks", "places_regions", "production",
    "sports_leisure", "technology", "themes",
}  # fmt: skip


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def test_every_data_file_has_the_header_and_parses(lexicon):
    for path in sorted(LEXICON_DIR.glob("*.tsv")):
        first = next(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line and line[0] != "#"
        )
        assert first in ("ko\ten", "ko\ten\tkind"), path.name
    assert {entry.domain for entry in lexicon.entries} == EXPECTED_DOMAINS


def test_lexicon_is_broad(lexicon):
    assert len(lexicon) > 1500
    assert sum(len(e.ko) + len(e.en) for e in lexicon.entries) > 5000


def test_every_entry_has_both_languages(lexicon):
    for entry in lexicon.entries:
        assert entry.ko and entry.en, entry.id
        assert (
            any("\uac00" <= c <= "\ud7a3" for form in entry.ko for c in form)
            or entry.ko[0].isascii()
        )


def test_no_form_belongs_to_two_entries(lexicon):
    assert duplicate_forms(lexicon) == {}


def test_lookup_works_in_both_directions(lexicon):
    by_ko = {form: entry for entry in lexicon.entries for form in entry.ko}
    by_en = {form.lower(): entry for entry in lexicon.entries for form in entry.en}
    assert by_ko["웹툰"].en[0] == "webtoon"
    assert by_en["webtoon"].ko[0] == "웹툰"
    assert by_ko["구미호"] is by_en["nine-tailed fox"]
    assert by_ko["강강술래"].en[0] == "ganggangsullae"
    assert by_en["gwangju uprising"].ko[0] == "5·18"


def test_place_kinds_generate_the_usual_spellings(lexicon):
    by_ko = {entry.ko[0]: entry for entry in lexicon.entries}
    assert by_ko["무등산"].en == (
        "mudeungsan national park",
        "Mudeungsan",
        "Mount Mudeung",
        "Mudeung Mountain",
        "Mudeung-san",
    )
    assert by_ko["신안군"].ko == ("신안군", "신안")
    assert by_ko["신안군"].en == ("Sinan", "Sinan County", "Sinan-gun")
    assert by_ko["흑산도"].en == ("Heuksando", "Heuksan Island", "Heuksan-do")
    assert by_ko["홍도"].en == ("Hongdo", "Hongdo Island")
    assert by_ko["송광사"].en == ("Songgwangsa", "Songgwang Temple", "Songgwang-sa")
    assert by_ko["금남로"].en == ("Geumnam-ro", "Geumnam Street", "Geumnamno")


def test_every_gwangju_district_and_jeonnam_city_and_county_is_present(lexicon):
    names = {form for entry in lexicon.entries for form in entry.ko}
    gwangju = {"동구", "서구", "남구", "북구", "광산구"}
    jeonnam = {
        "목포시", "여수시", "순천시", "나주시", "광양시", "담양군", "곡성군", "구례군", "고흥군",
        "보성군", "화순군", "장흥군", "강진군", "해남군", "영암군", "무안군", "함평군", "영광군",
        "장성군", "완도군", "진도군", "신안군",
    }  # fmt: skip
    assert gwangju | jeonnam <= names


def test_malformed_files_are_rejected_with_file_and_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("# comment\nko\ten\n웹툰\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad.tsv:3: expected 2 tab-separated cells, got 1"):
        parse_file(path)
    path.write_text("ko\ten\n웹툰\t-\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad.tsv:2: '-' \(derive English\) needs a kind"):
        parse_file(path)
    path.write_text("korean\tenglish\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad.tsv:1: header must be"):
        parse_file(path)


def test_comments_blank_lines_and_synonyms_are_parsed(tmp_path):
    path = tmp_path / "tiny.tsv"
    path.write_text("# a domain\n\nko\ten\n공포|호러\thorror| scary \n", encoding="utf-8")
    [entry] = parse_file(path)
    assert (entry.id, entry.domain, entry.ko, entry.en) == (
        "tiny:4",
        "tiny",
        ("공포", "호러"),
        ("horror", "scary"),
    )
