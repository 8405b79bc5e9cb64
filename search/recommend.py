"""Recommendations for a production brief: relevance first, then the brief's preferences.

The brief's text is searched like any query. Preferred regions and offers that fit the
wanted media, territory and budget are preferences, not filters: each multiplies the
relevance score by (1 + boost). A boost of 0.15 lets a fitting listing pass a slightly more
relevant one but never a clearly more relevant one (relevance scores of neighbouring results
typically differ by more than 15% further down than the top few).
When media, territory and period are all given, listings whose rights are already taken
for them (licensing's ledger) are left out: that one is a hard filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from exchange.errors import InvalidInput
from exchange.regions import normalize_region, normalize_territory
from licensing.selectors import available_listing_ids
from listings.models import LicenseOffer
from search.query import plan_query
from search.ranking import Ranked, rank
from search.selectors import ResultPage, allowed_listing_ids, facets, render, serving_index

REGION_BOOST = 0.15
OFFER_FIT_BOOST = 0.15
# Candidates re-scored by the preferences: far more than a page, so a boost can promote.
CANDIDATES = 200
WORLDWIDE = "WW"


@dataclass(frozen=True)
class Brief:
    text: str
    media: tuple[str, ...] = ()
    territory: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    budget_krw: int | None = None
    preferred_regions: frozenset[str] = field(default_factory=frozenset)
    ip_type: str = ""
    exclusive: bool = False
    limit: int = 20

    @classmethod
    def from_input(cls, data: dict) -> Brief:
        try:
            regions = frozenset(normalize_region(r) for r in data.get("preferred_regions", []))
        except ValueError as error:
            raise InvalidInput.for_field("preferred_regions", str(error)) from None
        territory = data.get("territory") or ""
        if territory:
            try:
                territory = normalize_territory(territory)
            except ValueError as error:
                raise InvalidInput.for_field("territory", str(error)) from None
        return cls(
            text=data["text"], media=tuple(data.get("media") or ()), territory=territory,
            start=data.get("start"), end=data.get("end"), budget_krw=data.get("budget_krw"),
            preferred_regions=regions, ip_type=data.get("ip_type") or "",
            exclusive=data.get("exclusive", False), limit=data.get("limit", 20),
        )


def _available(brief: Brief, ids: list[int]) -> list[int]:
    """Licensing's availability, when the brief says what, where and when."""
    if not (brief.media and brief.territory and brief.start and brief.end):
        return ids
    return available_listing_ids(ids, brief.media, brief.territory, brief.start, brief.end,
                                 brief.exclusive)


def _offer_fits(brief: Brief, ids: list[int]) -> dict[int, LicenseOffer]:
    """Per listing, its cheapest offer that covers the wanted media, territory and budget."""
    if not (brief.media or brief.territory or brief.budget_krw is not None):
        return {}
    fits: dict[int, LicenseOffer] = {}
    for offer in LicenseOffer.objects.filter(listing_id__in=ids).order_by("price_krw", "id"):
        if brief.media and not set(brief.media) <= set(offer.media):
            continue
        if brief.territory and not ({brief.territory, WORLDWIDE} & set(offer.territories)):
            continue
        if brief.budget_krw is not None and offer.price_krw > brief.budget_krw:
            continue
        fits.setdefault(offer.listing_id, offer)
    return fits


def recommend(*, brief: Brief) -> ResultPage:
    index = serving_index()
    allowed = allowed_listing_ids({"ip_type": brief.ip_type} if brief.ip_type else {})
    planned = plan_query(brief.text)
    ranking = rank(index, terms=planned.terms, vector=planned.vector, allowed=allowed,
                   top=CANDIDATES)
    candidates = ranking.items
    keep = set(_available(brief, [r.listing_id for r in candidates]))
    candidates = [r for r in candidates if r.listing_id in keep]
    fits = _offer_fits(brief, [r.listing_id for r in candidates])
    for item in candidates:
        region = index.meta.get(item.listing_id, {}).get("region")
        if region in brief.preferred_regions:
            item.score *= 1 + REGION_BOOST
        if item.listing_id in fits:
            item.score *= 1 + OFFER_FIT_BOOST
    candidates.sort(key=lambda r: (-r.score, r.listing_id))

    def offer_reason(item: Ranked) -> list[str]:
        offer = fits.get(item.listing_id)
        if offer is None:
            return []
        return [_("offer fits: %(media)s in %(territories)s, %(months)d months, ₩%(price)s")
                % {"media": ", ".join(offer.media), "territories": ", ".join(offer.territories),
                   "months": offer.term_months, "price": f"{offer.price_krw:,}"}]

    results = render(index, planned, candidates[:brief.limit],
                     preferred_regions=set(brief.preferred_regions), extra_reasons=offer_reason)
    rows = index.rows_of([r.listing_id for r in candidates])
    return ResultPage(count=len(candidates), results=results, facets=facets(index, rows))
