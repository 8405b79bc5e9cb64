"""Analyzers: text -> phrase segments (for lexicon matching) + weighted index terms.

A field containing Hangul goes through Kiwi (its Latin words are normalised as
English); a field without Hangul goes through the English tokeniser. So mixed
listings ("LED 월 플레이트", English tags on a Korean listing) work either way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .english import STOPWORDS, joined_form, normalize_word, split_words, word_parts
from .korean import tokenize_korean
from .normalize import has_hangul, normalize_text
from .tokens import EN, KO, Token

# Compounds and suffix-less place stems are extra evidence on top of their
# parts; a full weight would count the same words twice.
COMPOUND_WEIGHT = 0.5

# Place-name suffixes: 무등산 also indexes 무등, 신안군 also 신안 (…산 mountain,
# …도/섬 island or province, …사/암 temple, …시/군/구/동/읍/면/리 units,
# …강/천 river, …만 bay). 리 is left out: too many nouns end in it (주상절리).
PLACE_SUFFIXES = frozenset("산도섬사암시군구동읍면강천만봉")

# Revised Romanization of administrative and place units (도 do, 군 gun, ...).
ROMANIZED_UNITS = frozenset(
    "do si gun gu eup myeon dong ri ga ro gil san sa bong gang cheon".split()
)

_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"/|+&<>]")
_WORD_SPAN = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")
_NOUNISH = frozenset({"NNG", "NNP", "XR", "XSN", "XPN"})
# "Mt. Mudeung": the abbreviation's period must not split the name off.
_MOUNT_ABBREVIATION = re.compile(r"\bMt\.?\s+(?=[A-Z])")


@dataclass(frozen=True)
class FieldWeights:
    """BM25F-style field boosts; a title word says more about the topic than a description word."""

    title: float = 3.0
    tags: float = 2.0
    description: float = 1.0


DEFAULT_FIELD_WEIGHTS = FieldWeights()


@dataclass
class AnalyzedText:
    segments: list[list[Token]]
    terms: dict[str, float] = field(default_factory=dict)

    @property
    def tokens(self) -> list[Token]:
        return [t for segment in self.segments for t in segment]


@dataclass
class AnalyzedDocument:
    language: str
    fields: dict[str, AnalyzedText]
    terms: dict[str, float]
    length: float


def tokenize_english(text: str) -> list[Token | None]:
    """Latin-script words as Tokens; None at clause punctuation. Stopwords vanish
    so "sea of clouds" and "sea clouds" match the same phrase."""
    text = _MOUNT_ABBREVIATION.sub("Mount ", text)
    out: list[Token | None] = []
    previous_end = 0
    for match in _WORD_SPAN.finditer(text):
        gap = text[previous_end : match.start()]
        if _CLAUSE_BREAK.search(gap) and out and out[-1] is not None:
            out.append(None)
        previous_end = match.end()
        for word in split_words(match.group()):
            parts = word_parts(word)
            for i, part in enumerate(parts):
                if part in STOPWORDS:
                    continue
                indexed = _indexable_part(part, i, len(parts))
                out.append(Token(normalize_word(part), EN, "EN", indexed, i > 0, part))
    return out


def _indexable_part(part: str, position: int, count: int) -> bool:
    """Pieces after a hyphen that are romanized unit suffixes ("Damyang-gun",
    "Geumnam-ro") or stubs ("sci-fi", "re-creation") only make sense joined;
    they stay in the phrase sequence but are not index terms alone."""
    if count == 1:
        return len(part) > 1 or part.isdigit()
    if not part.isalpha():
        return True
    return len(part) > 2 and (position == 0 or part not in ROMANIZED_UNITS)


def tokenize(text: str) -> list[Token | None]:
    text = normalize_text(text)
    return tokenize_korean(text) if has_hangul(text) else tokenize_english(text)


def _segments(tokens: Iterable[Token | None]) -> list[list[Token]]:
    segments: list[list[Token]] = [[]]
    for token in tokens:
        if token is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append(token)
    return [s for s in segments if s]


def place_stem(word: str) -> str | None:
    """무등산 -> 무등, 신안군 -> 신안; None when there is no suffix or the stem is too short."""
    if len(word) >= 3 and word[-1] in PLACE_SUFFIXES:
        return word[:-1]
    return None


def _korean_compounds(segment: Sequence[Token]) -> list[str]:
    """Glued noun pieces also index whole: 민주+화+운동 -> 민주화, 민주화운동, 화운동 not."""
    out: list[str] = []
    run: list[Token] = []
    for token in [*segment, None]:
        if (
            token is not None
            and token.lang == KO
            and token.tag in _NOUNISH
            and (token.glued or not run)
        ):
            run.append(token)
            continue
        if len(run) >= 2:
            out.extend(_compounds_of_run(run))
        run = [token] if token is not None and token.lang == KO and token.tag in _NOUNISH else []
    return out


def _compounds_of_run(run: list[Token]) -> list[str]:
    # Suffixes (XSN 화, 들) attach to the noun before, prefixes (XPN) to the one after.
    units: list[str] = []
    affixed: set[int] = set()  # units that gained a prefix or suffix: new words of their own
    pending_prefix = ""
    for token in run:
        if token.tag == "XPN":
            pending_prefix += token.text
        elif token.tag == "XSN" and units:
            units[-1] += token.text
            affixed.add(len(units) - 1)
        else:
            if pending_prefix:
                affixed.add(len(units))
            units.append(pending_prefix + token.text)
            pending_prefix = ""
    out = [units[i] for i in sorted(affixed)]
    if len(units) >= 2:
        out.append("".join(units))
    if len(units) >= 3:
        out.extend(a + b for a, b in zip(units, units[1:], strict=False))
    return out


def _hyphen_joins(text: str) -> list[str]:
    return [
        normalize_word(joined_form(w))
        for w in split_words(text)
        if ("-" in w or "'" in w) and len(joined_form(w)) > 2
    ]


def analyze_text(text: str, *, compound_weight: float = COMPOUND_WEIGHT) -> AnalyzedText:
    """Segments and index terms (term -> weighted frequency) of one piece of text."""
    normalized = normalize_text(text)
    segments = _segments(tokenize(normalized))
    terms: dict[str, float] = defaultdict(float)
    for segment in segments:
        for token in segment:
            if token.indexed and token.text:
                terms[token.text] += 1.0
                stem = place_stem(token.text) if token.tag == "NNP" else None
                if stem:
                    terms[stem] += compound_weight
        for compound in _korean_compounds(segment):
            terms[compound] += compound_weight
    for joined in _hyphen_joins(normalized):
        terms[joined] += compound_weight
    return AnalyzedText(segments, dict(terms))


def analyze_document(
    *,
    title: str,
    description: str,
    tags: Iterable[str] = (),
    language: str,
    field_weights: FieldWeights = DEFAULT_FIELD_WEIGHTS,
) -> AnalyzedDocument:
    """Each field analysed on its own; terms summed with field weights (BM25F style).

    Tags are analysed one by one so that two tags never form a phrase.
    """
    tag_analyses = [analyze_text(tag) for tag in tags]
    tag_text = AnalyzedText(
        segments=[s for a in tag_analyses for s in a.segments],
        terms=_sum_terms((a.terms, 1.0) for a in tag_analyses),
    )
    fields = {
        "title": analyze_text(title),
        "tags": tag_text,
        "description": analyze_text(description),
    }
    weighted = [(fields[name].terms, getattr(field_weights, name)) for name in fields]
    terms = _sum_terms(weighted)
    return AnalyzedDocument(language, fields, terms, length=sum(terms.values()))


def analyze_query(text: str) -> AnalyzedText:
    """A query is one field; a repeated word counts once (briefs repeat for grammar, not weight)."""
    analyzed = analyze_text(text)
    analyzed.terms = {t: min(w, 1.0) for t, w in analyzed.terms.items()}
    return analyzed


def _sum_terms(weighted: Iterable[tuple[dict[str, float], float]]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for terms, weight in weighted:
        for term, value in terms.items():
            out[term] += value * weight
    return dict(out)
