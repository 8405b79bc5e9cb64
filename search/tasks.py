"""Celery tasks of search: they take ids, may run twice, and call one service each."""

from celery import shared_task
from django.db import OperationalError

from search import services

# A rebuild of 100,000 listings embeds for a long time; a sync of a batch is short.
_TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=_TRANSIENT, retry_backoff=True, retry_backoff_max=300, max_retries=6,
             soft_time_limit=30 * 60, time_limit=31 * 60)
def search_index_sync(listing_ids: list[int]) -> int | None:
    """Index every dirty listing (these ones included); a no-op when they are already done."""
    return services.index_sync(listing_ids=listing_ids).version


@shared_task(autoretry_for=_TRANSIENT, retry_backoff=True, retry_backoff_max=300, max_retries=6,
             soft_time_limit=120, time_limit=180)
def search_duplicates_detect(listing_id: int) -> int:
    """Near-duplicate alerts for a submitted listing; re-running updates, never doubles."""
    from search.duplicates import duplicates_detect

    return len(duplicates_detect(listing_id=listing_id))


@shared_task(soft_time_limit=30 * 60, time_limit=31 * 60)
def search_index_sync_dirty() -> int | None:
    """Beat: catch up with marks whose task was lost or failed (a worker down, a crash)."""
    from search.models import DirtyListing

    if not DirtyListing.objects.exists():
        return None
    return services.index_sync().version
