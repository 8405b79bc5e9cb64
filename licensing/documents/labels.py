"""Korean and English names of what an agreement mentions."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

from exchange.regions import WORLDWIDE, territory_name

MEDIUM_LABELS: dict[str, tuple[str, str]] = {
    "immersive": ("실감형 콘텐츠(VR/AR/XR, 버추얼 프로덕션)",
                  "Immersive (VR/AR/XR, virtual production)"),
    "film_tv": ("영화·방송", "Film & TV"),
    "streaming": ("스트리밍", "Streaming"),
    "game": ("게임", "Game"),
    "publishing": ("출판", "Publishing"),
    "merchandise": ("상품화", "Merchandise"),
    "advertising": ("광고", "Advertising"),
    "exhibition": ("전시", "Exhibition"),
    "performance": ("공연", "Performance"),
    "education": ("교육", "Education"),
}


@cache
def _korean_countries() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ko"],
                               fallback=True)


def medium_label(code: str, language: str) -> str:
    ko, en = MEDIUM_LABELS.get(code, (code, code))
    return ko if language == "ko" else en


def territory_label(code: str, language: str) -> str:
    if code == WORLDWIDE:
        return "전 세계" if language == "ko" else "Worldwide"
    name = territory_name(code)
    return _korean_countries().gettext(name) if language == "ko" else name


def won(amount: int) -> str:
    return f"{amount:,}"
