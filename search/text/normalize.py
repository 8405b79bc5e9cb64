"""Unicode clean-up shared by every analyzer, applied before tokenising.

Korean writing uses several look-alike dots: the interpunct in "5·18" (a date,
the Gwangju Uprising) and as a list separator ("glb·usd", "낮·황혼·밤").
Dates must survive as one token on both the Korean and the English side, list
separators must split.
"""

from __future__ import annotations

import re
import unicodedata

# U+00B7 middle dot, U+318D hangul araea (U+119E after NFKC), U+30FB katakana middle dot,
# U+2027 hyphenation point, U+2219 bullet operator, U+2022 bullet, U+FF65.
_DOTS = "\u00b7\u318d\u119e\u30fb\u2027\u2219\u2022\uff65"
_DOT_CLASS = f"[{_DOTS}]"

# "5·18", "4·19", "3·1", "6·25"; "5.18" only when Hangul follows, because a
# bare "2.5" is far more often a decimal than a date.
_DATE_DOTTED = re.compile(
    rf"(?<![\d.])(1[0-2]|[1-9])\s*{_DOT_CLASS}\s*([12]\d|3[01]|[1-9])(?![\d])"
)
_DATE_PERIOD = re.compile(r"(?<![\d.])(1[0-2]|[1-9])\.([12]\d|3[01]|[1-9])(?=\s?[\uac00-\ud7a3])")
_OTHER_DOTS = re.compile(_DOT_CLASS)
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_QUOTES = re.compile("[\u2018\u2019\u201a\u201b\u2032]")
_SPACES = re.compile(r"\s+")

_HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def normalize_text(text: str) -> str:
    """NFKC, dotted dates joined ("5·18" -> "518"), other dots become spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _DATE_DOTTED.sub(r"\1\2", text)
    text = _DATE_PERIOD.sub(r"\1\2", text)
    text = _OTHER_DOTS.sub(" ", text)
    # En/em dashes separate clauses ("Pavilions — Biennale"); hyphen stays a
    # word joiner for "sci-fi" and "Jeollanam-do".
    text = _DASHES.sub(" ", text)
    text = _QUOTES.sub("'", text)
    return _SPACES.sub(" ", text).strip()


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def compact_key(text: str) -> str:
    """Lowercase with spaces and hyphens removed: "Jeollanam-do" -> "jeollanamdo"."""
    return re.sub(r"[\s\-_'.]", "", text.lower())
