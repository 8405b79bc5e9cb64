"""English (and any Latin-script) word normalisation: lowercase, stopwords, Porter."""

from __future__ import annotations

import re
from functools import lru_cache

from .porter import porter_stem

# Classic SMART/Lucene-style function words, plus listing boilerplate that
# appears in nearly every description and so carries no topic.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did do does doing don't down during each
    either etc few for from further had has have having he her here hers herself him himself his
    how i if in into is isn't it it's its itself just let's me more most my myself neither no nor
    not of off on once only or other ought our ours ourselves out over own per same she should so
    some such than that the their theirs them themselves then there these they this those through
    to too under until up upon us very via was we were what when where which while who whom why
    will with within without would you your yours yourself yourselves yet one ones may might must
    shall s t via e g i.e e.g
    """.split()
)

_WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
_POSSESSIVE = re.compile(r"'s$")


@lru_cache(maxsize=65536)
def normalize_word(word: str) -> str:
    """Lowercase + Porter stem of one word; "" for stopwords and noise."""
    word = word.lower()
    if word in STOPWORDS:
        return ""
    if len(word) == 1 and not word.isdigit():
        return ""
    return porter_stem(word)


def split_words(text: str) -> list[str]:
    """Latin-script words of already-normalised text, lowercased, possessives cut."""
    return [_POSSESSIVE.sub("", w) for w in _WORD.findall(text.lower())]


def word_parts(word: str) -> list[str]:
    """ "sci-fi" -> ["sci", "fi"]; apostrophes inside a word are dropped."""
    return [p for p in re.split(r"[-']", word) if p]


def joined_form(word: str) -> str:
    """Hyphenated words also index as one token: "Jeollanam-do" -> "jeollanamdo"."""
    return word.replace("-", "").replace("'", "")
