"""Every change of state in the listings app, one function per use case."""

from .catalog import (
    CatalogImportReport,
    CatalogInvalid,
    CatalogProblem,
    catalog_import,
    catalog_owner_get,
    system_importer_get_or_create,
)
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
from .reports import TooManyReports, report_dismiss, report_file, report_take_down

__all__ = [
    "CatalogImportReport",
    "CatalogInvalid",
    "CatalogProblem",
    "TooManyReports",
    "catalog_import",
    "catalog_owner_get",
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
    "report_dismiss",
    "report_file",
    "report_take_down",
    "system_importer_get_or_create",
]
