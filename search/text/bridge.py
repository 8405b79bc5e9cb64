"""The bilingual bridge: analysed text in one language -> terms of the other.

Two mechanisms, each term carrying its provenance so a ranker can explain a
hit ("bridged: 무등산 -> Mudeungsan"):

- lexicon: phrases of the domain lexicon are found in the token sequence
  (longest match first, on analysed tokens so particles and inflection do not
  matter) and replaced by the analysed forms of the other side's synonyms,
  optionally also the same side's synonyms (공포 -> 호러);
- romanization: Korean proper nouns (Kiwi tag NNP) also yield their Revised
  Romanization, so "Damyang" reaches 담양 even when the lexicon lacks it.

The same bridge runs on documents at index time and on queries at query time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .analysis import AnalyzedText, analyze_text, place_stem
from .english import normalize_word
from .lexicon import Entry, Lexicon, default_lexicon
from .romanize import romanize_name, romanized_keys
from .tokens import KO, Token, join_key

# Bridged evidence counts half an original word: a translation is a guess
# about meaning, a written word is a fact. On the dev set (BM25 alone) overall
# nDCG@10 is flat from 0.3 to 1.0 (0.864-0.871) and cross-lingual rises slowly
# (0.51 at 0.3, 0.54 at 0.5, 0.55 at 1.0); 0.5 was not tuned further.
BRIDGE_WEIGHT = 0.5
ROMANIZATION_WEIGHT = 0.5
# Longest lexicon phrase in tokens; longer windows only cost time.
MAX_PHRASE_TOKENS = 8

LEXICON = "lexicon"
SYNONYM = "synonym"
ROMANIZATION = "romanization"


@dataclass(frozen=True)
class BridgedTerm:
    term: str  # index term added (an analysed form: Porter stem or Korean morpheme)
    weight: float
    source: str  # the words as written in the text
    target: str  # display form of what they were bridged to
    kind: str  # LEXICON, SYNONYM or ROMANIZATION
    entry_id: str = ""

    @property
    def reason(self) -> str:
        return f"bridged: {self.source} → {self.target}"


@dataclass(frozen=True)
class _Side:
    entry: Entry
    side: str  # the side whose form matched


@dataclass(frozen=True)
class LexiconMatch:
    start: int
    end: int
    surface: str
    entries: tuple[_Side, ...]


class Bridge:
    """Built once per process (analysing ~7,000 lexicon forms takes a few seconds)."""

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        *,
        weight: float = BRIDGE_WEIGHT,
        romanization_weight: float = ROMANIZATION_WEIGHT,
        same_language_synonyms: bool = True,
        romanization: bool = True,
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self.weight = weight
        self.romanization_weight = romanization_weight
        self.same_language_synonyms = same_language_synonyms
        self.romanization = romanization
        self._phrases: dict[str, list[_Side]] = defaultdict(list)
        self._terms: dict[tuple[str, str], dict[str, float]] = {}
        for entry in self.lexicon.entries:
            for side in ("ko", "en"):
                self._terms[(entry.id, side)] = self._index_side(entry, side)

    def _index_side(self, entry: Entry, side: str) -> dict[str, float]:
        terms: dict[str, float] = {}
        for form in entry.forms(side):
            analyzed = analyze_text(form)
            key = join_key(analyzed.tokens)
            if key and _Side(entry, side) not in self._phrases[key]:
                self._phrases[key].append(_Side(entry, side))
            for term, weight in _form_terms(form, analyzed).items():
                terms[term] = max(terms.get(term, 0.0), weight)
        return terms

    def phrase_count(self) -> int:
        return len(self._phrases)

    def matches(self, analyzed: AnalyzedText) -> list[LexiconMatch]:
        """Lexicon phrases in the text; shorter overlapping ones are kept (광주 in 광주비엔날레)."""
        found: list[LexiconMatch] = []
        offset = 0
        for segment in analyzed.segments:
            for start in range(len(segment)):
                for end in range(start + 1, min(len(segment), start + MAX_PHRASE_TOKENS) + 1):
                    run = segment[start:end]
                    sides = self._phrases.get(join_key(run))
                    if sides:
                        found.append(
                            LexiconMatch(offset + start, offset + end, _surface(run), tuple(sides))
                        )
            offset += len(segment)
        return found

    def bridge(self, analyzed: AnalyzedText) -> list[BridgedTerm]:
        """Bridged terms with provenance, one per (occurrence, term); original terms excluded."""
        out: list[BridgedTerm] = []
        for group in _occurrences(self.matches(analyzed)):
            seen: set[str] = set()
            for match in group:
                for side in match.entries:
                    out.extend(self._lexicon_terms(match, side, seen))
        if self.romanization:
            out.extend(self._romanized_terms(analyzed.tokens))
        return [t for t in out if t.term not in analyzed.terms]

    def _lexicon_terms(self, match: LexiconMatch, side: _Side, seen: set[str]) -> list[BridgedTerm]:
        other = "en" if side.side == "ko" else "ko"
        targets = [(other, LEXICON)]
        if self.same_language_synonyms:
            targets.append((side.side, SYNONYM))
        out = []
        for target_side, kind in targets:
            display = side.entry.forms(target_side)[0]
            for term, weight in self._terms[(side.entry.id, target_side)].items():
                if term in seen:
                    continue
                seen.add(term)
                out.append(
                    BridgedTerm(
                        term, self.weight * weight, match.surface, display, kind, side.entry.id
                    )
                )
        return out

    def _romanized_terms(self, tokens: list[Token]) -> list[BridgedTerm]:
        out = []
        for token in tokens:
            if token.lang != KO or token.tag != "NNP":
                continue
            names = [token.text]
            stem = place_stem(token.text)
            if stem:
                names.append(stem)
            terms = {normalize_word(key) for name in names for key in romanized_keys(name)}
            display = romanize_name(token.text)
            out.extend(
                BridgedTerm(term, self.romanization_weight, token.surface, display, ROMANIZATION)
                for term in sorted(terms)
            )
        return out

    def bridged_terms(self, analyzed: AnalyzedText) -> dict[str, float]:
        """Bridged terms summed per term (a word bridged twice in a text counts twice)."""
        totals: dict[str, float] = defaultdict(float)
        for bridged in self.bridge(analyzed):
            totals[bridged.term] += bridged.weight
        return dict(totals)


def _form_terms(form: str, analyzed: AnalyzedText) -> dict[str, float]:
    """Index terms a lexicon form stands for.

    Kiwi sees a lone word without context and may split it (구미호 -> 구미/호)
    although it keeps it whole in a sentence; a one-word Korean form therefore
    counts whole, and its one-syllable fragments are dropped.
    """
    terms = {term: min(weight, 1.0) for term, weight in analyzed.terms.items()}
    if " " not in form and all("\uac00" <= c <= "\ud7a3" for c in form) and len(form) > 1:
        terms = {t: w for t, w in terms.items() if len(t) > 1}
        terms[form] = 1.0
    return terms


def _surface(run: list[Token]) -> str:
    out = []
    for i, token in enumerate(run):
        if i and not token.glued:
            out.append(" ")
        out.append(token.surface)
    return "".join(out)


def _occurrences(matches: list[LexiconMatch]) -> list[list[LexiconMatch]]:
    """Group overlapping matches, so a phrase and the words inside it bridge once together."""
    groups: list[list[LexiconMatch]] = []
    group_end = -1
    for match in sorted(matches, key=lambda m: (m.start, -m.end)):
        if groups and match.start < group_end:
            groups[-1].append(match)
            group_end = max(group_end, match.end)
        else:
            groups.append([match])
            group_end = match.end
    for group in groups:
        group.sort(key=lambda m: m.start - m.end)  # longest first: its display form wins
    return groups
