"""The question encoder loaded in a forked helper process, while this process loads the index (one-shot CLI).

Why: a `policyqa ask` without a server spends about half its start-up reading the tokenizer (17 MB of JSON and a
250k-piece trie, which holds the GIL) and starting the ONNX session, and the other half loading the index, jieba
and the answer rules. Neither needs the other until the question is embedded, and a new process has a second core
idle, so the two halves run side by side: the helper loads the encoder, then waits for the one text to embed. The
vector is the same OnnxEncoder's, computed in another process. A server never uses this (it loads once).
"""

from __future__ import annotations

import contextlib
import logging
import os
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from .embed import ModelUnavailable

log = logging.getLogger(__name__)


class WorkerFailed(ModelUnavailable):
    """The helper could not load the encoder or died; the message says why."""


class ForkedEncoder:
    """``encode`` like OnnxEncoder's, computed by a child process forked at construction."""

    def __init__(self, model_dir: Path, variant: str, threads: int, dim: int):
        import multiprocessing

        self.variant, self.dim, self.threads = variant, dim, threads
        parent, child = multiprocessing.Pipe(duplex=True)
        self._pid = os.fork()
        if self._pid == 0:  # the helper: never returns into the caller's code
            parent.close()
            status = 0
            try:
                _serve(child, model_dir, variant, threads)
            except BaseException:
                status = 1
            finally:
                os._exit(status)  # no atexit handlers, no flushing of buffers copied from the parent
        child.close()
        self._conn: Connection | None = parent

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._conn is None:
            raise WorkerFailed("the encoder helper was closed")
        try:
            self._conn.send(list(texts))
            kind, payload = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed(f"the encoder helper died: {exc}") from exc
        if kind == "error":
            raise WorkerFailed(payload)
        return np.asarray(payload, dtype=np.float32)

    def close(self) -> None:
        """End the helper (it exits on the closed pipe) and reap it."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)

    def __del__(self):
        self.close()


def _serve(conn: Connection, model_dir: Path, variant: str, threads: int) -> None:
    """Load, then answer each list of texts with their vectors until the parent closes the pipe."""
    encoder, failure = None, ""
    try:
        from .onnx_encoder import OnnxEncoder

        encoder = OnnxEncoder(model_dir, variant, threads)
    except Exception as exc:
        failure = f"cannot load ONNX query encoder {model_dir}: {exc}"
    while True:
        try:
            texts = conn.recv()
        except EOFError:
            return
        if encoder is None:
            conn.send(("error", failure))
            continue
        try:
            conn.send(("ok", encoder.encode(texts)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
