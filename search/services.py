"""Every change search makes: marking listings dirty, syncing and rebuilding the index,
checking it against the database, and near-duplicate alerts (search.duplicates)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from listings.models import Listing, ListingStatus
from search import runtime
from search.documents import SearchDocument, document_from_listing
from search.index import SearchIndex, SearchIndexMissing, prepare, write_lock
from search.models import DirtyListing

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def index_mark_dirty(*, listing_ids: Iterable[int], check_duplicates: bool = False) -> None:
    """Call inside the transaction that changed the listings: the marks commit with the change,
    and once it commits a task brings the index up to date (and looks for duplicates)."""
    from search import tasks  # tasks import services

    ids = sorted({int(i) for i in listing_ids})
    if not ids:
        return
    now = timezone.now()
    DirtyListing.objects.bulk_create(
        [DirtyListing(listing_id=i, marked_at=now) for i in ids],
        update_conflicts=True, unique_fields=["listing_id"], update_fields=["marked_at"],
    )
    # robust: an index that cannot be updated now must not fail the request that committed;
    # the marks stay, and the next sync or `check_search_index --repair` catches up.
    transaction.on_commit(lambda: tasks.search_index_sync.delay(ids), robust=True)
    if check_duplicates:
        for listing_id in ids:
            transaction.on_commit(
                lambda listing_id=listing_id: tasks.search_duplicates_detect.delay(listing_id),
                robust=True,
            )


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _documents(listings: Iterable[Listing]) -> list[SearchDocument]:
    return [document_from_listing(listing) for listing in listings]


def _prepare(documents: list[SearchDocument]):
    return prepare(documents, bridge=runtime.bridge(),
                   embed_passages=runtime.embedder().embed_passages)


def _load_for_write() -> SearchIndex | None:
    """The current version as a private copy to patch; None when there is none usable."""
    try:
        return SearchIndex.load(runtime.index_dir(), expected_model_id=runtime.embedder().model_id)
    except SearchIndexMissing:
        return None
    except Exception as error:  # another model, a damaged file: only a rebuild helps
        logger.warning("search index not usable (%s): rebuilding", error)
        return None


@dataclass
class SyncReport:
    indexed: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    version: int | None = None
    rebuilt: bool = False


def index_sync(*, listing_ids: Iterable[int] | None = None) -> SyncReport:
    """Bring the index up to date with every dirty listing, in batches, as one new version.

    With `listing_ids` (a task's), nothing is done when none of them is still dirty: an
    earlier run already took them along. Without an index to patch, rebuilds from scratch.
    """
    report = SyncReport()
    wanted = None if listing_ids is None else [int(i) for i in listing_ids]
    with write_lock(runtime.index_dir()):
        dirty = DirtyListing.objects.all()
        if wanted is not None and not dirty.filter(listing_id__in=wanted).exists():
            return report
        marks = list(dirty.values_list("pk", "listing_id", "marked_at"))
        if _nothing_to_change(marks):
            _unmark(marks)
            return report
        index = _load_for_write()
        if index is None:
            rebuilt = _rebuild_locked(progress=None)
            rebuilt.rebuilt = True
            return rebuilt
        for batch in _batched(marks, settings.SEARCH_SYNC_BATCH):
            ids = [listing_id for _, listing_id, _ in batch]
            published = list(Listing.objects.filter(pk__in=ids, status=ListingStatus.PUBLISHED))
            documents = [d for d in _documents(published)
                         if index.hash_of(d.listing_id) != d.content_hash()]
            if documents:
                index.upsert(_prepare(documents))
                report.indexed += [d.listing_id for d in documents]
            present = {listing.pk for listing in published}
            gone = [i for i in ids if i not in present and i in index]
            if gone:
                index.remove(gone)
                report.removed += gone
        if report.indexed or report.removed:
            report.version = index.save(runtime.index_dir()).version
            runtime.holder().install(index)
        _unmark(marks)
    return report


def _nothing_to_change(marks: list[tuple[int, int, object]]) -> bool:
    """Drafts edited, listings submitted: unpublished and not in the index, so no new version
    (and no load of the whole index, seconds at 100,000 listings). Called under the lock."""
    ids = [listing_id for _, listing_id, _ in marks]
    if Listing.objects.filter(pk__in=ids, status=ListingStatus.PUBLISHED).exists():
        return False
    served = runtime.holder().fresh()
    return served is not None and not any(i in served for i in ids)


def _unmark(marks: list[tuple[int, int, object]]) -> None:
    """Delete the marks that were read; one made again meanwhile has a newer time and stays."""
    by_time: dict[object, list[int]] = {}
    for pk, _, marked_at in marks:
        by_time.setdefault(marked_at, []).append(pk)
    for marked_at, pks in by_time.items():
        for chunk in _batched(pks, 500):
            DirtyListing.objects.filter(pk__in=chunk, marked_at=marked_at).delete()


def index_rebuild(*, progress: Progress | None = None) -> SyncReport:
    """Build the whole index from the published listings and swap it in. On any failure
    the previous version keeps serving (nothing is renamed until the build is complete)."""
    with write_lock(runtime.index_dir()):
        return _rebuild_locked(progress=progress)


def _rebuild_locked(*, progress: Progress | None) -> SyncReport:
    started = timezone.now()
    embedder = runtime.embedder()
    index = SearchIndex.empty(dimension=embedder.dimension, model_id=embedder.model_id)
    published = Listing.objects.filter(status=ListingStatus.PUBLISHED).order_by("pk")
    total = published.count()
    done = 0
    report = SyncReport(rebuilt=True)
    for batch in _batched(published.iterator(chunk_size=500), settings.SEARCH_SYNC_BATCH):
        documents = _documents(batch)
        index.upsert(_prepare(documents))
        report.indexed += [d.listing_id for d in documents]
        done += len(batch)
        if progress:
            progress(done, total)
    report.version = index.save(runtime.index_dir()).version
    runtime.holder().install(index)
    DirtyListing.objects.filter(marked_at__lte=started).delete()
    return report


@dataclass
class CheckReport:
    missing: list[int]  # published, not in the index
    extra: list[int]  # in the index, not published (or gone)
    stale: list[int]  # in the index with other content
    indexed: int = 0
    published: int = 0
    version: int | None = None
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def index_check(*, repair: bool = False) -> CheckReport:
    """Compare the index with the database; with `repair`, mark the differences and sync."""
    try:
        index = SearchIndex.load(runtime.index_dir(), expected_model_id=runtime.embedder().model_id)
    except Exception:
        index = None
    hashes = index and {i: m["hash"] for i, m in index.meta.items()} or {}
    published = Listing.objects.filter(status=ListingStatus.PUBLISHED)
    missing, stale = [], []
    seen: set[int] = set()
    for batch in _batched(published.iterator(chunk_size=1000), 1000):
        for document in _documents(batch):
            seen.add(document.listing_id)
            indexed_hash = hashes.get(document.listing_id)
            if indexed_hash is None:
                missing.append(document.listing_id)
            elif indexed_hash != document.content_hash():
                stale.append(document.listing_id)
    extra = sorted(set(hashes) - seen)
    report = CheckReport(sorted(missing), extra, sorted(stale), indexed=len(hashes),
                         published=len(seen), version=index.version if index else None)
    if repair and (index is None or not report.ok):
        if index is None:
            index_rebuild()
        else:
            with transaction.atomic():
                now = timezone.now()
                DirtyListing.objects.bulk_create(
                    [DirtyListing(listing_id=i, marked_at=now)
                     for i in report.missing + report.extra + report.stale],
                    update_conflicts=True, unique_fields=["listing_id"],
                    update_fields=["marked_at"],
                )
            index_sync()
        report.repaired = True
    return report
