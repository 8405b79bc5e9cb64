"""What the English-only dense model is given: words it can read, for listings and queries alike."""

from search import runtime
from search.documents import SearchDocument, dense_query_text, dense_text, lexical_terms
from search.text import query_terms
from search.text.normalize import has_hangul
from tests.search.conftest import MUDEUNG_KO, TEA_EN


def _document(title: str, description: str, language: str) -> SearchDocument:
    return SearchDocument(1, "X-1", title, "", description, (), language, "video", "KR-29", "C")


def test_a_korean_listing_is_embedded_as_its_latin_words_and_bridged_english():
    document = _document("무등산 사계 LED 플레이트", MUDEUNG_KO, "ko")
    text = dense_text(document, lexical_terms(document, bridge=runtime.bridge()))
    assert not has_hangul(text)
    assert text.startswith("LED. ")
    assert "mudeungsan" in text.lower() and "virtual production" in text.lower()


def test_a_korean_listing_without_any_bridged_word_keeps_its_title():
    document = _document("가나다", "라마바 사아자.", "ko")
    assert dense_text(document, lexical_terms(document, bridge=None)) == "가나다"


def test_an_english_listing_is_embedded_as_written():
    document = _document("Green Tea Fields of Boseong", TEA_EN, "en")
    assert dense_text(document, lexical_terms(document, bridge=runtime.bridge())) == (
        f"Green Tea Fields of Boseong. {TEA_EN}"
    )


def test_a_korean_query_is_read_like_a_korean_listing():
    text = "무등산 XR 영상"
    terms = query_terms(text, bridge=runtime.bridge())
    targets = [r.target for r in terms.reasons if r.target.isascii()]
    readable = dense_query_text(text, targets)
    assert not has_hangul(readable) and readable.startswith("XR. ")
    assert dense_query_text("ghost story", []) == "ghost story"
