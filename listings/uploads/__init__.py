"""Upload checks for creators' media: the type comes from the content, never the name.

`check_upload` sniffs magic bytes and structure, applies the size limit of the
kind it found and hashes the file in chunks; `make_thumbnail` renders a JPEG
preview of an image. Nothing here stores anything: the caller stores after the
checks pass. Every refusal is an `InvalidInput` on the field "file".

Our own sniffers rather than `filetype`: its matchers look at a few magic bytes
only (any "ftyp" box is "mp4", a zip is a zip) and know nothing of GLB, FBX or USD.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.conf import settings

from ..models import MediaKind
from .formats import GB, MB, _human_size, _Probe, _refuse
from .images import _verify_image, make_thumbnail
from .sniffing import _sniff

__all__ = [
    "HASH_CHUNK_BYTES",
    "UNRECOGNISED",
    "UPLOAD_MAX_BYTES",
    "CheckedUpload",
    "check_upload",
    "make_thumbnail",
    "max_upload_bytes",
]

# Per kind, because the formats differ by orders of magnitude: a print-ready photo or
# scan fits in 30 MB; an album-length lossless WAV/FLAC master needs ~300 MB; a few
# minutes of 4K mezzanine video need GBs; a rights dossier or portfolio PDF stays under
# 50 MB; a textured production 3D asset (GLB/USDZ with 8K textures) reaches ~1 GB.
# Overridable per kind with the Django setting UPLOAD_MAX_BYTES (read at call time).
UPLOAD_MAX_BYTES: dict[str, int] = {
    MediaKind.IMAGE: 30 * MB,
    MediaKind.AUDIO: 300 * MB,
    MediaKind.VIDEO: 4 * GB,
    MediaKind.DOCUMENT: 50 * MB,
    MediaKind.MODEL_3D: 1 * GB,
}

HASH_CHUNK_BYTES = 1 * MB

UNRECOGNISED = "not a recognised image, audio, video, PDF or 3D file"
# kind: (a noun for one file, its label in a list of kinds, the plural)
_WORDS = {
    MediaKind.IMAGE: ("an image", "image", "images"),
    MediaKind.AUDIO: ("an audio file", "audio", "audio files"),
    MediaKind.VIDEO: ("a video", "video", "videos"),
    MediaKind.DOCUMENT: ("a PDF", "PDF", "PDFs"),
    MediaKind.MODEL_3D: ("a 3D model", "3D model", "3D models"),
}


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # a MediaKind value
    content_type: str  # sniffed from the content
    extension: str  # our canonical extension, without the dot
    size: int
    sha256: str  # hex digest of the whole content


def check_upload(file: IO[bytes], *, allowed_kinds: Iterable[str] | None = None) -> CheckedUpload:
    """Decide what the file is from its content and refuse what we do not accept.

    Raises InvalidInput(fields={"file": [reason]}). Leaves the file at offset 0.
    """
    allowed = _allowed(allowed_kinds)
    try:
        size = _size_of(file)
        if size == 0:
            _refuse("the file is empty")
        found = _sniff(_Probe(file, size))
        if found is None:
            _refuse(UNRECOGNISED)
        if found.kind not in allowed:
            expected = _join_or([_WORDS[kind][1] for kind in MediaKind.values if kind in allowed])
            _refuse(f"{_WORDS[found.kind][0]} is not allowed here; expected {expected}")
        limit = max_upload_bytes(found.kind)
        if size > limit:
            _refuse(f"{_WORDS[found.kind][2]} may be at most {_human_size(limit)}")
        if found.pil_format:
            _verify_image(file, found.pil_format)
        digest = _sha256(file)
    finally:
        file.seek(0)
    return CheckedUpload(str(found.kind), found.content_type, found.extension, size, digest)


def max_upload_bytes(kind: str) -> int:
    """The size limit for a kind: the UPLOAD_MAX_BYTES setting, else our default."""
    overrides = getattr(settings, "UPLOAD_MAX_BYTES", None) or {}
    return int(overrides.get(kind, UPLOAD_MAX_BYTES[kind]))


# --- plumbing -------------------------------------------------------------------


def _allowed(allowed_kinds: Iterable[str] | None) -> set[str]:
    if allowed_kinds is None:
        return set(MediaKind.values)
    allowed = {str(kind) for kind in allowed_kinds}
    unknown = allowed - set(MediaKind.values)
    if unknown or not allowed:  # a programming error, not the uploader's
        raise ValueError(f"allowed_kinds must be MediaKind values, got {sorted(allowed)}")
    return allowed


def _size_of(file: IO[bytes]) -> int:
    file.seek(0, os.SEEK_END)
    return file.tell()


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(HASH_CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


def _join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
