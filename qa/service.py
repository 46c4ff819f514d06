"""The loaded assistant behind every route, and index switching: a build (CLI, upload) writes a new index version;
the first request after it loads that version while other requests keep answering from the old one. The old
version's files and Milvus collection stay until no request and no worker can still search it (qa/leases.py)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from .answer import PolicyQA
from .feedback import FeedbackStore
from .index import IndexUnavailable, current_path, load_index, prune_unused
from .leases import Lease
from .settings import Settings
from .store import StoreError, Stores

log = logging.getLogger("policyqa.service")
NOT_READY_ZH = "服务尚未就绪，请稍后再试。"
SWITCH_RETRIES = 5  # builds that land while one version loads; more in a row means builds run back to back


class Service:
    """The loaded assistant and feedback store, or why the assistant could not load (shown instead of a crash)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.qa: PolicyQA | None = None
        self.error_zh: str | None = None
        self.feedback = FeedbackStore(settings.feedback_db)
        self._reloading = threading.Lock()
        self._failed_version: Path | None = None  # a version that would not load is not retried on every request
        self._lease: Lease | None = None  # made on the first load: a gunicorn master that never loads holds none

    @property
    def lease(self) -> Lease:
        if self._lease is None:
            self._lease = Lease(self.settings.index_dir, on_release=self._prune_released)
        return self._lease

    def _prune_released(self) -> bool:
        """This process let go of a version: prune it now if no other process holds it. False while a build holds
        the lock (the lease asks again at its next renewal: the build may have pruned before this release)."""
        try:
            return prune_unused(self.settings.index_dir, Stores(self.settings))
        except (OSError, StoreError) as exc:
            log.warning("released index versions not pruned: %s", exc)
            return True  # not retried every renewal; the next build or release prunes

    def _open_current(self) -> PolicyQA:
        """The assistant over the version CURRENT names, leased before it is read: the lease is on disk, then CURRENT
        is read again — if it still names the version, no build can prune it (a pruner reads leases only after the
        switch away from it); if a build switched meanwhile, the newer version is leased and loaded instead."""
        index_dir = self.settings.index_dir
        for _ in range(SWITCH_RETRIES):
            version = current_path(index_dir)
            if version is None:
                break
            with self.lease.holding(version.name):
                if current_path(index_dir) != version:
                    continue
                index = load_index(index_dir, Stores(self.settings), version)
                self.lease.track(index)
                return PolicyQA(self.settings, index=index)
        return PolicyQA(self.settings)  # no index yet (its clear error), or builds without pause: load unleased

    def load(self) -> None:
        try:
            self.qa = self._open_current()
            self.error_zh = None
        except IndexUnavailable as exc:
            log.error("index unavailable: %s", exc)
            self.error_zh = exc.message_zh
            self._failed_version = current_path(self.settings.index_dir)

    def assistant(self, *, wait: bool = False) -> PolicyQA | None:
        """The assistant over the newest index version. A build (CLI, upload) switches index/CURRENT; the first
        request after it loads the new version while other requests keep answering from the old one (still leased,
        so neither its files nor its Milvus collection go while a request uses it). A version that fails to load is
        logged and the old one kept. ``wait`` (for index jobs) waits for a reload another thread has begun, so that
        the new version is in use on return."""
        version = current_path(self.settings.index_dir)
        loaded = self.qa.index.path if self.qa else None
        if version is None or version == loaded or version == self._failed_version:
            return self.qa
        if not self._reloading.acquire(blocking=wait):
            return self.qa  # another request is already loading it
        try:
            if self.qa is not None and self.qa.index.path == current_path(self.settings.index_dir):
                return self.qa  # loaded while this thread waited
            fresh = self._open_current()
            self.qa, self.error_zh = fresh, None
            log.info("switched to index %s", fresh.index.path.name)
        except (IndexUnavailable, OSError) as exc:
            log.error("new index %s not loaded, keeping the previous one: %s", version, exc)
            self._failed_version = version
        finally:
            self._reloading.release()
        return self.qa
