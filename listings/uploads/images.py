"""Images: the sniffer, the decoding checks Pillow makes possible, and the thumbnail."""

from __future__ import annotations

import io
import os
from typing import IO

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from exchange.errors import InvalidInput

from .formats import GIF, JPEG, PNG, TIFF, WEBP, _Probe, _refuse, _Type

THUMBNAIL_SIZE = 640  # longest side in px: sharp on a 2x-density 320 px catalog card
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "TIFF")


def make_thumbnail(file: IO[bytes]) -> ContentFile | None:
    """A JPEG preview, longest side THUMBNAIL_SIZE (never enlarged), upright, RGB;
    None when the file is not an image we read. Leaves the file at offset 0."""
    file.seek(0)
    try:
        with Image.open(file, formats=IMAGE_FORMATS) as image:
            # JPEG only: decode at a reduced DCT scale instead of full resolution.
            image.draft("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE))
            upright = ImageOps.exif_transpose(image)
        upright.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        _on_white(upright).save(out, "JPEG", quality=85, optimize=True)
    except Exception:  # a preview is optional; Pillow raises many exception types
        return None
    finally:
        file.seek(0)
    return ContentFile(out.getvalue(), name="thumbnail.jpg")


def _on_white(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent areas become white, not the black of a bare convert."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _verify_image(file: IO[bytes], pil_format: str) -> None:
    file.seek(0)
    try:
        with Image.open(file, formats=[pil_format]) as image:
            _check_pixels(image.width * image.height)
            image.verify()  # PNG: the CRC of every chunk up to IEND
        if pil_format == "JPEG":
            _decode_jpeg_reduced(file)
        if pil_format == "PNG" and not _ends_with(file, _PNG_IEND_CHUNK):
            # verify() stops at the IEND chunk's type, so a file cut inside its CRC passes.
            _refuse("the image is damaged or incomplete")
    except InvalidInput:
        raise
    except Image.DecompressionBombError:  # Pillow's own refusal at twice the limit
        _check_pixels(None)
    except Exception:  # Pillow raises OSError, SyntaxError, EOFError, struct.error...
        _refuse("the image is damaged or incomplete")


_PNG_IEND_CHUNK = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _ends_with(file: IO[bytes], suffix: bytes) -> bool:
    file.seek(0, os.SEEK_END)
    file.seek(max(0, file.tell() - len(suffix)))
    return file.read() == suffix


def _check_pixels(pixels: int | None) -> None:
    """Refuse decompression bombs: a small file that would decode to GBs of pixels."""
    limit = Image.MAX_IMAGE_PIXELS  # read now: settings or tests may change it
    if limit and (pixels is None or pixels > limit):
        _refuse(f"the image has too many pixels (at most {limit:,})")


def _decode_jpeg_reduced(file: IO[bytes]) -> None:
    # verify() checks nothing for JPEG; decoding at 1/8 scale still reads every entropy-
    # coded byte, so a truncated file fails, for a fraction of a full decode's memory.
    file.seek(0)
    with Image.open(file, formats=["JPEG"]) as image:
        image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def _sniff_image(probe: _Probe) -> _Type | None:
    head = probe.head
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    return None
