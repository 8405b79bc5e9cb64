"""Media files over the API: upload, replace, remove and download, per persona.

Cover and gallery files are public with a published listing; deliverables and
rights evidence are for the owner and moderators only (a 404 to everyone else,
who must not even learn that they exist). Uploads go to a temporary MEDIA_ROOT.
"""

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from exchange.audit.models import AuditEntry
from listings import services
from listings.models import ListingStatus, MediaAsset
from tests.factories import listing_snapshot, make_listing
from tests.listings.fixtures_files import glb_bytes, pdf_bytes, png_bytes, upload, wav_bytes

pytestmark = pytest.mark.django_db

S = ListingStatus


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def post_file(
    client,
    listing,
    data: bytes,
    *,
    role: str,
    name: str = "file.bin",
    content_type: str = "application/octet-stream",
    title: str = "",
):
    return client.post(
        f"/api/v1/listings/{listing.pk}/media/",
        {"file": upload(data, name, content_type), "role": role, "title": title},
        format="multipart",
    )


def attach(listing, data: bytes, *, role: str, name: str = "file.bin"):
    """Attach a file through the service, as the listing's owner."""
    return services.media_attach(
        actor=listing.owner, listing=listing, file=upload(data, name), role=role
    )


# --- upload --------------------------------------------------------------------------


def test_owner_uploads_a_cover_image_with_its_hash_and_a_thumbnail(client_for, owner, media_root):
    listing = make_listing(owner=owner, status=S.DRAFT)
    data = png_bytes((1280, 720))

    response = post_file(
        client_for(owner),
        listing,
        data,
        role="cover",
        name="cover.PNG",
        content_type="image/png",
        title=" Key visual ",
    )

    assert response.status_code == 201
    media = MediaAsset.objects.get()
    body = response.json()
    assert body == {
        "id": media.pk,
        "role": "cover",
        "kind": "image",
        "title": "Key visual",
        "original_name": "cover.PNG",
        "content_type": "image/png",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "url": f"http://testserver/api/v1/media/{media.pk}/download/",
        "thumbnail_url": f"http://testserver/api/v1/media/{media.pk}/download/?thumbnail=1",
        "created_at": body["created_at"],
    }
    assert media.sha256 == hashlib.sha256(data).hexdigest()
    # the stored name is ours, with the extension of the sniffed type
    assert media.file.name.startswith(f"listings/{listing.pk}/")
    assert media.file.name.endswith(".png")
    assert (media_root / media.file.name).read_bytes() == data
    with Image.open(media_root / media.thumbnail.name) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (640, 360))
    assert files_under(media_root) == {media.file.name, media.thumbnail.name}
    entry = AuditEntry.objects.get(action="media.attach")
    assert (entry.actor, entry.target_id, entry.data) == (
        owner,
        str(listing.pk),
        {"media_id": media.pk, "role": "cover", "sha256": hashlib.sha256(data).hexdigest()},
    )


@pytest.mark.parametrize(
    ("role", "data", "kind", "content_type", "extension"),
    [
        ("deliverable", glb_bytes(), "model_3d", "model/gltf-binary", "glb"),
        ("evidence", pdf_bytes(), "document", "application/pdf", "pdf"),
        ("gallery", wav_bytes(), "audio", "audio/wav", "wav"),
    ],
)
def test_owner_uploads_other_roles_typed_from_their_content(
    client_for, owner, media_root, role, data, kind, content_type, extension
):
    listing = make_listing(owner=owner, status=S.PUBLISHED)

    # the client's name and type are lies; the content decides
    response = post_file(
        client_for(owner), listing, data, role=role, name="thing.txt", content_type="text/plain"
    )

    assert response.status_code == 201
    media = MediaAsset.objects.get()
    assert (media.role, media.kind, media.content_type, media.extension) == (
        role,
        kind,
        content_type,
        extension,
    )
    assert (media.size, media.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert response.json()["thumbnail_url"] is None
    assert files_under(media_root) == {media.file.name}
    assert media.file.name.endswith(f".{extension}")


def test_a_submitted_listing_still_takes_media(client_for, owner, media_root):
    listing = make_listing(owner=owner, status=S.SUBMITTED)

    response = post_file(client_for(owner), listing, pdf_bytes(), role="evidence")

    assert response.status_code == 201
    assert MediaAsset.objects.get().listing == listing


def test_replacing_the_cover_keeps_one_cover_and_removes_the_old_file(
    client_for, owner, media_root, django_capture_on_commit_callbacks
):
    listing = make_listing(owner=owner, status=S.DRAFT)
    old = attach(listing, png_bytes(color=(1, 2, 3)), role="cover")
    old_files = {old.file.name, old.thumbnail.name}
    assert files_under(media_root) == old_files
    new_data = png_bytes(color=(200, 100, 50))

    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client_for(owner), listing, new_data, role="cover")

    assert response.status_code == 201
    cover = MediaAsset.objects.get(listing=listing, role="cover")
    assert cover.pk == response.json()["id"] != old.pk
    assert cover.sha256 == hashlib.sha256(new_data).hexdigest()
    assert files_under(media_root) == {cover.file.name, cover.thumbnail.name}
    detail = client_for(owner).get(f"/api/v1/listings/{listing.pk}/").json()
    assert detail["cover"]["id"] == cover.pk
    assert [m["id"] for m in detail["media"]] == [cover.pk]


REFUSED_FILES = [
    (
        "text-as-cover",
        "cover",
        b"Just some notes, not an image.\n",
        "not a recognised image, audio, video, PDF or 3D file",
    ),
    ("pdf-as-cover", "cover", pdf_bytes(), "a PDF is not allowed here; expected image"),
    ("glb-as-cover", "cover", glb_bytes(), "a 3D model is not allowed here; expected image"),
    (
        "glb-as-evidence",
        "evidence",
        glb_bytes(),
        "a 3D model is not allowed here; expected image or PDF",
    ),
    ("empty", "gallery", b"", "The submitted file is empty."),
    ("truncated-png", "cover", png_bytes()[:40], "the image is damaged or incomplete"),
]


@pytest.mark.parametrize(
    ("role", "data", "reason"), [c[1:] for c in REFUSED_FILES], ids=[c[0] for c in REFUSED_FILES]
)
def test_a_refused_upload_stores_no_file_and_no_row(
    client_for, owner, media_root, role, data, reason
):
    listing = make_listing(owner=owner, status=S.DRAFT)
    before = listing_snapshot(listing)

    response = post_file(
        client_for(owner), listing, data, role=role, name="cover.png", content_type="image/png"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": f"file: {reason}",
        "fields": {"file": [reason]},
    }
    assert files_under(media_root) == set()
    assert MediaAsset.objects.count() == 0
    assert listing_snapshot(listing) == before


def test_a_refused_new_cover_keeps_the_old_one(client_for, owner, media_root):
    listing = make_listing(owner=owner, status=S.DRAFT)
    old = attach(listing, png_bytes(), role="cover")
    stored = files_under(media_root)

    response = post_file(client_for(owner), listing, pdf_bytes(), role="cover")

    assert response.status_code == 400
    assert list(MediaAsset.objects.values_list("pk", flat=True)) == [old.pk]
    assert files_under(media_root) == stored


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"role": "poster"}, "role", '"poster" is not a valid choice.'),
        ({"role": None}, "role", "This field is required."),
        ({"file": None}, "file", "No file was submitted."),
    ],
)
def test_upload_form_errors_name_the_field(client_for, owner, media_root, body, field, reason):
    listing = make_listing(owner=owner, status=S.DRAFT)
    form = {"file": upload(png_bytes(), "a.png", "image/png"), "role": "cover", **body}
    form = {k: v for k, v in form.items() if v is not None}

    response = client_for(owner).post(
        f"/api/v1/listings/{listing.pk}/media/", form, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {field: [reason]}
    assert files_under(media_root) == set()
    assert MediaAsset.objects.count() == 0


@pytest.mark.parametrize("status", [S.ARCHIVED, S.SUSPENDED, S.REJECTED])
def test_a_listing_out_of_play_takes_no_media(client_for, owner, media_root, status):
    listing = make_listing(owner=owner, status=status)
    before = listing_snapshot(listing)

    response = post_file(client_for(owner), listing, png_bytes(), role="gallery")

    assert (response.status_code, response.json()["code"]) == (409, "not_editable")
    assert files_under(media_root) == set()
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize(
    ("status", "persona", "expected"),
    [
        (S.PUBLISHED, "other_creator", (403, "permission_denied")),
        (S.PUBLISHED, "producer", (403, "permission_denied")),
        (S.PUBLISHED, "moderator", (403, "permission_denied")),
        (S.PUBLISHED, "anonymous", (403, "not_authenticated")),
        (S.DRAFT, "other_creator", (404, "not_found")),
        (S.DRAFT, "producer", (404, "not_found")),
        (S.DRAFT, "moderator", (403, "permission_denied")),
    ],
)
def test_only_the_owner_uploads(client_as, owner, media_root, status, persona, expected):
    listing = make_listing(owner=owner, status=status)
    before = listing_snapshot(listing)

    response = post_file(client_as(persona), listing, png_bytes(), role="cover")

    assert (response.status_code, response.json()["code"]) == expected
    assert files_under(media_root) == set()
    assert listing_snapshot(listing) == before


# --- remove --------------------------------------------------------------------------


def test_owner_removes_a_file_and_it_leaves_the_disk(
    client_for, owner, media_root, django_capture_on_commit_callbacks
):
    listing = make_listing(owner=owner, status=S.PUBLISHED)
    cover = attach(listing, png_bytes(), role="cover")
    deliverable = attach(listing, glb_bytes(), role="deliverable")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).delete(f"/api/v1/listings/{listing.pk}/media/{cover.pk}/")

    assert response.status_code == 204
    assert list(MediaAsset.objects.values_list("pk", flat=True)) == [deliverable.pk]
    assert files_under(media_root) == {deliverable.file.name}
    entry = AuditEntry.objects.get(action="media.remove")
    assert (entry.actor, entry.data["media_id"], entry.data["role"]) == (owner, cover.pk, "cover")


@pytest.mark.parametrize(
    ("status", "persona", "expected"),
    [
        (S.PUBLISHED, "other_creator", (403, "permission_denied")),
        (S.PUBLISHED, "producer", (403, "permission_denied")),
        (S.PUBLISHED, "moderator", (403, "permission_denied")),
        (S.PUBLISHED, "anonymous", (403, "not_authenticated")),
        (S.DRAFT, "other_creator", (404, "not_found")),
        (S.DRAFT, "producer", (404, "not_found")),
    ],
)
def test_only_the_owner_removes(client_as, owner, media_root, status, persona, expected):
    listing = make_listing(owner=owner, status=status)
    cover = attach(listing, png_bytes(), role="cover")
    stored = files_under(media_root)
    before = listing_snapshot(listing)

    response = client_as(persona).delete(f"/api/v1/listings/{listing.pk}/media/{cover.pk}/")

    assert (response.status_code, response.json()["code"]) == expected
    assert files_under(media_root) == stored
    assert listing_snapshot(listing) == before


def test_removing_media_of_another_listing_through_yours_is_not_found(
    client_for, owner, media_root
):
    mine = make_listing(owner=owner, status=S.DRAFT)
    other = make_listing(status=S.PUBLISHED)
    theirs = attach(other, png_bytes(), role="cover")

    response = client_for(owner).delete(f"/api/v1/listings/{mine.pk}/media/{theirs.pk}/")

    assert response.status_code == 404
    assert MediaAsset.objects.filter(pk=theirs.pk).exists()


def test_an_archived_listing_keeps_its_media(client_for, owner, media_root):
    listing = make_listing(owner=owner, status=S.PUBLISHED)
    cover = attach(listing, png_bytes(), role="cover")
    services.listing_archive(actor=owner, listing=listing)

    response = client_for(owner).delete(f"/api/v1/listings/{listing.pk}/media/{cover.pk}/")

    assert (response.status_code, response.json()["code"]) == (409, "not_editable")
    assert MediaAsset.objects.filter(pk=cover.pk).exists()


# --- who sees what -------------------------------------------------------------------


@pytest.fixture
def published_with_every_role(owner, media_root):
    listing = make_listing(owner=owner, status=S.PUBLISHED)
    return listing, {
        "cover": attach(listing, png_bytes(), role="cover", name="cover.png"),
        "gallery": attach(listing, png_bytes((32, 32)), role="gallery", name="still.png"),
        "deliverable": attach(listing, glb_bytes(), role="deliverable", name="lantern.glb"),
        "evidence": attach(listing, pdf_bytes(), role="evidence", name="registration.pdf"),
    }


@pytest.mark.parametrize(
    ("persona", "roles"),
    [
        ("owner", ["cover", "gallery", "deliverable", "evidence"]),
        ("moderator", ["cover", "gallery", "deliverable", "evidence"]),
        ("other_creator", ["cover", "gallery"]),
        ("producer", ["cover", "gallery"]),
        ("anonymous", ["cover", "gallery"]),
    ],
)
def test_the_media_list_shows_private_files_to_owner_and_moderators_only(
    client_as, published_with_every_role, persona, roles
):
    listing, media = published_with_every_role

    body = client_as(persona).get(f"/api/v1/listings/{listing.pk}/").json()

    assert [m["role"] for m in body["media"]] == roles
    assert [m["id"] for m in body["media"]] == [media[role].pk for role in roles]
    assert body["cover"]["id"] == media["cover"].pk


@pytest.mark.parametrize("role", ["deliverable", "evidence"])
@pytest.mark.parametrize("persona", ["other_creator", "producer", "anonymous"])
def test_private_files_are_not_found_for_everyone_else(
    client_as, published_with_every_role, persona, role
):
    _, media = published_with_every_role

    response = client_as(persona).get(f"/api/v1/media/{media[role].pk}/download/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("role", "data"), [("deliverable", glb_bytes()), ("evidence", pdf_bytes())]
)
@pytest.mark.parametrize("persona", ["owner", "moderator"])
def test_private_files_download_as_attachments_for_owner_and_moderators(
    client_as, published_with_every_role, persona, role, data
):
    _, media = published_with_every_role

    response = client_as(persona).get(f"/api/v1/media/{media[role].pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == media[role].content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "persona", ["owner", "other_creator", "producer", "moderator", "anonymous"]
)
def test_a_published_cover_downloads_for_everyone_inline(
    client_as, published_with_every_role, persona
):
    _, media = published_with_every_role

    response = client_as(persona).get(f"/api/v1/media/{media['cover'].pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")


def test_the_thumbnail_downloads_as_a_jpeg(client_for, published_with_every_role):
    _, media = published_with_every_role

    response = client_for(None).get(f"/api/v1/media/{media['cover'].pk}/download/?thumbnail=1")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [
        ("anonymous", 404),
        ("producer", 404),
        ("other_creator", 404),
        ("owner", 200),
        ("moderator", 200),
    ],
)
def test_a_draft_cover_is_not_found_until_published(
    client_as, owner, media_root, persona, status_code
):
    listing = make_listing(owner=owner, status=S.DRAFT)
    cover = attach(listing, png_bytes(), role="cover")

    response = client_as(persona).get(f"/api/v1/media/{cover.pk}/download/")

    assert response.status_code == status_code


def test_a_suspended_listings_cover_is_not_found_for_the_public(
    client_for, owner, media_root, moderator
):
    listing = make_listing(owner=owner, status=S.PUBLISHED)
    cover = attach(listing, png_bytes(), role="cover")
    services.listing_suspend(actor=moderator, listing=listing, reason="Report")

    assert client_for(None).get(f"/api/v1/media/{cover.pk}/download/").status_code == 404


def test_an_unknown_media_id_is_not_found(client_for, moderator):
    assert client_for(moderator).get("/api/v1/media/999999/download/").status_code == 404


def test_a_failure_after_the_file_was_stored_leaves_no_file_behind(owner, media_root, monkeypatch):
    # given a database write that fails once the file is already on disk
    from listings.services import media as media_services

    def broken_audit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(media_services, "audit_record", broken_audit)
    listing = make_listing(owner=owner, status=S.DRAFT)

    with pytest.raises(RuntimeError):
        attach(listing, png_bytes(), role="cover")

    # then neither the file, nor its thumbnail, nor a row remains
    assert files_under(media_root) == set()
    assert MediaAsset.objects.count() == 0
