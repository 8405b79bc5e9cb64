"""Short reasons a person can read: why a listing is in the results."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from exchange.regions import REGIONS
from search.ranking import Ranked
from search.text import QueryTerms

MAX_MATCHED = 4
MAX_BRIDGED = 2
# Cosine above which "close in meaning" is worth saying; on the dev catalog relevant pairs
# mostly score 0.35-0.7 and unrelated ones 0.0-0.3.
SAY_MEANING_FROM = 0.35


def region_label(code: str) -> str:
    """The region's name in the reader's language, with its code."""
    region = REGIONS.get(code)
    if region is None:
        return code
    name = region.name_ko if (get_language() or "").startswith("ko") else region.name_en
    return f"{name} ({code})"


def reasons_for(item: Ranked, terms: QueryTerms, meta: dict, *,
                preferred_regions: set[str] | None = None) -> list[str]:
    reasons: list[str] = []
    written = [m.term for m in item.matched
               if m.term in terms.original and not m.via_document_bridge]
    if written:
        reasons.append(_("matched: %(terms)s") % {"terms": ", ".join(written[:MAX_MATCHED])})
    bridged: list[str] = []
    for match in item.matched:
        source = terms.reason_for(match.term)
        text = source and _("bridged: %(source)s → %(target)s") % {
            "source": source.source, "target": source.target}
        if text and text not in bridged:
            bridged.append(text)
    reasons.extend(bridged[:MAX_BRIDGED])
    translated = [m.term for m in item.matched if m.via_document_bridge]
    if translated:
        reasons.append(_("matched the listing's translated words: %(terms)s")
                       % {"terms": ", ".join(translated[:MAX_MATCHED])})
    if item.dense is not None and item.dense >= SAY_MEANING_FROM:
        reasons.append(_("close in meaning (similarity %(similarity).2f)")
                       % {"similarity": item.dense})
    region = meta.get("region", "")
    if preferred_regions and region in preferred_regions:
        reasons.append(_("from a preferred region: %(region)s") % {"region": region_label(region)})
    elif region:
        reasons.append(_("region: %(region)s") % {"region": region_label(region)})
    return reasons
