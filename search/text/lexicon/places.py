"""Spelling variants of Korean place names by kind.

Writers refer to one place in many ways: 무등산 / Mudeungsan / Mount Mudeung /
Mudeung Mountain; 신안군 / 신안 / Sinan County / Sinan-gun. A lexicon row
gives the Korean name and a kind; the variants are generated here so the data
stays one line per place.
"""

from __future__ import annotations

from ..romanize import romanize

# kind -> (Korean suffixes the name may carry, English patterns; {base} is the
# romanized name without the suffix, {full} the name with it).
_PATTERNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mountain": ("산", ("{full}", "Mount {base}", "{base} Mountain", "{base}-san")),
    "island": ("도", ("{full}", "{base} Island", "{base}-do")),
    "temple": ("사", ("{full}", "{base} Temple", "{base}-sa")),
    "county": ("군", ("{base}", "{base} County", "{base}-gun")),
    "city": ("시", ("{base}", "{base} City", "{base}-si")),
    "district": ("구", ("{base}-gu", "{base} District")),
    "province": ("도", ("{full}",)),
    "river": ("강", ("{base} River", "{full}")),
    "neighbourhood": ("동", ("{base}-dong", "{base} neighborhood", "{full}")),
    "street": ("로", ("{base}-ro", "{base} Street", "{full}")),
    "beach": ("해수욕장", ("{base} Beach",)),
    "valley": ("계곡", ("{base} Valley",)),
    "falls": ("폭포", ("{base} Falls", "{base} Waterfall")),
    "place": ("", ("{full}",)),
}
PLACE_KINDS = frozenset(_PATTERNS)

# Kinds where the bare name without suffix is how people usually write it
# (담양 for 담양군, 여수 for 여수시).
_BARE_NAME_KINDS = frozenset({"county", "city"})


def _title(romanized: str) -> str:
    return romanized[:1].upper() + romanized[1:]


def expand_place(
    ko: tuple[str, ...], en: tuple[str, ...], kind: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Add the generated Korean and English variants after the written ones."""
    suffix, patterns = _PATTERNS[kind]
    name = ko[0] if ko else ""
    if not name:
        return ko, en
    if suffix and name.endswith(suffix) and len(name) > len(suffix):
        base_ko = name[: -len(suffix)]
    else:
        base_ko = name
    new_ko = list(ko)
    if kind in _BARE_NAME_KINDS and base_ko != name:
        new_ko.append(base_ko)
    if kind in _BARE_NAME_KINDS and base_ko == name:
        new_ko.append(name + suffix)
    full = _title(romanize(name))
    # A one-syllable stem is not a name on its own: 진도 is "Jindo Island", not "Jin Island".
    base = full if kind == "island" and len(base_ko) == 1 else _title(romanize(base_ko))
    # "Hongdo-do" is nobody's spelling: the hyphen form needs a stem shorter than the name.
    usable = [p for p in patterns if not (base == full and p.startswith("{base}-"))]
    new_en = list(en) + [p.format(base=base, full=full) for p in usable]
    return _unique(new_ko), _unique(new_en)


def _unique(forms: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for form in forms:
        if form not in out:
            out.append(form)
    return tuple(out)
