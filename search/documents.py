"""THE definition of a listing's searchable text, used by indexing, search and duplicates alike.

A listing becomes a `SearchDocument` (plain data, no Django row), which yields
- the lexical terms the BM25 index stores (title, summary + description, tags; the
  ko<->en bridge adds the other language's terms),
- the text the dense model embeds (`dense_text`), and
- a content hash: when it differs from the one the index holds, the index is stale.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from search.text import Bridge, IndexTerms, document_terms
from search.text.bridge import LEXICON, ROMANIZATION

# How many English bridge targets a Korean listing's dense text carries. The dense model
# (MiniLM) is English-only and truncates at 256 word pieces; 60 short phrases stay inside it.
DENSE_BRIDGE_TERMS = 60
# Bumped when the way terms or dense text are derived from a listing changes, so every
# indexed hash differs and check_search_index re-indexes the catalog (2: Korean dense text
# without Hangul).
DERIVATION_VERSION = 2
_HANGUL_RUN = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+")


@dataclass(frozen=True)
class SearchDocument:
    listing_id: int
    external_id: str
    title: str
    summary: str
    description: str
    tags: tuple[str, ...]
    language: str
    ip_type: str
    region: str
    creator_name: str

    @property
    def body(self) -> str:
        return f"{self.summary}\n{self.description}" if self.summary else self.description

    def content_hash(self) -> str:
        """Changes whenever anything the index derives from the listing changes."""
        fields = {**asdict(self), "derivation": DERIVATION_VERSION}
        payload = json.dumps(fields, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def metadata(self) -> dict:
        """What a search result shows without a database query (stored beside the index)."""
        return {
            "external_id": self.external_id,
            "title": self.title,
            "language": self.language,
            "ip_type": self.ip_type,
            "region": self.region,
            "hash": self.content_hash(),
        }


def document_from_listing(listing) -> SearchDocument:
    """A listings.models.Listing (or anything with its fields) -> its searchable document."""
    return SearchDocument(
        listing_id=int(listing.pk),
        external_id=listing.external_id or "",
        title=listing.title,
        summary=listing.summary or "",
        description=listing.description,
        tags=tuple(str(tag) for tag in (listing.tags or [])),
        language=listing.language,
        ip_type=listing.ip_type,
        region=listing.region,
        creator_name=listing.creator_name,
    )


def lexical_terms(document: SearchDocument, *, bridge: Bridge | None) -> IndexTerms:
    return document_terms(
        title=document.title,
        description=document.body,
        tags=document.tags,
        language=document.language,
        bridge=bridge,
    )


def english_bridge_targets(terms: IndexTerms, *, limit: int = DENSE_BRIDGE_TERMS) -> list[str]:
    """Distinct English display forms the bridge reached from Korean words, in text order."""
    seen: dict[str, None] = {}
    for reason in terms.reasons:
        if reason.kind not in (LEXICON, ROMANIZATION):
            continue
        target = reason.target.strip()
        if target and target.isascii() and target.lower() not in seen:
            seen[target.lower()] = None
        if len(seen) >= limit:
            break
    return list(seen)


def without_hangul(text: str) -> str:
    """The words of a text the English-only dense model can read: Hangul runs removed."""
    return " ".join(_HANGUL_RUN.sub(" ", text).split())


def dense_text(document: SearchDocument, terms: IndexTerms | None = None) -> str:
    """The passage the dense model embeds.

    English listings: title and description. Korean listings: the Latin-script words of the
    title ("LED", "2077") plus the English words and romanizations the bridge found in the
    listing. MiniLM reads no Korean: its tokenizer turns Hangul into jamo pieces (a Korean
    title is about 26 of them on the dev catalog, a description 256), which only pull every
    Korean text towards every other one and cost time.
    """
    if document.language != "ko" or terms is None:
        return f"{document.title}. {document.body}"
    readable = [part for part in (without_hangul(document.title),
                                  ", ".join(english_bridge_targets(terms))) if part]
    return ". ".join(readable) if readable else document.title


def dense_query_text(text: str, bridged_targets: list[str]) -> str:
    """A Korean query reaches the English-only model through its bridged English words
    (and its Latin-script words), like a Korean listing (see dense_text)."""
    if not bridged_targets:
        return text
    readable = [part for part in (without_hangul(text), ", ".join(bridged_targets)) if part]
    return ". ".join(readable)
