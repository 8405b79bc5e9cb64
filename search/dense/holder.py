"""The index a web process serves, swapped for a newer version when a rebuild lands.

A worker rebuilds the index and saves it as a new version (index.py); every web process keeps
one IndexHolder, which looks at the manifest at most once per `check_interval_s` - one stat
call, and a read of a few hundred bytes only when the stat changed. The request that
notices a newer version loads it; concurrent requests keep searching the old one meanwhile,
and if loading fails the old one keeps serving until the manifest changes again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from search.dense.index import Manifest, VectorIndex, VectorIndexError

logger = logging.getLogger(__name__)

# How stale a web process may be after a rebuild. A stat every 2 s costs nothing measurable
# next to a search (tens of microseconds against milliseconds).
DEFAULT_CHECK_INTERVAL_S = 2.0


class IndexHolder:
    """Thread-safe: searches read `current` while at most one thread reloads."""

    def __init__(
        self,
        folder: Path | str,
        *,
        expected_model_id: str | None = None,
        check_interval_s: float = DEFAULT_CHECK_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = Path(folder)
        self.expected_model_id = expected_model_id
        self.check_interval_s = check_interval_s
        self._clock = clock
        self._reload_lock = threading.Lock()
        self._index: VectorIndex | None = None
        self._manifest: Manifest | None = None
        self._seen_stat: tuple[int, int, int] | None = None
        self._next_check = float("-inf")

    @property
    def version(self) -> int | None:
        return self._manifest.version if self._manifest else None

    def get(self) -> VectorIndex | None:
        """The newest complete index, or None when none has ever loaded."""
        if self._clock() >= self._next_check:
            self.refresh()
        return self._index

    def refresh(self) -> bool:
        """Check the manifest now; load a newer version. True when a new version was loaded."""
        # One thread reloads; the others keep serving the current index instead of waiting.
        if not self._reload_lock.acquire(blocking=self._index is None):
            return False
        try:
            self._next_check = self._clock() + self.check_interval_s
            stat = self._manifest_stat()
            if stat is None or stat == self._seen_stat:
                return False
            return self._load_newer(stat)
        finally:
            self._reload_lock.release()

    def _manifest_stat(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.folder / "manifest.json")
        except FileNotFoundError:
            return None
        # The manifest is replaced by rename, so a new version is a new inode.
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _load_newer(self, stat: tuple[int, int, int]) -> bool:
        try:
            manifest = Manifest.read(self.folder)
            if self._manifest is not None and manifest.version <= self._manifest.version:
                self._seen_stat = stat
                return False
            index, manifest = VectorIndex.load_with_manifest(
                self.folder, expected_model_id=self.expected_model_id
            )
        except (VectorIndexError, OSError, ValueError, RuntimeError) as error:
            # Keep serving what we have; a later check retries only if the manifest changes.
            logger.error("dense index in %s not loaded, keeping version %s: %s",
                         self.folder, self.version, error)  # fmt: skip
            self._seen_stat = stat
            return False
        self._index, self._manifest, self._seen_stat = index, manifest, stat
        logger.info("dense index version %s loaded (%s listings)", manifest.version, len(index))
        return True
