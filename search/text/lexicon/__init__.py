"""The ko<->en domain lexicon: TSV data files in this folder, one per domain.

File format (UTF-8):
- lines starting with "#" and blank lines are comments;
- the first other line is the header ``ko<TAB>en`` or ``ko<TAB>en<TAB>kind``;
- each row is one concept: Korean forms and English forms, synonyms separated
  by "|", the first one being the display form;
- ``kind`` (optional) names a place type whose usual spellings are generated
  (see ``places.py``); with a kind, ``en`` may be "-" to derive the English
  name by Revised Romanization.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..normalize import compact_key
from .places import PLACE_KINDS, expand_place

LEXICON_DIR = Path(__file__).parent
SYNONYM_SEPARATOR = "|"
DERIVE = "-"


class LexiconError(ValueError):
    """A malformed lexicon file; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    """One concept with its Korean and English forms (display form first)."""

    id: str  # "<domain>:<line>", stable while the file is not reordered
    domain: str
    ko: tuple[str, ...]
    en: tuple[str, ...]
    kind: str = ""

    def forms(self, side: str) -> tuple[str, ...]:
        return self.ko if side == "ko" else self.en


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...]

    def __len__(self) -> int:
        return len(self.entries)

    def proper_nouns(self) -> set[str]:
        """Single-word Korean names of places (for Kiwi's user dictionary)."""
        return {
            form
            for entry in self.entries
            if entry.kind or entry.domain.startswith("places")
            for form in entry.ko
            if " " not in form and len(form) >= 2 and all("\uac00" <= c <= "\ud7a3" for c in form)
        }


def _split_forms(cell: str) -> tuple[str, ...]:
    forms: list[str] = []
    for form in cell.split(SYNONYM_SEPARATOR):
        form = " ".join(form.split())
        if form and form not in forms:
            forms.append(form)
    return tuple(forms)


def parse_file(path: Path) -> list[Entry]:
    domain = path.stem
    entries: list[Entry] = []
    header: list[str] | None = None
    for line_number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.rstrip("\n").split("\t")
        where = f"{path.name}:{line_number}"
        if header is None:
            if cells[:2] != ["ko", "en"] or cells[2:] not in ([], ["kind"]):
                raise LexiconError(f"{where}: header must be 'ko<TAB>en[<TAB>kind]', got {cells!r}")
            header = cells
            continue
        if len(cells) > len(header) or len(cells) < 2:
            raise LexiconError(
                f"{where}: expected {len(header)} tab-separated cells, got {len(cells)}"
            )
        kind = cells[2].strip() if len(cells) > 2 else ""
        if kind and kind not in PLACE_KINDS:
            raise LexiconError(f"{where}: unknown kind {kind!r}; known: {sorted(PLACE_KINDS)}")
        ko = _split_forms(cells[0])
        en = () if cells[1].strip() == DERIVE else _split_forms(cells[1])
        if cells[1].strip() == DERIVE and not kind:
            raise LexiconError(f"{where}: '-' (derive English) needs a kind")
        if kind:
            ko, en = expand_place(ko, en, kind)
        if not ko or not en:
            raise LexiconError(f"{where}: both a Korean and an English form are required")
        entries.append(Entry(f"{domain}:{line_number}", domain, ko, en, kind))
    if header is None:
        raise LexiconError(f"{path.name}: no header")
    return entries


def load_lexicon(folder: Path = LEXICON_DIR) -> Lexicon:
    entries: list[Entry] = []
    for path in sorted(folder.glob("*.tsv")):
        entries.extend(parse_file(path))
    return Lexicon(tuple(entries))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


def duplicate_forms(lexicon: Lexicon) -> dict[tuple[str, str], list[str]]:
    """(side, normalised form) written in more than one entry -> those entry ids.

    Two entries sharing a form would make one word bridge to two unrelated
    concepts; the data tests require this to be empty.
    """
    seen: dict[tuple[str, str], list[str]] = {}
    for entry in lexicon.entries:
        for side in ("ko", "en"):
            for key in {compact_key(form) for form in entry.forms(side)}:
                seen.setdefault((side, key), []).append(entry.id)
    return {key: ids for key, ids in seen.items() if len(ids) > 1}
