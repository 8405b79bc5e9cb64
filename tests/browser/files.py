"""The files a creator uploads in the browser tests, built in memory: a cover image that
shows something in a screenshot, and the smallest GLB a 3D viewer can draw (one
triangle)."""

from __future__ import annotations

import io
import json
import struct

from PIL import Image, ImageDraw

GLB_MAGIC = b"glTF"
GLB_VERSION = 2
CHUNK_JSON = 0x4E4F534A  # "JSON"
CHUNK_BIN = 0x004E4942  # "BIN\0"
FLOAT = 5126
ARRAY_BUFFER = 34962


def cover_png(size: tuple[int, int] = (640, 360)) -> bytes:
    """A dusk sky over three ridges: something a person recognises as a cover."""
    width, height = size
    image = Image.new("RGB", size, (38, 52, 96))
    draw = ImageDraw.Draw(image)
    for step, colour in enumerate([(92, 110, 150), (70, 92, 82), (48, 70, 58)]):
        top = height // 3 + step * height // 8
        draw.polygon(
            [(0, height), (0, top + 40), (width // 3, top), (2 * width // 3, top + 50),
             (width, top + 10), (width, height)],
            fill=colour,
        )
    draw.ellipse((width - 150, 40, width - 90, 100), fill=(250, 214, 120))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def triangle_glb() -> bytes:
    """A glTF 2.0 binary with one mesh: a triangle's three positions in the BIN chunk."""
    positions = struct.pack("<9f", 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    document = {
        "asset": {"version": "2.0", "generator": "tests/browser/files.py"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "triangle"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "buffers": [{"byteLength": len(positions)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(positions),
                         "target": ARRAY_BUFFER}],
        "accessors": [{"bufferView": 0, "componentType": FLOAT, "count": 3, "type": "VEC3",
                       "min": [0.0, 0.0, 0.0], "max": [1.0, 1.0, 0.0]}],
    }
    json_chunk = json.dumps(document, separators=(",", ":")).encode()
    json_chunk += b" " * (-len(json_chunk) % 4)  # chunks are 4-byte aligned
    chunks = struct.pack("<II", len(json_chunk), CHUNK_JSON) + json_chunk
    chunks += struct.pack("<II", len(positions), CHUNK_BIN) + positions
    return GLB_MAGIC + struct.pack("<II", GLB_VERSION, 12 + len(chunks)) + chunks
