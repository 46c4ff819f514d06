"""The assistant: one object that holds the model and index and turns a question into a cited Answer.

The CLI, the web app and the evaluation all call ``PolicyQA.ask``; there is no second copy of the pipeline.
"""

from __future__ import annotations

import threading
import time

from .embed import Embedder
from .index import Index, load_index
from .retrieve import DenseRetriever
from .schema import Answer
from .settings import Settings

MAX_QUESTION_CHARS = 500


class BadQuestion(ValueError):
    """A question we cannot search with; the message is for users, in Chinese."""


def clean_question(question: str, limit: int = MAX_QUESTION_CHARS) -> str:
    q = "".join(ch for ch in (question or "") if ch.isprintable() or ch in " \t").strip()
    if not q:
        raise BadQuestion("请输入问题。")
    if len(q) > limit:
        raise BadQuestion(f"问题太长（{len(q)} 字），请精简到 {limit} 字以内。")
    return q


class PolicyQA:
    """Load once, ask many times (thread-safe: the model and index are read-only after loading)."""

    def __init__(self, settings: Settings | None = None, *, index: Index | None = None):
        self.settings = settings or Settings()
        self.index = index or load_index(self.settings.index_dir)
        self.embedder = Embedder(self.settings)
        if self.embedder.dim != self.index.manifest.dim or self.index.manifest.model != self.settings.model:
            from .index import IndexUnavailable

            raise IndexUnavailable(
                f"index was built with {self.index.manifest.model} (dim {self.index.manifest.dim}) but the settings "
                f"name {self.settings.model} (dim {self.embedder.dim}): run `policyqa build`",
                "索引与当前配置的模型不一致，请运行 policyqa build 重建索引。",
            )
        self.retriever = DenseRetriever(self.index, self.embedder)
        self._lock = threading.Lock()

    def ask(self, question: str, k: int | None = None, history: list[str] | None = None) -> Answer:
        q = clean_question(question)
        k = k or self.settings.top_k
        t0 = time.perf_counter()
        with self._lock:  # torch CPU inference is not re-entrant-safe across threads for the same module
            hits = self.retriever.search(q, k)
        return Answer(question=q, passages=hits, timings={"total_ms": (time.perf_counter() - t0) * 1000})
