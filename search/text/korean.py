"""Korean tokenisation with kiwipiepy.

One Kiwi instance per process, created on first use: loading the model takes
about a second and 100+ MB, so it must not happen at import time or per call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from kiwipiepy import Kiwi

from .english import STOPWORDS, normalize_word
from .lexicon import default_lexicon
from .tokens import EN, KO, Token

_lock = threading.Lock()
_kiwi: Kiwi | None = None
_user_words: tuple[str, ...] | None = None  # None: the default lexicon's place names

# Content-free nouns and predicates that occur in almost every listing or brief.
KOREAN_STOPWORDS = frozenset(
    """
    것 수 등 때 곳 중 위 뒤 앞 안 밖 간 경우 정도 부분 이상 이하 관련 대한 통한 위한
    하 되 있 없 같 보 주 받 쓰 들 가 오 나 알 싶 않 이 그 저 이런 그런 저런 어떤 만들 찾 원하
    """.split()
)

_NOUN_TAGS = frozenset({"NNG", "NNP", "XR", "SH"})
# Kept inside a phrase for lexicon matching, but not index terms by themselves.
_PHRASE_ONLY_TAGS = frozenset({"NNB", "NR", "MM", "XSN", "XPN"})
_LATIN_TAGS = frozenset({"SL", "SN"})
# Kiwi sometimes swallows a particle into an unknown proper noun ("흑산도의").
# Only endings no Korean place or name plausibly ends with are cut.
_GLUED_PARTICLES = ("에서는", "에서", "으로", "에는", "에게", "의", "를")


def configure_user_words(words: Iterable[str]) -> None:
    """Replace the proper nouns Kiwi keeps whole; the next tokenisation rebuilds Kiwi.

    By default they are the lexicon's place names (Kiwi splits 양림동 as 양/림/동).
    """
    global _kiwi, _user_words
    with _lock:
        _user_words = tuple(sorted(set(words)))
        _kiwi = None


def get_kiwi() -> Kiwi:
    global _kiwi, _user_words
    with _lock:
        if _kiwi is None:
            if _user_words is None:
                _user_words = tuple(sorted(default_lexicon().proper_nouns()))
            # The multi-word dictionary glues phrases such as "여수 밤바다" into
            # one proper noun, which would hide "여수" from the index.
            kiwi = Kiwi(load_multi_dict=False)
            for word in _user_words:
                kiwi.add_user_word(word, "NNP", 0.0)
            _kiwi = kiwi
        return _kiwi


def _kiwi_tokens(text: str) -> list:
    kiwi = get_kiwi()
    # Kiwi documents no thread-safety guarantee for tokenize; a query is ~1 ms.
    with _lock:
        return kiwi.tokenize(text)


def tokenize_korean(text: str) -> list[Token | None]:
    """Kiwi morphemes as Tokens; None marks a phrase break (particle, ending, punctuation)."""
    out: list[Token | None] = []
    previous_end = -1
    latin: list[str] = []  # Kiwi splits "3D" and "16K" into number + letter; glue them back.
    latin_glued = False

    def flush_latin() -> None:
        if latin:
            token = _latin_token("".join(latin), latin_glued)
            if token is not None:
                out.append(token)
            latin.clear()

    for morph in _kiwi_tokens(text):
        tag = str(morph.tag)
        glued = morph.start == previous_end
        previous_end = morph.start + morph.len
        if tag in _LATIN_TAGS:
            if latin and not glued:
                flush_latin()
            if not latin:
                latin_glued = glued
            latin.append(morph.form)
            continue
        flush_latin()
        tokens = _korean_token(morph.form, tag, glued)
        if tokens is None:
            if out and out[-1] is not None:
                out.append(None)
            continue
        out.extend(tokens)
    flush_latin()
    return out


def _latin_token(surface: str, glued: bool) -> Token | None:
    lowered = surface.lower()
    if lowered in STOPWORDS:
        return None
    indexed = len(lowered) > 1 or lowered.isdigit()
    return Token(normalize_word(lowered), EN, "SL", indexed, glued, surface)


def _korean_token(form: str, tag: str, glued: bool) -> list[Token] | None:
    base_tag = tag.split("-")[0]
    if base_tag == "NNP":
        form = _cut_glued_particle(form)
    if base_tag in _NOUN_TAGS or base_tag in _PHRASE_ONLY_TAGS:
        indexed = base_tag in _NOUN_TAGS and form not in KOREAN_STOPWORDS
        parts = form.split()
        return [
            Token(part, KO, base_tag, indexed, glued if i == 0 else False, part)
            for i, part in enumerate(parts)
        ]
    if base_tag in ("VV", "VA"):
        return [Token(form, KO, base_tag, form not in KOREAN_STOPWORDS, glued, form)]
    return None


def _cut_glued_particle(form: str) -> str:
    for particle in _GLUED_PARTICLES:
        if form.endswith(particle) and len(form) - len(particle) >= 2:
            return form[: -len(particle)]
    return form
