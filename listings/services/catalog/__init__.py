"""Bulk catalog import (shared/catalog/FORMAT.md): a JSON Lines or CSV file of
listings, written all-or-nothing.

Every line is checked before anything is written, and the writing is one
transaction: if any line is bad the catalog is refused with every problem as
(line, field, reason), fields named as the API names them
(`license_offers.0.royalty_pct`). Listings are matched by (owner, external_id),
so re-importing a corrected file updates them instead of adding duplicates;
fields a line leaves out are left as they are, given license_offers replace all
offers (the rules of listing_update).
"""

from .checking import PLACEHOLDER_EMAIL_DOMAIN, placeholder_email
from .reports import CatalogImportReport, CatalogInvalid, CatalogProblem, Progress
from .writing import (
    SYSTEM_IMPORTER_EMAIL,
    catalog_import,
    catalog_owner_get,
    system_importer_get_or_create,
)

__all__ = [
    "PLACEHOLDER_EMAIL_DOMAIN",
    "SYSTEM_IMPORTER_EMAIL",
    "CatalogImportReport",
    "CatalogInvalid",
    "CatalogProblem",
    "Progress",
    "catalog_import",
    "catalog_owner_get",
    "placeholder_email",
    "system_importer_get_or_create",
]
