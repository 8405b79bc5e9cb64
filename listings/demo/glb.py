"""A small, real glTF 2.0 binary (GLB) for the demo licence's deliverable: a low-poly
bamboo culm (a hexagonal prism per segment, nodes between segments), built from numbers
rather than shipped as a binary file."""

import json
import math
import struct

GLB_MAGIC = b"glTF"
JSON_CHUNK = 0x4E4F534A  # "JSON"
BIN_CHUNK = 0x004E4942  # "BIN\0"
FLOAT, UNSIGNED_SHORT = 5126, 5123
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963


def _pad(data: bytes, filler: bytes) -> bytes:
    return data + filler * (-len(data) % 4)


def _culm(*, sides: int, segments: int, radius: float, segment_height: float):
    """Vertices (x, y, z) of rings up the culm and the triangles of its side walls."""
    rings = segments + 1
    vertices = []
    for ring in range(rings):
        # the nodes (ring joints) bulge a little, as bamboo does
        r = radius * (1.08 if 0 < ring < segments else 1.0)
        for side in range(sides):
            angle = 2 * math.pi * side / sides
            vertex = (r * math.cos(angle), ring * segment_height, r * math.sin(angle))
            # as float32, so the accessor's min and max equal the stored values exactly
            vertices.append(struct.unpack("<3f", struct.pack("<3f", *vertex)))
    triangles = []
    for ring in range(segments):
        for side in range(sides):
            a = ring * sides + side
            b = ring * sides + (side + 1) % sides
            triangles += [(a, a + sides, b), (b, a + sides, b + sides)]
    return vertices, triangles


def bamboo_culm_glb(*, sides: int = 6, segments: int = 5, radius: float = 0.05,
                    segment_height: float = 0.4) -> bytes:
    vertices, triangles = _culm(sides=sides, segments=segments, radius=radius,
                                segment_height=segment_height)
    positions = b"".join(struct.pack("<3f", *vertex) for vertex in vertices)
    indices = _pad(b"".join(struct.pack("<3H", *triangle) for triangle in triangles), b"\0")
    binary = indices + positions
    document = {
        "asset": {"version": "2.0", "generator": "Content IP Exchange demo (load_demo)"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "bamboo_culm"}],
        "materials": [{"name": "bamboo", "pbrMetallicRoughness": {
            "baseColorFactor": [0.42, 0.6, 0.25, 1.0], "metallicFactor": 0.0,
            "roughnessFactor": 0.7}}],
        "meshes": [{"name": "bamboo_culm", "primitives": [
            {"attributes": {"POSITION": 1}, "indices": 0, "material": 0}]}],
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(triangles) * 6,
             "target": ELEMENT_ARRAY_BUFFER},
            {"buffer": 0, "byteOffset": len(indices), "byteLength": len(positions),
             "target": ARRAY_BUFFER},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": UNSIGNED_SHORT, "count": len(triangles) * 3,
             "type": "SCALAR"},
            {"bufferView": 1, "componentType": FLOAT, "count": len(vertices), "type": "VEC3",
             "min": [min(v[i] for v in vertices) for i in range(3)],
             "max": [max(v[i] for v in vertices) for i in range(3)]},
        ],
    }
    json_chunk = _pad(json.dumps(document, separators=(",", ":")).encode(), b" ")
    body = (struct.pack("<II", len(json_chunk), JSON_CHUNK) + json_chunk
            + struct.pack("<II", len(binary), BIN_CHUNK) + binary)
    return struct.pack("<4sII", GLB_MAGIC, 2, 12 + len(body)) + body
