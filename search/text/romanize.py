"""Revised Romanization of Korean (RR, 2000), enough for proper nouns.

Used so that a Latin-script query ("Mudeungsan", "Damyang") reaches a Korean
listing that only writes 무등산/담양, and the reverse. Implements the sound
changes RR writes down: liaison, nasalisation, liquidisation (신라 Silla),
ㄹ after ㅁ/ㅇ read as ㄴ, ㅎ aspiration and ㄷ/ㅌ palatalisation. As RR asks
for nouns, aspiration after ㄱ/ㄷ/ㅂ (묵호 Mukho) and tensing are not written.
Personal names with traditional spellings (이 Yi, 박 Park) are left to the
lexicon.
"""

from __future__ import annotations

from .normalize import compact_key

_SYLLABLE_FIRST = 0xAC00
_SYLLABLE_LAST = 0xD7A3

_INITIALS = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_MEDIALS = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
]  # fmt: skip
# Final jamo index -> (representative sound class, sound carried over by liaison).
# Sound classes: K N T L M P NG; "" = no final.
_FINALS: list[tuple[str, str, str]] = [
    ("", "", ""),  # none
    ("K", "", "g"),  # ㄱ
    ("K", "", "kk"),  # ㄲ
    ("K", "k", "s"),  # ㄳ
    ("N", "", "n"),  # ㄴ
    ("N", "n", "j"),  # ㄵ
    ("N", "n", ""),  # ㄶ (ㅎ silent before a vowel)
    ("T", "", "d"),  # ㄷ
    ("L", "", "r"),  # ㄹ
    ("K", "l", "g"),  # ㄺ
    ("M", "l", "m"),  # ㄻ
    ("L", "l", "b"),  # ㄼ
    ("L", "l", "s"),  # ㄽ
    ("L", "l", "t"),  # ㄾ
    ("P", "l", "p"),  # ㄿ
    ("L", "", "r"),  # ㅀ
    ("M", "", "m"),  # ㅁ
    ("P", "", "b"),  # ㅂ
    ("P", "b", "s"),  # ㅄ
    ("T", "", "s"),  # ㅅ
    ("T", "", "ss"),  # ㅆ
    ("NG", "ng", ""),  # ㅇ
    ("T", "", "j"),  # ㅈ
    ("T", "", "ch"),  # ㅊ
    ("K", "", "k"),  # ㅋ
    ("T", "", "t"),  # ㅌ
    ("P", "", "p"),  # ㅍ
    ("T", "", ""),  # ㅎ
]
_CODA_SPELLING = {"": "", "K": "k", "N": "n", "T": "t", "L": "l", "M": "m", "P": "p", "NG": "ng"}
_NASALISED = {"K": "ng", "T": "n", "P": "m", "N": "n", "M": "m", "NG": "ng"}

_I_NIEUN, _I_DIGEUT, _I_RIEUL, _I_MIEUM, _I_IEUNG, _I_JIEUT, _I_HIEUT = 2, 3, 5, 6, 11, 12, 18
_I_GIYEOK, _I_SIOS = 0, 9
_F_DIGEUT, _F_HIEUT, _F_NH, _F_LH, _F_TIEUT = 7, 27, 6, 15, 25
_M_I = 20

# Administrative and place units that RR separates with a hyphen
# (Jeollanam-do, Geumnam-ro, Yangnim-dong); sound changes stop at the hyphen.
ADMIN_UNITS = frozenset("도시군구읍면동리가로길")


def is_hangul_syllable(char: str) -> bool:
    return _SYLLABLE_FIRST <= ord(char) <= _SYLLABLE_LAST


def _decompose(char: str) -> tuple[int, int, int]:
    index = ord(char) - _SYLLABLE_FIRST
    return index // 588, (index % 588) // 28, index % 28


def _romanize_run(syllables: str) -> str:
    """Romanize one run of Hangul syllables, applying sound changes inside it."""
    parts = [_decompose(c) for c in syllables]
    out: list[str] = []
    onset = _INITIALS[parts[0][0]] if parts else ""
    if parts and parts[0][0] == _I_RIEUL:
        onset = "r"
    for position, (_initial, medial, final) in enumerate(parts):
        out.append(onset + _MEDIALS[medial])
        if position + 1 == len(parts):
            out.append(_CODA_SPELLING[_FINALS[final][0]])
            break
        next_initial, next_medial, _ = parts[position + 1]
        coda, onset = _junction(final, next_initial, next_medial)
        out.append(coda)
    return "".join(out)


def _junction(final: int, next_initial: int, next_medial: int) -> tuple[str, str]:
    """Spelling of a syllable's final and the next syllable's initial."""
    sound, kept, carried = _FINALS[final]
    default_onset = _INITIALS[next_initial]
    if not sound:
        return "", ("r" if next_initial == _I_RIEUL else default_onset)
    if next_initial == _I_IEUNG:
        if next_medial == _M_I and final in (_F_DIGEUT, _F_TIEUT):
            return kept, "j" if final == _F_DIGEUT else "ch"
        return kept, carried
    if final in (_F_HIEUT, _F_NH, _F_LH):
        aspirated = {_I_GIYEOK: "k", _I_DIGEUT: "t", _I_JIEUT: "ch", _I_SIOS: "ss"}
        if next_initial in aspirated:
            return kept, aspirated[next_initial]
        if final == _F_HIEUT and next_initial == _I_NIEUN:
            return "n", "n"
    if next_initial in (_I_NIEUN, _I_MIEUM):
        if sound == "L":
            return "l", "l" if next_initial == _I_NIEUN else "m"
        return _NASALISED[sound], default_onset
    if next_initial == _I_RIEUL:
        if sound in ("N", "L"):
            return "l", "l"
        return _NASALISED[sound], "n"
    if next_initial == _I_HIEUT and sound == "T" and next_medial == _M_I and final == _F_DIGEUT:
        return "", "ch"
    return _CODA_SPELLING[sound], default_onset


def romanize(text: str) -> str:
    """Lowercase RR of every Hangul run; other characters pass through."""
    out: list[str] = []
    run: list[str] = []
    for char in text:
        if is_hangul_syllable(char):
            run.append(char)
            continue
        if run:
            out.append(_romanize_run("".join(run)))
            run = []
        out.append(char)
    if run:
        out.append(_romanize_run("".join(run)))
    return "".join(out)


def _split_unit(word: str) -> tuple[str, str] | None:
    if len(word) >= 2 and word[-1] in ADMIN_UNITS and all(is_hangul_syllable(c) for c in word):
        return word[:-1], word[-1]
    return None


def romanize_name(word: str) -> str:
    """Display form of a place or proper name: "전라남도" -> "Jeollanam-do"."""
    pieces = []
    for token in word.split():
        split = _split_unit(token) if len(token) >= 3 else None
        if split:
            pieces.append(f"{romanize(split[0]).capitalize()}-{romanize(split[1])}")
        else:
            pieces.append(romanize(token).capitalize())
    return " ".join(pieces)


def romanized_keys(word: str) -> set[str]:
    """Normalised match keys for a Korean proper noun.

    Both the fully assimilated reading (청량리 -> cheongnyangni) and the
    unit-hyphen reading (-> cheongnyangri) are kept, because English writers
    use both; hyphens and spaces are removed so "Jeollanam-do" and
    "Jeollanamdo" meet.
    """
    keys = {compact_key(romanize(word))}
    split = _split_unit(word)
    if split:
        keys.add(compact_key(romanize(split[0]) + romanize(split[1])))
    keys.discard("")
    return keys
