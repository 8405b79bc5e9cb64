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
import io
import json
import os
import re
import struct
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, NoReturn

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from exchange.errors import InvalidInput

from .models import MediaKind

KB = 1024
MB = 1024 * KB
GB = 1024 * MB

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

THUMBNAIL_SIZE = 640  # longest side in px: sharp on a 2x-density 320 px catalog card
HASH_CHUNK_BYTES = 1 * MB
HEAD_BYTES = 64 * KB  # covers every magic number and header we read (ftyp, EBML, zip)
# glTF JSON is parsed whole; with external buffers it is small, and embedding MBs of
# base64 in it is what GLB exists to avoid.
GLTF_JSON_MAX_BYTES = 32 * MB
_MP4_MAX_BOXES = 64  # per level; a real moov is found within the first few top-level boxes

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


@dataclass(frozen=True)
class _Type:
    kind: str
    content_type: str
    extension: str
    pil_format: str | None = None  # the one Pillow plugin allowed to open it (images)


PNG = _Type(MediaKind.IMAGE, "image/png", "png", "PNG")
JPEG = _Type(MediaKind.IMAGE, "image/jpeg", "jpg", "JPEG")
GIF = _Type(MediaKind.IMAGE, "image/gif", "gif", "GIF")
WEBP = _Type(MediaKind.IMAGE, "image/webp", "webp", "WEBP")
TIFF = _Type(MediaKind.IMAGE, "image/tiff", "tiff", "TIFF")
MP3 = _Type(MediaKind.AUDIO, "audio/mpeg", "mp3")
AAC = _Type(MediaKind.AUDIO, "audio/aac", "aac")
WAV = _Type(MediaKind.AUDIO, "audio/wav", "wav")
FLAC = _Type(MediaKind.AUDIO, "audio/flac", "flac")
OGG = _Type(MediaKind.AUDIO, "audio/ogg", "ogg")
OPUS = _Type(MediaKind.AUDIO, "audio/ogg", "opus")
M4A = _Type(MediaKind.AUDIO, "audio/mp4", "m4a")
MP4 = _Type(MediaKind.VIDEO, "video/mp4", "mp4")
MOV = _Type(MediaKind.VIDEO, "video/quicktime", "mov")
WEBM = _Type(MediaKind.VIDEO, "video/webm", "webm")
MKV = _Type(MediaKind.VIDEO, "video/x-matroska", "mkv")
OGV = _Type(MediaKind.VIDEO, "video/ogg", "ogv")
PDF = _Type(MediaKind.DOCUMENT, "application/pdf", "pdf")
GLB = _Type(MediaKind.MODEL_3D, "model/gltf-binary", "glb")
GLTF = _Type(MediaKind.MODEL_3D, "model/gltf+json", "gltf")
# FBX and usdc have no registered media type; these are the names in common use.
FBX = _Type(MediaKind.MODEL_3D, "application/vnd.autodesk.fbx", "fbx")
USDA = _Type(MediaKind.MODEL_3D, "model/vnd.usda", "usda")
USDC = _Type(MediaKind.MODEL_3D, "model/vnd.usdc", "usdc")
USDZ = _Type(MediaKind.MODEL_3D, "model/vnd.usdz+zip", "usdz")

IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "TIFF")


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


# --- plumbing -------------------------------------------------------------------


class _Probe:
    """The file's size and first bytes, plus random access for the few sniffers
    that must look further (PDF trailer, MP4 boxes, GLB JSON chunk, zip directory)."""

    def __init__(self, file: IO[bytes], size: int) -> None:
        self.file = file
        self.size = size
        self.head = self.read_at(0, HEAD_BYTES)

    def read_at(self, offset: int, length: int) -> bytes:
        self.file.seek(offset)
        return self.file.read(length)


def _refuse(reason: str) -> NoReturn:
    raise InvalidInput.for_field("file", reason)


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


def _human_size(size: int) -> str:
    for unit, factor in (("GB", GB), ("MB", MB), ("KB", KB)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return f"{size} bytes"


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


# --- sniffers: each returns a _Type, None (not this format) or refuses (damaged) -----


def _sniff(probe: _Probe) -> _Type | None:
    for sniffer in _SNIFFERS:
        if found := sniffer(probe):
            return found
    return None


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


def _sniff_simple_audio(probe: _Probe) -> _Type | None:
    head = probe.head
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"fLaC"):
        return FLAC
    return None


def _sniff_ogg(probe: _Probe) -> _Type | None:
    head = probe.head
    if not head.startswith(b"OggS") or len(head) < 28:
        return None
    # The first page carries the codec's identification packet after its segment table.
    packet = head[27 + head[26] :][:8]
    if packet.startswith((b"\x01vorbis", b"\x7fFLAC")):
        return OGG
    if packet.startswith(b"OpusHead"):
        return OPUS
    if packet.startswith(b"\x80theora"):
        return OGV
    return None


def _mpeg_audio_frame(header: bytes) -> _Type | None:
    """MP3 (MPEG audio layer III) or AAC in ADTS, from a 4-byte frame header."""
    if len(header) < 4 or header[0] != 0xFF:
        return None
    if header[1] & 0xF6 == 0xF0 and (header[2] >> 2) & 0x0F < 13:  # ADTS: layer 00
        return AAC
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate, rate = header[2] >> 4, (header[2] >> 2) & 3
    is_layer3 = header[1] & 0xE0 == 0xE0 and layer == 1 and version != 1
    return MP3 if is_layer3 and bitrate not in (0, 15) and rate != 3 else None


def _sniff_mpeg_audio(probe: _Probe) -> _Type | None:
    head = probe.head
    if head.startswith(b"ID3") and len(head) >= 10 and head[3] in (2, 3, 4):
        if any(byte & 0x80 for byte in head[6:10]):  # the tag size is syncsafe
            return None
        tag_size = 10 + sum(byte << (7 * (3 - i)) for i, byte in enumerate(head[6:10]))
        tag_size += 10 if head[5] & 0x10 else 0  # footer present
        # The tag may hold cover art of MBs: look at the first frame after it.
        return _mpeg_audio_frame(probe.read_at(tag_size, 4))
    return _mpeg_audio_frame(head[:4])


# ftyp brands, comma-separated because some end in a space ("M4A ").
_AUDIO_BRANDS = frozenset(b"M4A ,M4B ,M4P ,F4A ,F4B ".split(b","))
_VIDEO_BRANDS = frozenset(b"isom,iso2,iso3,iso4,iso5,iso6,mp41,mp42,avc1,dash,mmp4".split(b",")) | {
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"f4v ",
    b"MSNV",
    b"XAVC",
}


def _sniff_iso_media(probe: _Probe) -> _Type | None:
    """MP4 / M4A / MOV from the ftyp box's brands, then the tracks when we can see them."""
    head = probe.head
    if head[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(head[:4], "big")
    if box_size < 16 or box_size > len(head):
        return None
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, box_size - 3, 4)]
    major = brands[0]
    if major in _AUDIO_BRANDS:
        return M4A
    if major == b"qt  ":
        return MOV
    if major not in _VIDEO_BRANDS:  # e.g. HEIC/AVIF stills, JPEG 2000, camera raw
        return None
    handlers = _mp4_track_handlers(probe)
    if b"soun" in handlers and b"vide" not in handlers:
        return M4A  # a generic "isom" file with only an audio track is m4a audio
    return MP4


def _mp4_boxes(probe: _Probe, start: int, end: int):
    """(type, payload start, box end) of the boxes between start and end."""
    offset = start
    for _ in range(_MP4_MAX_BOXES):
        header = probe.read_at(offset, 16)
        if offset + 8 > end or len(header) < 8:
            return
        size, box_type, header_len = int.from_bytes(header[:4], "big"), header[4:8], 8
        if size == 1 and len(header) == 16:
            size, header_len = int.from_bytes(header[8:16], "big"), 16
        elif size == 0:
            size = end - offset
        if size < header_len or offset + size > end:
            return
        yield box_type, offset + header_len, offset + size
        offset += size


def _mp4_track_handlers(probe: _Probe) -> set[bytes]:
    """Handler types (b"vide", b"soun", ...) of moov/trak/mdia/hdlr; empty when unseen."""
    handlers = set()
    for box, start, end in _mp4_boxes(probe, 0, probe.size):
        if box != b"moov":
            continue
        for trak, trak_start, trak_end in _mp4_boxes(probe, start, end):
            if trak != b"trak":
                continue
            for mdia, mdia_start, mdia_end in _mp4_boxes(probe, trak_start, trak_end):
                if mdia != b"mdia":
                    continue
                for hdlr, hdlr_start, _ in _mp4_boxes(probe, mdia_start, mdia_end):
                    if hdlr == b"hdlr":  # version+flags, pre_defined, then handler_type
                        handlers.add(probe.read_at(hdlr_start + 8, 4))
    return handlers


def _ebml_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int] | None:
    if pos >= len(data) or data[pos] == 0:
        return None
    length = 9 - data[pos].bit_length()
    if pos + length > len(data):
        return None
    value = data[pos] if keep_marker else data[pos] & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = value << 8 | byte
    return value, pos + length


def _sniff_matroska(probe: _Probe) -> _Type | None:
    """WebM / MKV: the DocType element inside the EBML header."""
    head = probe.head
    if not head.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    header = _ebml_vint(head, 4, keep_marker=False)
    pos = header[1] if header else len(head)
    end = min(len(head), pos + header[0]) if header else pos
    while pos < end:
        element = _ebml_vint(head, pos, keep_marker=True)
        length = element and _ebml_vint(head, element[1], keep_marker=False)
        if not element or not length:
            return None
        value, pos = head[length[1] : length[1] + length[0]], length[1] + length[0]
        if element[0] == 0x4282:  # DocType
            return {b"webm": WEBM, b"matroska": MKV}.get(value.rstrip(b"\x00"))
    return None


def _sniff_pdf(probe: _Probe) -> _Type | None:
    if not probe.head.startswith(b"%PDF-"):
        return None
    # Readers look for the end marker in the last KB; without it the upload was cut short.
    if b"%%EOF" not in probe.read_at(max(0, probe.size - 1024), 1024):
        _refuse("the PDF is incomplete: it has no end-of-file marker")
    return PDF


def _gltf_asset_version(data: bytes) -> str | None:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    asset = document.get("asset") if isinstance(document, dict) else None
    return str(asset.get("version")) if isinstance(asset, dict) else None


def _sniff_glb(probe: _Probe) -> _Type | None:
    head = probe.head
    if not head.startswith(b"glTF"):
        return None
    if len(head) < 20:
        _refuse("the GLB file is damaged: its header is incomplete")
    version, length, chunk_length = struct.unpack_from("<III", head, 4)
    if version != 2:
        _refuse(f"only glTF 2.0 GLB files are accepted, this one is version {version}")
    if length != probe.size:
        _refuse(f"the GLB file is damaged: its header says {length} bytes, it has {probe.size}")
    if head[16:20] != b"JSON" or 20 + chunk_length > probe.size:
        _refuse("the GLB file is damaged: it does not start with its JSON chunk")
    if chunk_length > GLTF_JSON_MAX_BYTES:
        _refuse(f"the GLB JSON chunk may be at most {_human_size(GLTF_JSON_MAX_BYTES)}")
    if _gltf_asset_version(probe.read_at(20, chunk_length)) != "2.0":
        _refuse("the GLB file is damaged: its JSON chunk is not a glTF 2.0 document")
    return GLB


def _text_head(probe: _Probe) -> bytes:
    return probe.head.removeprefix(b"\xef\xbb\xbf").lstrip()


def _sniff_gltf_json(probe: _Probe) -> _Type | None:
    if not _text_head(probe).startswith(b"{"):
        return None
    if probe.size > GLTF_JSON_MAX_BYTES:
        if b'"asset"' not in probe.head:
            return None  # some other large JSON document
        _refuse(
            f"glTF JSON files may be at most {_human_size(GLTF_JSON_MAX_BYTES)}; "
            "pack larger models as GLB"
        )
    version = _gltf_asset_version(probe.read_at(0, probe.size))
    if version is None:
        return None
    if version != "2.0":
        _refuse(f"only glTF 2.0 is accepted, this file is version {version}")
    return GLTF


def _sniff_fbx(probe: _Probe) -> _Type | None:
    if probe.head.startswith(b"Kaydara FBX Binary  \x00"):
        return FBX
    # ASCII FBX opens with a comment line such as "; FBX 7.4.0 project file".
    return FBX if re.match(rb"; FBX \d", _text_head(probe)) else None


def _sniff_usd(probe: _Probe) -> _Type | None:
    head = probe.head
    if head.startswith(b"PXR-USDC"):
        return USDC
    if re.match(rb"#usda \d", _text_head(probe)):
        return USDA
    if head.startswith(b"PK\x03\x04") and len(head) >= 30:
        name_length = int.from_bytes(head[26:28], "little")
        first_name = head[30 : 30 + name_length].decode("utf-8", "replace").lower()
        if first_name.endswith((".usd", ".usda", ".usdc")):
            _check_usdz_package(probe)
            return USDZ
    return None


def _check_usdz_package(probe: _Probe) -> None:
    # Reads the central directory only (at the end of the file), never the contents.
    try:
        entries = zipfile.ZipFile(probe.file).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse("the USDZ package is damaged: its zip directory cannot be read")
    if not entries or entries[0].header_offset != 0:
        _refuse("the USDZ package is damaged: its zip directory does not match its entries")
    if any(entry.compress_type != zipfile.ZIP_STORED for entry in entries):
        _refuse("a USDZ package must store its files uncompressed")


_SNIFFERS: tuple[Callable[[_Probe], _Type | None], ...] = (
    _sniff_image,
    _sniff_simple_audio,
    _sniff_ogg,
    _sniff_iso_media,
    _sniff_matroska,
    _sniff_pdf,
    _sniff_glb,
    _sniff_fbx,
    _sniff_usd,
    _sniff_gltf_json,
    _sniff_mpeg_audio,  # last: a bare frame sync is the weakest signature
)
