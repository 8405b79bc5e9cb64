"""The formats we accept, the probe the sniffers read a file through, and the refusal
they all raise (an `InvalidInput` on the field "file")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, NoReturn

from exchange.errors import InvalidInput

from ..models import MediaKind

KB = 1024
MB = 1024 * KB
GB = 1024 * MB

HEAD_BYTES = 64 * KB  # covers every magic number and header we read (ftyp, EBML, zip)


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


def _human_size(size: int) -> str:
    for unit, factor in (("GB", GB), ("MB", MB), ("KB", KB)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return f"{size} bytes"
