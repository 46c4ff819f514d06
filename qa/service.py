"""The loaded assistant behind every route, and index switching: a build (CLI, upload) writes a new index version;
the first request after it loads that version while other requests keep answering from the old one."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from .answer import PolicyQA
from .feedback import FeedbackStore
from .index import IndexUnavailable, current_path
from .settings import Settings

log = logging.getLogger("policyqa.service")
NOT_READY_ZH = "服务尚未就绪，请稍后再试。"


class Service:
    """The loaded assistant and feedback store, or why the assistant could not load (shown instead of a crash)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.qa: PolicyQA | None = None
        self.error_zh: str | None = None
        self.feedback = FeedbackStore(settings.feedback_db)
        self._reloading = threading.Lock()
        self._failed_version: Path | None = None  # a version that would not load is not retried on every request

    def load(self) -> None:
        try:
            self.qa = PolicyQA(self.settings)
            self.error_zh = None
        except IndexUnavailable as exc:
            log.error("index unavailable: %s", exc)
            self.error_zh = exc.message_zh
            self._failed_version = current_path(self.settings.index_dir)

    def assistant(self, *, wait: bool = False) -> PolicyQA | None:
        """The assistant over the newest index version. A build (CLI, upload) switches index/CURRENT; the first
        request after it loads the new version while other requests keep answering from the old one (held whole in
        memory, so the build pruning its files does not disturb it). A version that fails to load is logged and the
        old one kept. ``wait`` (for index jobs) waits for a reload another thread has begun, so that the new version
        is in use on return."""
        version = current_path(self.settings.index_dir)
        loaded = self.qa.index.path if self.qa else None
        if version is None or version == loaded or version == self._failed_version:
            return self.qa
        if not self._reloading.acquire(blocking=wait):
            return self.qa  # another request is already loading it
        try:
            if self.qa is not None and self.qa.index.path == current_path(self.settings.index_dir):
                return self.qa  # loaded while this thread waited
            fresh = PolicyQA(self.settings)
            self.qa, self.error_zh = fresh, None
            log.info("switched to index %s", fresh.index.path.name)
        except (IndexUnavailable, OSError) as exc:
            log.error("new index %s not loaded, keeping the previous one: %s", version, exc)
            self._failed_version = version
        finally:
            self._reloading.release()
        return self.qa
