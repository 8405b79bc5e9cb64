"""What a process loads once: the bridge, the embedder, and the index it serves.

Web processes keep one IndexHolder per index folder; it looks at the manifest at most every
SEARCH_RELOAD_INTERVAL_S and loads a newer version when a worker has written one. A process
that writes a version itself installs it at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from search.dense import Embedder, get_embedder
from search.index import SearchIndex, SearchIndexMissing
from search.text import Bridge

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def bridge() -> Bridge:
    return Bridge()


def embedder() -> Embedder:
    return get_embedder(
        settings.EMBEDDING_MODEL,
        data_dir=settings.EMBEDDING_DATA_DIR,
        query_prefix=settings.EMBEDDING_QUERY_PREFIX,
        passage_prefix=settings.EMBEDDING_PASSAGE_PREFIX,
    )


def index_dir() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


class IndexHolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._stat: tuple | None = None
        self._next_check = float("-inf")
        self.error: str | None = None

    def _manifest_stat(self) -> tuple | None:
        try:
            stat = os.stat(self.folder / "manifest.json")
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def get(self) -> SearchIndex | None:
        """The newest complete index, or None when none can be loaded."""
        now = time.monotonic()
        if now >= self._next_check:
            with self._lock:
                self._next_check = now + settings.SEARCH_RELOAD_INTERVAL_S
                stat = self._manifest_stat()
                if stat is None:
                    self._index, self._stat = None, None
                elif stat != self._stat:
                    self._load(stat)
        return self._index

    def fresh(self) -> SearchIndex | None:
        """The index as on disk right now (a stat, and a load only if a new version landed)."""
        self._next_check = float("-inf")
        return self.get()

    def _load(self, stat: tuple) -> None:
        try:
            index = SearchIndex.load(self.folder, expected_model_id=embedder().model_id)
        except (SearchIndexMissing, OSError, ValueError, RuntimeError, Exception) as error:
            # Keep serving the previous version; retry when the manifest changes again.
            logger.error("search index in %s not loaded: %s", self.folder, error)
            self.error = str(error)
            self._stat = stat
            return
        self._index, self._stat, self.error = index, stat, None

    def install(self, index: SearchIndex) -> None:
        """A version this process has just saved: serve it without reading it back."""
        with self._lock:
            self._index, self._stat, self.error = index, self._manifest_stat(), None


_holders: dict[Path, IndexHolder] = {}
_holders_lock = threading.Lock()


def holder() -> IndexHolder:
    folder = index_dir()
    with _holders_lock:
        if folder not in _holders:
            _holders[folder] = IndexHolder(folder)
        return _holders[folder]


def current_index() -> SearchIndex | None:
    return holder().get()
