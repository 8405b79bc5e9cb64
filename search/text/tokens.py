"""The token model shared by the Korean and English tokenisers."""

from __future__ import annotations

from dataclasses import dataclass

KO = "ko"
EN = "en"


@dataclass(frozen=True, slots=True)
class Token:
    """One analysed word piece.

    text: the match form (Korean lemma, English Porter stem, digits).
    lang: script family, KO or EN (digits and Latin inside Korean are EN).
    tag: Kiwi part-of-speech tag, or "EN" for the English tokeniser.
    indexed: whether it is an index term by itself (particles never get here;
        bound nouns, determiners and single letters stay only for phrase matching).
    glued: written with no space before it, i.e. part of the same word.
    surface: the text as written, for explanations.
    """

    text: str
    lang: str
    tag: str
    indexed: bool
    glued: bool
    surface: str


def join_key(tokens: list[Token] | tuple[Token, ...]) -> str:
    """Phrase key of a token run: Korean pieces concatenate, English words space-join.

    Spacing in Korean is optional ("가상 프로덕션" = "가상프로덕션"), so it
    must not decide a match; English word boundaries must.
    """
    out: list[str] = []
    previous: Token | None = None
    for token in tokens:
        if previous is not None and previous.lang == EN and token.lang == EN:
            out.append(" ")
        out.append(token.text)
        previous = token
    return "".join(out)
