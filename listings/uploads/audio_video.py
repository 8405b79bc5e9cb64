"""Audio and video sniffers: WAV, FLAC, Ogg, MPEG audio, ISO media (MP4/M4A/MOV) and
Matroska (WebM/MKV)."""

from __future__ import annotations

from .formats import (
    AAC,
    FLAC,
    M4A,
    MKV,
    MOV,
    MP3,
    MP4,
    OGG,
    OGV,
    OPUS,
    WAV,
    WEBM,
    _Probe,
    _Type,
)

_MP4_MAX_BOXES = 64  # per level; a real moov is found within the first few top-level boxes


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
