"""3D model sniffers: GLB, glTF JSON, FBX and USD (usda, usdc, usdz)."""

from __future__ import annotations

import json
import re
import struct
import zipfile

from .formats import FBX, GLB, GLTF, MB, USDA, USDC, USDZ, _human_size, _Probe, _refuse, _Type

# glTF JSON is parsed whole; with external buffers it is small, and embedding MBs of
# base64 in it is what GLB exists to avoid.
GLTF_JSON_MAX_BYTES = 32 * MB


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
