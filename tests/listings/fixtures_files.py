"""Tiny, valid sample files of every kind creators upload, built in memory.

Each builder returns bytes; `upload()` wraps them as a Django uploaded file with
whatever (possibly lying) name and content type a test wants.
"""

from __future__ import annotations

import io
import json
import struct
import wave
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

RED = (220, 20, 20)
BLUE = (20, 20, 220)
EXIF_ORIENTATION = 0x0112


def upload(data: bytes, name: str = "upload.bin", content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (64, 48), *, color=RED, mode: str = "RGB"
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48), *, color=RED, mode: str = "RGB") -> bytes:
    return image_bytes("PNG", size, color=color, mode=mode)


def jpeg_bytes(size: tuple[int, int] = (64, 48), *, color=RED) -> bytes:
    return image_bytes("JPEG", size, color=color)


def gif_bytes(size: tuple[int, int] = (16, 16)) -> bytes:
    return image_bytes("GIF", size)


def webp_bytes(size: tuple[int, int] = (16, 16)) -> bytes:
    return image_bytes("WEBP", size)


def tiff_bytes(size: tuple[int, int] = (16, 16)) -> bytes:
    return image_bytes("TIFF", size)


def split_jpeg_bytes(size: tuple[int, int], *, orientation: int = 1) -> bytes:
    """Left half red, right half blue, with an EXIF orientation tag (6 = rotate 90° CW)."""
    width, height = size
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def wav_bytes(frames: int = 800) -> bytes:
    """0.1 s of 16-bit mono silence at 8 kHz."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x00" * frames)
    return out.getvalue()


# MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no CRC: 144 * 128000 / 44100 = 417 bytes a frame.
MP3_FRAME_HEADER = b"\xff\xfb\x90\x00"
MP3_FRAME_BYTES = 417


def mp3_bytes(frames: int = 2, *, id3: bool = False) -> bytes:
    audio = (MP3_FRAME_HEADER + b"\x00" * (MP3_FRAME_BYTES - 4)) * frames
    if not id3:
        return audio
    text = b"\x03Demo"  # UTF-8 encoding byte, then the title
    frame = b"TIT2" + struct.pack(">I", len(text)) + b"\x00\x00" + text
    tag_size = bytes((len(frame) >> shift) & 0x7F for shift in (21, 14, 7, 0))  # syncsafe
    return b"ID3\x04\x00\x00" + tag_size + frame + audio


def aac_adts_bytes() -> bytes:
    """One ADTS frame header (AAC LC, 44.1 kHz, stereo) and an empty payload."""
    frame_length = 7 + 16
    header = bytes(
        [0xFF, 0xF1, 0x50, 0x80 | (frame_length >> 11), (frame_length >> 3) & 0xFF,
         ((frame_length & 7) << 5) | 0x1F, 0xFC]
    )  # fmt: skip
    return header + b"\x00" * 16


def flac_bytes() -> bytes:
    """The fLaC marker and a last-block STREAMINFO (44.1 kHz, stereo, 16 bit)."""
    streaminfo = struct.pack(">HH", 4096, 4096) + b"\x00" * 6
    streaminfo += ((44100 << 44) | (1 << 41) | (15 << 36)).to_bytes(8, "big") + b"\x00" * 16
    return b"fLaC" + b"\x80" + len(streaminfo).to_bytes(3, "big") + streaminfo


def ogg_bytes(codec: str = "vorbis") -> bytes:
    """The first Ogg page with the codec's identification packet (no CRC check done)."""
    packet = {
        "vorbis": b"\x01vorbis" + b"\x00" * 22,
        "opus": b"OpusHead\x01\x02" + b"\x00" * 9,
        "theora": b"\x80theora" + b"\x00" * 35,
    }[codec]
    header = b"OggS\x00\x02" + b"\x00" * 8 + b"\x01\x00\x00\x00" + b"\x00" * 8
    return header + bytes([1, len(packet)]) + packet


def _box(box_type: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + box_type + payload


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    return _box(b"ftyp", major + b"\x00\x00\x02\x00" + b"".join(compatible or (major,)))


def mp4_bytes(major: bytes = b"isom", *, tracks: tuple[bytes, ...] = (b"vide", b"soun")) -> bytes:
    """ftyp, a moov with one trak/mdia/hdlr per handler type, and an empty mdat."""
    traks = b"".join(
        _box(b"trak", _box(b"mdia", _box(b"hdlr", b"\x00" * 8 + handler + b"\x00" * 13)))
        for handler in tracks
    )
    return _ftyp(major, b"isom", b"mp42") + _box(b"moov", traks) + _box(b"mdat", b"\x00" * 32)


def ftyp_only_bytes(major: bytes = b"mp42") -> bytes:
    """Just an ftyp box: the type is decided from the brands alone."""
    return _ftyp(major, b"isom", major)


def matroska_bytes(doctype: str = "webm") -> bytes:
    """The EBML header (EBMLVersion 1, DocType) and an empty Segment."""
    name = doctype.encode()
    body = b"\x42\x86\x81\x01" + b"\x42\x82" + bytes([0x80 | len(name)]) + name
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67\x80"


def pdf_bytes() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


GLTF_DOCUMENT = {
    "asset": {"version": "2.0", "generator": "tests"},
    "scene": 0,
    "scenes": [{"nodes": [0]}],
    "nodes": [{"name": "Lantern"}],
}


def gltf_bytes(document: dict | None = None) -> bytes:
    return json.dumps(document or GLTF_DOCUMENT, indent=2).encode()


def glb_bytes(*, declared_length: int | None = None, version: int = 2) -> bytes:
    """GLB header, a JSON chunk (space-padded to 4 bytes) and a 4-byte BIN chunk."""
    document = json.dumps({**GLTF_DOCUMENT, "buffers": [{"byteLength": 4}]}).encode()
    document += b" " * (-len(document) % 4)
    chunks = struct.pack("<I", len(document)) + b"JSON" + document
    chunks += struct.pack("<I", 4) + b"BIN\x00" + b"\x00\x00\x80\x3f"
    length = 12 + len(chunks) if declared_length is None else declared_length
    return b"glTF" + struct.pack("<II", version, length) + chunks


def fbx_binary_bytes() -> bytes:
    """The binary FBX magic, version 7400, and an empty null record."""
    return b"Kaydara FBX Binary  \x00\x1a\x00" + struct.pack("<I", 7400) + b"\x00" * 13


def fbx_ascii_bytes() -> bytes:
    return (
        b"; FBX 7.4.0 project file\n"
        b"; ----------------------------------------------------\n\n"
        b"FBXHeaderExtension:  {\n    FBXHeaderVersion: 1003\n    FBXVersion: 7400\n}\n"
    )


def usda_bytes() -> bytes:
    return b'#usda 1.0\n(\n    defaultPrim = "Lantern"\n)\n\ndef Xform "Lantern"\n{\n}\n'


def usdc_bytes() -> bytes:
    """The crate bootstrap: magic, version 0.8.0, table-of-contents offset."""
    return b"PXR-USDC" + bytes([0, 8, 0, 0, 0, 0, 0, 0]) + struct.pack("<Q", 88) + b"\x00" * 64


def usdz_bytes(first: str = "scene.usdc", *, compression: int = zipfile.ZIP_STORED) -> bytes:
    """A usdz package: the root layer first, then a texture, stored uncompressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as package:
        package.writestr(first, usdc_bytes() if first.endswith("c") else usda_bytes())
        package.writestr("textures/albedo.png", png_bytes((8, 8)))
    return out.getvalue()
