"""Checking every line before anything is written: the listing fields, duplicate ids,
the creators' accounts and the listings a line would change."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from rest_framework import serializers

from exchange.accounts.models import User
from exchange.errors import flatten_errors

from ...inputs import ListingInput, listing_fields_from_input
from ...models import Listing
from ...models import ListingStatus as S
from ...workflow import EDITABLE_STATUSES
from .reading import _Line
from .reports import CatalogProblem, Progress

# Reserved top-level domain (RFC 2606): mail to these accounts can never be delivered.
PLACEHOLDER_EMAIL_DOMAIN = "catalog.invalid"
# SQLite before 3.32 allows 999 bound parameters per query; stay below on every backend.
QUERY_CHUNK = 500


@dataclass
class _Step:
    """One valid line and what writing it means."""

    number: int
    data: dict
    owner_key: str  # the creator's display name, or "" when the import has one owner
    fields: dict
    offers: list[dict] | None
    existing: Listing | None = None
    changes: bool = True


def _chunks(items: list, size: int = QUERY_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _validate(
    lines: list[_Line], *, one_owner: bool, problems: list[CatalogProblem],
    progress: Progress | None,
) -> list[_Step]:
    steps = []
    first_seen: dict[tuple[str, str], int] = {}
    # One serializer for every line: binding a new one per line deep-copies its fields,
    # over half of the validation time when profiled on 2,000 lines.
    serializer = ListingInput()
    for done, line in enumerate(lines, start=1):
        try:
            data, errors = serializer.run_validation(line.values), {}
        except serializers.ValidationError as error:
            data, errors = None, error.detail
        for name, reasons in flatten_errors(errors).items():
            problems.extend(CatalogProblem(line.number, name, reason) for reason in reasons)
        raw_id, raw_creator = line.values.get("external_id"), line.values.get("creator")
        external_id = (data or {}).get("external_id") or (
            raw_id.strip() if isinstance(raw_id, str) else ""
        )
        if not external_id and "external_id" not in errors:
            problems.append(CatalogProblem(
                line.number, "external_id",
                "required in a catalog file: the listing's stable id in your own system",
            ))
        elif external_id:
            owner_key = "" if one_owner else str(raw_creator or "").strip()
            first = first_seen.setdefault((owner_key, external_id), line.number)
            if first != line.number:
                problems.append(CatalogProblem(
                    line.number, "external_id", f"{external_id!r} is already used on line {first}"
                ))
        if data is not None and external_id:
            fields, offers = listing_fields_from_input(data)
            owner_key = "" if one_owner else data["creator"]
            steps.append(_Step(line.number, data, owner_key, fields, offers))
        if progress:
            progress("validate", done, len(lines))
    bad = {problem.line for problem in problems}
    return [step for step in steps if step.number not in bad]


def placeholder_email(display_name: str) -> str:
    """The same name always gives the same address, so a re-import finds the account."""
    digest = hashlib.sha256(display_name.encode()).hexdigest()[:16]
    return f"creator-{digest}@{PLACEHOLDER_EMAIL_DOMAIN}"


def _match_creators(
    steps: list[_Step], problems: list[CatalogProblem]
) -> dict[str, User | None]:
    """Creator display name -> its account, or None when the import must create one."""
    names = sorted({step.owner_key for step in steps})
    matches: dict[str, list[User]] = {name: [] for name in names}
    for chunk in _chunks(names):
        for user in User.objects.filter(display_name__in=chunk, is_creator=True, is_active=True):
            matches[user.display_name].append(user)
    unmatched = {placeholder_email(name): name for name, users in matches.items() if not users}
    placeholders: dict[str, User] = {}
    for chunk in _chunks(list(unmatched)):
        for user in User.objects.filter(email__in=chunk):
            placeholders[unmatched[user.email]] = user
    owners: dict[str, User | None] = {}
    refused: dict[str, str] = {}
    for name, users in matches.items():
        if len(users) > 1:
            refused[name] = (f"{len(users)} creator accounts are named {name!r}; "
                             "import them with an explicit owner")
        elif users:
            owners[name] = users[0]
        elif name in placeholders:
            account = placeholders[name]
            if account.is_active and account.is_creator:
                owners[name] = account  # its holder renamed it since the last import
            else:
                refused[name] = f"the account {account.email} made for {name!r} is suspended"
        else:
            owners[name] = None
    for step in steps:
        if step.owner_key in refused:
            problems.append(CatalogProblem(step.number, "creator", refused[step.owner_key]))
    return owners


def _existing_listings(keys: set[tuple[int, str]]) -> dict[tuple[int, str], Listing]:
    found = {}
    # By external_id alone, then filtered here: a query per owner would be a query per line
    # when every line has its own creator.
    for chunk in _chunks(sorted({external_id for _, external_id in keys})):
        for listing in Listing.objects.filter(external_id__in=chunk):
            key = (listing.owner_id, listing.external_id)
            if key in keys:
                found[key] = listing
    prefetch_related_objects(list(found.values()), "offers")
    return found


def _differs(listing: Listing, fields: dict, offers: list[dict] | None) -> bool:
    if any(getattr(listing, name) != value for name, value in fields.items()):
        return True
    if offers is None:
        return False
    current = list(listing.offers.all())
    return len(current) != len(offers) or any(
        any(getattr(old, name) != value for name, value in new.items())
        for old, new in zip(current, offers, strict=True)
    )


def _plan(
    steps: list[_Step], owners: dict[str, User | None], *, publish: bool,
    problems: list[CatalogProblem],
) -> list[_Step]:
    bad = {problem.line for problem in problems}
    steps = [step for step in steps if step.number not in bad]
    keys = {(owners[s.owner_key].pk, s.fields["external_id"]) for s in steps if owners[s.owner_key]}
    existing = _existing_listings(keys)
    planned = []
    for step in steps:
        owner = owners[step.owner_key]
        step.existing = existing.get((owner.pk, step.fields["external_id"])) if owner else None
        listing = step.existing
        if listing is not None:
            step.changes = _differs(listing, step.fields, step.offers)
            touches = step.changes or (publish and listing.status != S.PUBLISHED)
            if touches and listing.status == S.SUBMITTED:
                problems.append(CatalogProblem(
                    step.number, "external_id",
                    f"matches listing #{listing.pk}, which is awaiting review: withdraw it or "
                    "wait for the moderator's decision, then import again",
                ))
                continue
            if touches and listing.status not in EDITABLE_STATUSES:
                problems.append(CatalogProblem(
                    step.number, "external_id",
                    f"matches listing #{listing.pk}, which is "
                    f"{listing.get_status_display().lower()}; an import may not change it",
                ))
                continue
        planned.append(step)
    return planned
