"""Revised Romanization of Korean proper nouns, as written on road signs and maps."""

import pytest

from search.text.romanize import romanize, romanize_name, romanized_keys


@pytest.mark.parametrize(
    ("hangul", "expected"),
    [
        ("광주", "gwangju"),
        ("무등산", "mudeungsan"),
        ("담양", "damyang"),
        ("신라", "silla"),  # ㄴ+ㄹ -> ll
        ("한라산", "hallasan"),
        ("울릉", "ulleung"),  # ㄹ+ㄹ -> ll
        ("종로", "jongno"),  # ㅇ+ㄹ -> ng-n
        ("속리산", "songnisan"),  # ㄱ+ㄹ -> ng-n
        ("독립문", "dongnimmun"),
        ("백마", "baengma"),  # ㄱ+ㅁ -> ng-m
        ("왕십리", "wangsimni"),  # ㅂ+ㄹ -> m-n
        ("별내", "byeollae"),  # ㄹ+ㄴ -> ll
        ("백양사", "baegyangsa"),  # liaison
        ("낙안읍성", "naganeupseong"),
        ("해돋이", "haedoji"),  # palatalisation
        ("같이", "gachi"),
        ("좋고", "joko"),  # ㅎ aspiration
        ("묵호", "mukho"),  # no aspiration written after ㄱ in nouns
        ("집현전", "jiphyeonjeon"),
        ("설악산", "seoraksan"),
        ("월출산", "wolchulsan"),
        ("의정부", "uijeongbu"),
        ("명량", "myeongnyang"),
        ("강강술래", "ganggangsullae"),
        ("도깨비", "dokkaebi"),
        ("해녀", "haenyeo"),
        ("떡볶이", "tteokbokki"),
        ("벚꽃", "beotkkot"),
        ("라면", "ramyeon"),  # word-initial ㄹ is r
    ],
)
def test_romanize_applies_rr_sound_changes(hangul, expected):
    assert romanize(hangul) == expected


def test_romanize_passes_other_characters_through():
    assert romanize("5·18 광주 ACC") == "5·18 gwangju ACC"


@pytest.mark.parametrize(
    ("name", "display"),
    [
        ("전라남도", "Jeollanam-do"),
        ("금남로", "Geumnam-ro"),
        ("양림동", "Yangnim-dong"),
        ("광산구", "Gwangsan-gu"),
        ("무등산", "Mudeungsan"),
        ("진도", "Jindo"),
    ],
)
def test_romanize_name_hyphenates_administrative_units(name, display):
    assert romanize_name(name) == display


def test_romanized_keys_hold_both_readings_without_hyphens():
    assert romanized_keys("청량리") == {"cheongnyangni", "cheongnyangri"}
    assert romanized_keys("금남로") == {"geumnamno", "geumnamro"}
    assert romanized_keys("전라남도") == {"jeollanamdo"}
    assert romanized_keys("담양") == {"damyang"}
