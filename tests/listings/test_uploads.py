"""check_upload and make_thumbnail: the type comes from the content, never the name.

No database: the checks read files only and store nothing.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from PIL import Image

from exchange.errors import InvalidInput
from listings.models import MediaKind
from listings.uploads import CheckedUpload, check_upload, make_thumbnail, max_upload_bytes

from .fixtures_files import (
    BLUE,
    RED,
    aac_adts_bytes,
    fbx_ascii_bytes,
    fbx_binary_bytes,
    flac_bytes,
    ftyp_only_bytes,
    gif_bytes,
    glb_bytes,
    gltf_bytes,
    jpeg_bytes,
    matroska_bytes,
    mp3_bytes,
    mp4_bytes,
    ogg_bytes,
    pdf_bytes,
    png_bytes,
    split_jpeg_bytes,
    tiff_bytes,
    upload,
    usda_bytes,
    usdc_bytes,
    usdz_bytes,
    wav_bytes,
    webp_bytes,
)

RECOGNISED = [
    # (builder, kind, content type, extension)
    (png_bytes, "image", "image/png", "png"),
    (jpeg_bytes, "image", "image/jpeg", "jpg"),
    (gif_bytes, "image", "image/gif", "gif"),
    (webp_bytes, "image", "image/webp", "webp"),
    (tiff_bytes, "image", "image/tiff", "tiff"),
    (mp3_bytes, "audio", "audio/mpeg", "mp3"),
    (lambda: mp3_bytes(id3=True), "audio", "audio/mpeg", "mp3"),
    (aac_adts_bytes, "audio", "audio/aac", "aac"),
    (wav_bytes, "audio", "audio/wav", "wav"),
    (flac_bytes, "audio", "audio/flac", "flac"),
    (ogg_bytes, "audio", "audio/ogg", "ogg"),
    (lambda: ogg_bytes("opus"), "audio", "audio/ogg", "opus"),
    (lambda: ftyp_only_bytes(b"M4A "), "audio", "audio/mp4", "m4a"),
    (lambda: mp4_bytes(tracks=(b"soun",)), "audio", "audio/mp4", "m4a"),
    (mp4_bytes, "video", "video/mp4", "mp4"),
    (ftyp_only_bytes, "video", "video/mp4", "mp4"),
    (lambda: ftyp_only_bytes(b"qt  "), "video", "video/quicktime", "mov"),
    (matroska_bytes, "video", "video/webm", "webm"),
    (lambda: matroska_bytes("matroska"), "video", "video/x-matroska", "mkv"),
    (lambda: ogg_bytes("theora"), "video", "video/ogg", "ogv"),
    (pdf_bytes, "document", "application/pdf", "pdf"),
    (glb_bytes, "model_3d", "model/gltf-binary", "glb"),
    (gltf_bytes, "model_3d", "model/gltf+json", "gltf"),
    (fbx_binary_bytes, "model_3d", "application/vnd.autodesk.fbx", "fbx"),
    (fbx_ascii_bytes, "model_3d", "application/vnd.autodesk.fbx", "fbx"),
    (usda_bytes, "model_3d", "model/vnd.usda", "usda"),
    (usdc_bytes, "model_3d", "model/vnd.usdc", "usdc"),
    (usdz_bytes, "model_3d", "model/vnd.usdz+zip", "usdz"),
    (lambda: usdz_bytes("root.usda"), "model_3d", "model/vnd.usdz+zip", "usdz"),
]


def refusal(data: bytes, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check_upload(io.BytesIO(data), **kwargs)
    return caught.value


def assert_refused(data: bytes, reason: str, **kwargs) -> None:
    error = refusal(data, **kwargs)
    assert error.fields == {"file": [reason]}
    assert error.message == f"file: {reason}"
    assert error.code == "invalid"


# --- recognition ------------------------------------------------------------------


@pytest.mark.parametrize(("build", "kind", "content_type", "extension"), RECOGNISED)
def test_each_format_is_recognised_from_its_content(build, kind, content_type, extension):
    # given a file with a name and client type that say nothing true
    data = build()
    file = upload(data, name="upload.bin", content_type="application/octet-stream")

    # when
    checked = check_upload(file)

    # then
    assert checked == CheckedUpload(
        kind=kind,
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    assert type(checked.kind) is str
    assert file.tell() == 0


def test_sha256_and_size_cover_the_whole_file_across_hash_chunks(monkeypatch):
    # given a file larger than several hash chunks
    monkeypatch.setattr("listings.uploads.HASH_CHUNK_BYTES", 1000)
    data = wav_bytes(frames=20_000)
    file = io.BytesIO(data)
    file.seek(123)  # the caller may hand it over mid-way

    checked = check_upload(file)

    assert checked.size == 40_044
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert file.tell() == 0


def test_a_png_named_glb_is_an_image():
    data = png_bytes()
    checked = check_upload(upload(data, name="model.glb", content_type="model/gltf-binary"))
    assert (checked.kind, checked.content_type, checked.extension) == ("image", "image/png", "png")


def test_a_glb_named_png_is_a_3d_model():
    checked = check_upload(upload(glb_bytes(), name="cover.png", content_type="image/png"))
    assert (checked.kind, checked.content_type, checked.extension) == (
        "model_3d",
        "model/gltf-binary",
        "glb",
    )


# --- refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"just some text pretending to be a picture\n",
        b'{"not": "a glTF document"}',
        b"%!PS-Adobe-3.0 EPSF-3.0\n",  # Pillow could open it, but we do not accept it
        ftyp_only_bytes(b"heic"),  # an HEIC still, not a video
        b"PK\x03\x04" + b"\x00" * 26,  # a zip that is not a usdz
        b"\x00" * 64,
    ],
)
def test_content_we_do_not_know_is_refused(data):
    assert_refused(data, "not a recognised image, audio, video, PDF or 3D file")


def test_a_text_file_named_png_is_refused():
    file = upload(b"hello, I am a PNG\n", name="cover.png", content_type="image/png")
    with pytest.raises(InvalidInput) as caught:
        check_upload(file)
    assert caught.value.fields == {"file": ["not a recognised image, audio, video, PDF or 3D file"]}
    assert file.tell() == 0


def test_an_empty_file_is_refused():
    assert_refused(b"", "the file is empty")


def test_a_glb_whose_declared_length_differs_from_its_size_is_refused():
    data = glb_bytes()
    assert_refused(
        glb_bytes(declared_length=len(data) + 100),
        f"the GLB file is damaged: its header says {len(data) + 100} bytes, it has {len(data)}",
    )


def test_a_glb_cut_short_is_refused():
    data = glb_bytes()
    assert_refused(
        data[:-4],
        f"the GLB file is damaged: its header says {len(data)} bytes, it has {len(data) - 4}",
    )


def test_a_glb_of_version_1_is_refused():
    assert_refused(
        glb_bytes(version=1), "only glTF 2.0 GLB files are accepted, this one is version 1"
    )


def test_a_gltf_json_of_version_1_is_refused():
    assert_refused(
        gltf_bytes({"asset": {"version": "1.0"}}),
        "only glTF 2.0 is accepted, this file is version 1.0",
    )


@pytest.mark.parametrize("cut", [20, 2, 1])
def test_a_truncated_png_is_refused(cut):
    data = png_bytes()
    assert_refused(data[:-cut], "the image is damaged or incomplete")


def test_a_truncated_jpeg_is_refused():
    data = jpeg_bytes((300, 200))
    assert_refused(data[: len(data) // 2], "the image is damaged or incomplete")


def test_a_png_with_a_corrupt_chunk_is_refused():
    data = bytearray(png_bytes())
    data[45] ^= 0xFF  # inside the IDAT data (IHDR ends at 33): the CRC no longer matches
    assert_refused(bytes(data), "the image is damaged or incomplete")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", [(40, 40), (64, 48)])  # above the limit; above twice it
def test_decompression_bombs_are_refused(monkeypatch, size):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert_refused(png_bytes(size), "the image has too many pixels (at most 1,000)")


def test_a_pdf_without_its_end_marker_is_refused():
    data = pdf_bytes()
    assert_refused(
        data[: data.index(b"%%EOF")], "the PDF is incomplete: it has no end-of-file marker"
    )


def test_a_compressed_usdz_is_refused():
    assert_refused(
        usdz_bytes(compression=zipfile.ZIP_DEFLATED),
        "a USDZ package must store its files uncompressed",
    )


def test_a_usdz_without_its_zip_directory_is_refused():
    data = usdz_bytes()
    assert_refused(
        data[: data.index(b"PK\x01\x02")],
        "the USDZ package is damaged: its zip directory cannot be read",
    )


# --- allowed kinds ----------------------------------------------------------------


def test_a_kind_outside_allowed_kinds_is_refused():
    assert_refused(
        pdf_bytes(), "a PDF is not allowed here; expected image", allowed_kinds={"image"}
    )


def test_the_refusal_lists_every_allowed_kind_in_a_stable_order():
    assert_refused(
        glb_bytes(),
        "a 3D model is not allowed here; expected image, video or PDF",
        allowed_kinds=["document", "image", "video"],
    )


def test_a_kind_inside_allowed_kinds_passes():
    checked = check_upload(io.BytesIO(pdf_bytes()), allowed_kinds={"document", "image"})
    assert checked.kind == "document"


@pytest.mark.parametrize("allowed", [[], ["spreadsheet"]])
def test_allowed_kinds_must_be_media_kinds(allowed):
    with pytest.raises(ValueError):
        check_upload(io.BytesIO(png_bytes()), allowed_kinds=allowed)


# --- size limits ------------------------------------------------------------------


def test_the_size_limit_of_the_kind_comes_from_settings(settings):
    # given images limited to 100 bytes, and no override for audio
    settings.UPLOAD_MAX_BYTES = {"image": 100}
    image = png_bytes()
    assert len(image) > 100

    # then the image is refused and audio keeps its default limit
    assert_refused(image, "images may be at most 100 bytes")
    assert check_upload(io.BytesIO(wav_bytes())).kind == "audio"


def test_a_file_exactly_at_the_limit_passes(settings):
    data = glb_bytes()
    settings.UPLOAD_MAX_BYTES = {"model_3d": len(data)}
    assert check_upload(io.BytesIO(data)).size == len(data)
    settings.UPLOAD_MAX_BYTES = {"model_3d": len(data) - 1}
    assert_refused(data, f"3D models may be at most {len(data) - 1} bytes")


def test_without_the_setting_the_module_defaults_apply(settings):
    del settings.UPLOAD_MAX_BYTES
    assert [max_upload_bytes(kind) for kind in MediaKind.values] == [
        30 * 1024**2,
        300 * 1024**2,
        4 * 1024**3,
        50 * 1024**2,
        1024**3,
    ]


@pytest.mark.parametrize(
    ("limit", "named"),
    [(2048, "2 KB"), (1536, "1.5 KB"), (3 * 1024**2, "3 MB")],
)
def test_limits_are_named_in_human_units(settings, limit, named):
    # given a glTF document one byte over the limit (padded with JSON whitespace)
    settings.UPLOAD_MAX_BYTES = {"model_3d": limit}
    document = gltf_bytes()
    data = document + b" " * (limit + 1 - len(document))

    assert_refused(data, f"3D models may be at most {named}")


# --- thumbnails -------------------------------------------------------------------


def open_thumbnail(data: bytes) -> Image.Image:
    thumbnail = make_thumbnail(io.BytesIO(data))
    assert thumbnail is not None
    assert thumbnail.name == "thumbnail.jpg"
    return Image.open(io.BytesIO(thumbnail.read()))


def test_a_thumbnail_fits_the_longest_side_in_640_px():
    image = open_thumbnail(png_bytes((2000, 1000)))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (640, 320))


def test_a_thumbnail_is_never_enlarged():
    assert open_thumbnail(png_bytes((300, 200))).size == (300, 200)


def test_a_thumbnail_applies_the_exif_orientation():
    # given a landscape photo, left red / right blue, tagged "rotate 90° clockwise"
    image = open_thumbnail(split_jpeg_bytes((2000, 1000), orientation=6))

    # then it is upright: portrait, red on top and blue at the bottom
    assert image.size == (320, 640)
    top, bottom = image.getpixel((160, 100)), image.getpixel((160, 540))
    assert max(range(3), key=lambda channel: top[channel]) == RED.index(max(RED))
    assert max(range(3), key=lambda channel: bottom[channel]) == BLUE.index(max(BLUE))


def test_a_transparent_image_gets_a_white_background():
    image = open_thumbnail(png_bytes((32, 32), color=(0, 0, 0, 0), mode="RGBA"))
    assert image.mode == "RGB"
    assert all(channel >= 250 for channel in image.getpixel((16, 16)))


@pytest.mark.parametrize(
    "data", [pdf_bytes(), glb_bytes(), wav_bytes(), b"%!PS-Adobe-3.0 EPSF-3.0\n", b"text"]
)
def test_there_is_no_thumbnail_for_what_is_not_an_image(data):
    file = io.BytesIO(data)
    assert make_thumbnail(file) is None
    assert file.tell() == 0


def test_make_thumbnail_leaves_the_file_at_its_start():
    file = io.BytesIO(jpeg_bytes((800, 600)))
    make_thumbnail(file)
    assert file.tell() == 0
