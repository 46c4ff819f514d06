"""jieba's default dictionary, read once per process and copied into every tokenizer that needs it.

Why: jieba loads its dictionary (350k words and their prefixes, 500k keys) into each Tokenizer from a marshal cache,
about 1 s each on this machine, and the project holds three (the keyword index, the highlighter, place names), so a
one-shot `policyqa ask` spent 3 s there (issue 18). Here the dictionary is read once, from a plain word list and a
frequency array kept beside the models (0.3 s for the same 500k keys), and each tokenizer gets its own copy of it
(5 ms): words one tokenizer adds (the index's unit names) never reach another, so every cut is what it was.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import jieba
import numpy as np

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

CACHE_FORMAT = 1
_lock = threading.Lock()


def _dict_file() -> Path:
    return Path(jieba.__file__).resolve().parent / "dict.txt"


def cache_path(folder: Path) -> Path:
    """Named for the jieba release and its dictionary file, so an upgrade of either is read afresh."""
    st = _dict_file().stat()
    return folder / f"jieba-{jieba.__version__}-{st.st_size}-{int(st.st_mtime)}-v{CACHE_FORMAT}.npz"


def _cache_folder() -> Path:
    from .settings import Settings

    return Settings().models_dir / "jieba"


def _read(path: Path) -> tuple[dict[str, int], int]:
    with np.load(path, allow_pickle=False) as data:
        words = data["words"].tobytes().decode("utf-8").split("\n")
        freqs = data["freqs"].tolist()
        total = int(data["total"])
    if len(words) != len(freqs):
        raise ValueError(f"{path}: {len(words)} words but {len(freqs)} frequencies")
    return dict(zip(words, freqs, strict=True)), total


def _write(path: Path, freq: dict[str, int], total: int) -> None:
    """Atomically (a temporary file renamed): a reader in another process sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    words = np.frombuffer("\n".join(freq).encode("utf-8"), dtype=np.uint8)
    freqs = np.fromiter(freq.values(), dtype=np.int64, count=len(freq))
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, words=words, freqs=freqs, total=np.int64(total))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@lru_cache(maxsize=1)
def base_dictionary() -> tuple[dict[str, int], int]:
    """(word and prefix → frequency, total) of jieba's default dictionary; treat as read-only."""
    path = cache_path(_cache_folder())
    if path.exists():
        try:
            return _read(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("jieba dictionary cache %s unreadable (%s): reading jieba's own", path, exc)
    tok = jieba.Tokenizer()
    tok.initialize()  # jieba's own path: its marshal cache, or dict.txt
    if any("\n" in w for w in tok.FREQ):
        return tok.FREQ, tok.total  # cannot be kept as a line list; never the case for jieba's dictionary
    try:
        _write(path, tok.FREQ, tok.total)
    except OSError as exc:
        log.warning("cannot keep the jieba dictionary at %s: %s", path, exc)
    return tok.FREQ, tok.total


def new_tokenizer() -> jieba.Tokenizer:
    """A jieba Tokenizer of its own holding a copy of the default dictionary, ready to cut or take added words."""
    freq, total = base_dictionary()
    tok = jieba.Tokenizer()
    with tok.lock:
        tok.FREQ, tok.total = dict(freq), total
        tok.initialized = True
    return tok


def default_tokenizer() -> jieba.Tokenizer:
    """jieba's global tokenizer (``jieba.lcut``, ``jieba.get_FREQ``) initialised from the shared dictionary."""
    with _lock:
        if not jieba.dt.initialized:
            freq, total = base_dictionary()
            with jieba.dt.lock:
                jieba.dt.FREQ, jieba.dt.total = dict(freq), total
                jieba.dt.initialized = True
    return jieba.dt
