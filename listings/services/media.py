"""Media files of a listing: checked from their content, stored with their hash."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Conflict, InvalidInput

from ..models import Listing, MediaAsset, MediaKind, MediaRole
from ..models import ListingStatus as S
from ..uploads import check_upload, make_thumbnail
from ..workflow import EDITABLE_STATUSES
from .listings import require_owner

logger = logging.getLogger(__name__)


# Which kinds of file each role accepts.
ROLE_KINDS = {
    MediaRole.COVER: {MediaKind.IMAGE},
    MediaRole.GALLERY: set(MediaKind.values),
    MediaRole.DELIVERABLE: set(MediaKind.values),
    MediaRole.EVIDENCE: {MediaKind.DOCUMENT, MediaKind.IMAGE},
}


def media_attach(*, actor: User, listing: Listing, file, role: str, title: str = "") -> MediaAsset:
    """Check the upload from its content, store it with its SHA-256 (and a
    thumbnail for images); a file that fails the check stores nothing. A new
    cover replaces the old one."""
    require_owner(actor, listing)
    if role not in ROLE_KINDS:
        raise InvalidInput.for_field("role", _("must be one of %(choices)s")
                                     % {"choices": ", ".join(ROLE_KINDS)})
    if listing.status not in (*EDITABLE_STATUSES, S.SUBMITTED):
        raise Conflict(_("Media cannot be added to a listing in this state."), code="not_editable")
    checked = check_upload(file, allowed_kinds=ROLE_KINDS[role])
    thumbnail = make_thumbnail(file) if checked.kind == MediaKind.IMAGE else None
    asset = MediaAsset(
        listing=listing, role=role, kind=checked.kind, title=title.strip()[:200],
        original_name=(getattr(file, "name", "") or "upload")[:255],
        content_type=checked.content_type, extension=checked.extension,
        size=checked.size, sha256=checked.sha256,
    )
    try:
        with transaction.atomic():
            replaced = list(listing.media.filter(role=MediaRole.COVER)) if role == "cover" else []
            for old in replaced:
                old.delete()
            file.seek(0)
            asset.file.save("upload", file, save=False)
            if thumbnail is not None:
                asset.thumbnail.save("thumb.jpg", thumbnail, save=False)
            asset.save()
            audit_record(actor=actor, action="media.attach", target=listing,
                         data={"media_id": asset.pk, "role": role, "sha256": checked.sha256})
            for old in replaced:
                transaction.on_commit(lambda old=old: _delete_files(old))
    except Exception:
        _delete_files(asset)  # the row was not written: remove what was stored for it
        raise
    return asset


def media_remove(*, actor: User, media: MediaAsset) -> None:
    listing = media.listing
    require_owner(actor, listing)
    if listing.status not in (*EDITABLE_STATUSES, S.SUBMITTED):
        raise Conflict(_("Media cannot be removed from a listing in this state."),
                       code="not_editable")
    with transaction.atomic():
        audit_record(actor=actor, action="media.remove", target=listing,
                     data={"media_id": media.pk, "role": media.role, "sha256": media.sha256})
        media.delete()
        transaction.on_commit(lambda: _delete_files(media))


def _delete_files(asset: MediaAsset) -> None:
    for field in (asset.file, asset.thumbnail):
        if field and field.name:
            try:
                field.storage.delete(field.name)
            except OSError:
                logger.warning("could not delete %s", field.name, exc_info=True)
