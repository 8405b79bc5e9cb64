"""The agreement as a PDF in Korean and English. Korean needs a TrueType font with
Hangul glyphs (LICENSING_PDF_FONT, NanumGothic from Debian's fonts-nanum by
default); the PDF embeds a subset with its Unicode map, so its text can be
extracted and searched."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ..models import Agreement
from .labels import medium_label, territory_label, won

FONT_NAME = "AgreementKorean"


@cache
def _register_font(path: str) -> str:
    if not Path(path).is_file():
        raise ImproperlyConfigured(
            f"LICENSING_PDF_FONT {path!r} does not exist: install fonts-nanum "
            "(apt-get install fonts-nanum) or point the setting at a TTF with Hangul glyphs")
    pdfmetrics.registerFont(TTFont(FONT_NAME, path))
    return FONT_NAME


def agreement_lines(agreement: Agreement) -> list[tuple[str, str]]:
    """(style, text) lines of the agreement in Korean then English, from the frozen JSON."""
    doc = json.loads(agreement.canonical_json)
    terms = doc["terms"]
    lines: list[tuple[str, str]] = []
    for lang in ("ko", "en"):
        ko = lang == "ko"
        media = ", ".join(medium_label(m, lang) for m in terms["media"])
        territories = ", ".join(territory_label(t, lang) for t in terms["territories"])
        royalty = (f"{terms['royalty_pct']}%" if terms["royalty_pct"] is not None
                   else ("없음" if ko else "none"))
        exclusive = ("독점" if terms["exclusive"] else "비독점") if ko else (
            "exclusive" if terms["exclusive"] else "non-exclusive")
        organisation = doc["licensee"]["organisation"]
        licensee = doc["licensee"]["display_name"] + (f" ({organisation})" if organisation else "")
        lines += [
            ("title", "콘텐츠 IP 이용허락 계약서" if ko else "Content IP Licence Agreement"),
            ("body", (f"계약 번호: {doc['deal']} · 체결(수락) 시각: {doc['accepted_at']}" if ko
                      else f"Agreement for deal {doc['deal']} · accepted at {doc['accepted_at']}")),
            ("body", (f"대상 IP: {doc['listing']['title']} (권리자: "
                      f"{doc['listing']['rights_holder']})" if ko
                      else f"Licensed IP: {doc['listing']['title']} (rights holder: "
                      f"{doc['listing']['rights_holder']})")),
            ("body", (f"이용허락자: {doc['licensor']['display_name']}" if ko
                      else f"Licensor: {doc['licensor']['display_name']}")),
            ("body", f"이용자: {licensee}" if ko else f"Licensee: {licensee}"),
            ("body", f"이용 매체: {media}" if ko else f"Media: {media}"),
            ("body", f"이용 지역: {territories}" if ko else f"Territories: {territories}"),
            ("body", (f"이용 기간: {terms['start_date']} ~ {terms['end_date']} (종료일 포함)" if ko
                      else f"Period: {terms['start_date']} to {terms['end_date']} inclusive")),
            ("body", f"독점 여부: {exclusive}" if ko else f"Exclusivity: {exclusive}"),
            ("body", (f"이용료: {won(terms['fee_krw'])}원 · 러닝 로열티: {royalty}" if ko
                      else f"Fee: KRW {won(terms['fee_krw'])} · running royalty: {royalty}")),
            ("body", (f"제작 목적: {doc['production']}" if ko
                      else f"Intended production: {doc['production']}")),
            ("gap", ""),
        ]
    lines.append(("small", f"SHA-256: {agreement.sha256}"))
    for signature in agreement.signatures.select_related("signer").order_by("signed_at"):
        signed_at = signature.signed_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        lines.append(("small", f"서명 / Signed by the {signature.party}: "
                               f"{signature.signer.display_name}, {signed_at}, "
                               f"SHA-256 {signature.sha256}"))
    return lines


def agreement_pdf(agreement: Agreement) -> bytes:
    font = _register_font(settings.LICENSING_PDF_FONT)
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16),
        "small": ParagraphStyle("small", fontName=font, fontSize=7.5, leading=11),
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                 topMargin=20 * mm, bottomMargin=20 * mm,
                                 title=f"Licence agreement {agreement.deal_id}")
    story = [Spacer(1, 8 * mm) if style == "gap" else Paragraph(escape(text), styles[style])
             for style, text in agreement_lines(agreement)]
    document.build(story)
    return buffer.getvalue()
