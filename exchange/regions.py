"""Where IP comes from (Korean regions) and where rights apply (territories).

Regions are ISO 3166-2:KR codes. Gangwon and Jeonbuk became special
self-governing provinces with new codes (KR-42 → KR-51, KR-45 → KR-52); the old
codes are accepted on input and stored as the current ones. Nothing here
assumes one home region: the exchange starts in Gwangju and Jeollanam-do but
lists IP from anywhere.
"""

from dataclasses import dataclass

import pycountry
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Region:
    code: str
    name_ko: str
    name_en: str


REGIONS: dict[str, Region] = {
    r.code: r
    for r in (
        Region("KR-11", "서울특별시", "Seoul"),
        Region("KR-26", "부산광역시", "Busan"),
        Region("KR-27", "대구광역시", "Daegu"),
        Region("KR-28", "인천광역시", "Incheon"),
        Region("KR-29", "광주광역시", "Gwangju"),
        Region("KR-30", "대전광역시", "Daejeon"),
        Region("KR-31", "울산광역시", "Ulsan"),
        Region("KR-50", "세종특별자치시", "Sejong"),
        Region("KR-41", "경기도", "Gyeonggi-do"),
        Region("KR-51", "강원특별자치도", "Gangwon"),
        Region("KR-43", "충청북도", "Chungcheongbuk-do"),
        Region("KR-44", "충청남도", "Chungcheongnam-do"),
        Region("KR-52", "전북특별자치도", "Jeonbuk"),
        Region("KR-46", "전라남도", "Jeollanam-do"),
        Region("KR-47", "경상북도", "Gyeongsangbuk-do"),
        Region("KR-48", "경상남도", "Gyeongsangnam-do"),
        Region("KR-49", "제주특별자치도", "Jeju"),
    )
}

RENAMED_REGIONS = {"KR-42": "KR-51", "KR-45": "KR-52"}

REGION_CHOICES = [(r.code, f"{r.name_ko} ({r.name_en})") for r in REGIONS.values()]


def normalize_region(code: str) -> str:
    """The current code for a region code, or ValueError with the reason."""
    cleaned = (code or "").strip().upper()
    cleaned = RENAMED_REGIONS.get(cleaned, cleaned)
    if cleaned not in REGIONS:
        raise ValueError(_("unknown region code %(code)r; use an ISO 3166-2:KR code such as "
                           "KR-29") % {"code": code})
    return cleaned


WORLDWIDE = "WW"
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)


def normalize_territory(code: str) -> str:
    """An ISO 3166-1 alpha-2 country code or WW (worldwide), upper-cased; ValueError otherwise."""
    cleaned = (code or "").strip().upper()
    if cleaned != WORLDWIDE and cleaned not in COUNTRY_CODES:
        raise ValueError(_("unknown territory %(code)r; use an ISO 3166-1 alpha-2 code or WW")
                         % {"code": code})
    return cleaned


def territories_overlap(a: str, b: str) -> bool:
    """Worldwide overlaps every country; two countries overlap only when they are the same."""
    return a == b or WORLDWIDE in (a, b)


def territory_name(code: str) -> str:
    if code == WORLDWIDE:
        return "Worldwide"
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
