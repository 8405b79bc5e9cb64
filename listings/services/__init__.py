"""Every change of state in the listings app, one function per use case."""

from .listings import (
    listing_approve,
    listing_archive,
    listing_completeness_problems,
    listing_create,
    listing_publish_imported,
    listing_reinstate,
    listing_reject,
    listing_request_changes,
    listing_submit,
    listing_suspend,
    listing_update,
    listing_withdraw,
)
from .media import media_attach, media_remove

__all__ = [
    "listing_approve",
    "listing_archive",
    "listing_completeness_problems",
    "listing_create",
    "listing_publish_imported",
    "listing_reinstate",
    "listing_reject",
    "listing_request_changes",
    "listing_submit",
    "listing_suspend",
    "listing_update",
    "listing_withdraw",
    "media_attach",
    "media_remove",
]
