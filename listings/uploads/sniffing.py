"""What a file is, from its content: the sniffers in the order they are tried.

Each sniffer returns a _Type, None (not this format) or refuses (damaged).
"""

from __future__ import annotations

from collections.abc import Callable

from .audio_video import (
    _sniff_iso_media,
    _sniff_matroska,
    _sniff_mpeg_audio,
    _sniff_ogg,
    _sniff_simple_audio,
)
from .formats import PDF, _Probe, _refuse, _Type
from .images import _sniff_image
from .models3d import _sniff_fbx, _sniff_glb, _sniff_gltf_json, _sniff_usd


def _sniff(probe: _Probe) -> _Type | None:
    for sniffer in _SNIFFERS:
        if found := sniffer(probe):
            return found
    return None


def _sniff_pdf(probe: _Probe) -> _Type | None:
    if not probe.head.startswith(b"%PDF-"):
        return None
    # Readers look for the end marker in the last KB; without it the upload was cut short.
    if b"%%EOF" not in probe.read_at(max(0, probe.size - 1024), 1024):
        _refuse("the PDF is incomplete: it has no end-of-file marker")
    return PDF


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
