"""The terms of a deal as one value: cleaning (the one definition of valid
terms, used by every service) and the canonical JSON form."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from exchange.errors import InvalidInput
from exchange.regions import WORLDWIDE, normalize_territory
from listings.models import LicenseOffer, Medium

from .workflow import ROYALTY_PCT_RANGE

TERM_FIELDS = ("media", "territories", "start_date", "end_date", "exclusive", "fee_krw",
               "royalty_pct")
MAX_FEE_KRW = 10**13
# A licence longer than a century is almost certainly a typo in the year.
MAX_TERM_DAYS = 100 * 366


@dataclass(frozen=True)
class Terms:
    media: tuple[str, ...]
    territories: tuple[str, ...]
    start_date: dt.date
    end_date: dt.date
    exclusive: bool
    fee_krw: int
    royalty_pct: Decimal | None

    def as_dict(self) -> dict:
        """JSON-ready, stable: lists sorted, dates ISO, royalty as a string."""
        return {
            "media": sorted(self.media),
            "territories": sorted(self.territories),
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "exclusive": self.exclusive,
            "fee_krw": self.fee_krw,
            "royalty_pct": None if self.royalty_pct is None else f"{self.royalty_pct:.2f}",
        }

    def model_fields(self) -> dict:
        return {**self.as_dict(), "start_date": self.start_date, "end_date": self.end_date,
                "royalty_pct": self.royalty_pct}

    @classmethod
    def of(cls, deal) -> Terms:
        return cls(
            media=tuple(sorted(deal.media)), territories=tuple(sorted(deal.territories)),
            start_date=deal.start_date, end_date=deal.end_date, exclusive=deal.exclusive,
            fee_krw=deal.fee_krw,
            royalty_pct=None if deal.royalty_pct is None else Decimal(deal.royalty_pct),
        )


def _date(field: str, value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput.for_field(field, _("must be a date as YYYY-MM-DD")) from None


def clean_media(values) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    values = [str(v).strip() for v in (values or []) if str(v).strip()]
    if not values:
        raise InvalidInput.for_field("media", _("name at least one medium"))
    unknown = sorted(set(values) - set(Medium.values))
    if unknown:
        raise InvalidInput.for_field(
            "media", _("unknown medium %(medium)r; use one of %(choices)s")
            % {"medium": unknown[0], "choices": ", ".join(Medium.values)}
        )
    return tuple(sorted(set(values)))


def clean_territories(values) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    values = [v for v in (values or []) if str(v).strip()]
    if not values:
        raise InvalidInput.for_field("territories", _("name at least one territory (or WW)"))
    try:
        codes = sorted({normalize_territory(str(code)) for code in values})
    except ValueError as error:
        raise InvalidInput.for_field("territories", str(error)) from None
    if WORLDWIDE in codes and len(codes) > 1:
        raise InvalidInput.for_field(
            "territories", _("WW already covers every country; send WW alone")
        )
    return tuple(codes)


def clean_period(start, end) -> tuple[dt.date, dt.date]:
    start, end = _date("start_date", start), _date("end_date", end)
    if end < start:
        raise InvalidInput.for_field("end_date", _("must be on or after start_date"))
    if (end - start).days > MAX_TERM_DAYS:
        raise InvalidInput.for_field("end_date", _("a licence may last at most 100 years"))
    return start, end


def clean_terms(data: dict) -> Terms:
    """Raw terms (API input, an offer, a merge of a counter) -> Terms, or InvalidInput
    naming the field and the reason."""
    missing = [name for name in TERM_FIELDS if name not in data and name != "royalty_pct"]
    if missing:
        raise InvalidInput.for_field(missing[0], _("this field is required"))
    media = clean_media(data["media"])
    territories = clean_territories(data["territories"])
    start, end = clean_period(data["start_date"], data["end_date"])
    exclusive = data["exclusive"]
    if not isinstance(exclusive, bool):
        raise InvalidInput.for_field("exclusive", _("must be true or false"))
    fee = data["fee_krw"]
    if isinstance(fee, bool) or not isinstance(fee, int) or not 0 <= fee <= MAX_FEE_KRW:
        raise InvalidInput.for_field(
            "fee_krw", _("must be a whole number from 0 to %(max)d") % {"max": MAX_FEE_KRW})
    royalty = data.get("royalty_pct")
    if royalty is not None:
        try:
            royalty = Decimal(str(royalty)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise InvalidInput.for_field("royalty_pct", _("must be a number")) from None
        low, high = ROYALTY_PCT_RANGE
        if not low <= royalty <= high:
            raise InvalidInput.for_field("royalty_pct", _("must be between %(low)s and %(high)s")
                                         % {"low": low, "high": high})
    if fee == 0 and royalty is None:
        raise InvalidInput.for_field("fee_krw", _("a fee of 0 is allowed only with a royalty_pct"))
    return Terms(media=media, territories=territories, start_date=start, end_date=end,
                 exclusive=exclusive, fee_krw=fee, royalty_pct=royalty)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def terms_from_offer(offer: LicenseOffer, *, start_date: dt.date) -> dict:
    """An offer's terms from `start_date`: term_months later, the day before (inclusive end)."""
    return {
        "media": list(offer.media),
        "territories": list(offer.territories),
        "start_date": start_date,
        "end_date": add_months(start_date, offer.term_months) - dt.timedelta(days=1),
        "exclusive": offer.exclusive,
        "fee_krw": offer.price_krw,
        "royalty_pct": offer.royalty_pct,
    }
