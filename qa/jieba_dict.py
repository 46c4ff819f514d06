"""jieba's default dictionary, read once per process and copied into every tokenizer that needs it.

Why: jieba loads its dictionary (350k words and their prefixes, 500k keys) into each Tokenizer from a marshal cache,
about 1 s each on this machine, and the project holds three (the keyword index, the highlighter, place names), so a
one-shot `policyqa ask` spent 3 s there (issue 18). Here the dictionary is read once, from a plain word list and a
frequency array kept beside the models (0.3 s for the same 500k keys), and each tokenizer gets its own copy of it
(5 ms): words one tokenizer adds (the index's unit names) never reach another, so every cut is what it was.

The same file keeps each word's part of speech, which jieba's tagger (`jieba.posseg`) would otherwise read from
dict.txt line by line on import: another second of a one-shot answer, for a table this module already has.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

import jieba
import numpy as np

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

CACHE_FORMAT = 2
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
        words = _lines(data["words"])
        freqs = data["freqs"].tolist()
        total = int(data["total"])
    if len(words) != len(freqs):
        raise ValueError(f"{path}: {len(words)} words but {len(freqs)} frequencies")
    return dict(zip(words, freqs, strict=True)), total


class TagTable:
    """word → part of speech, answering what jieba.posseg asks of its table (``get``, ``update``) by binary search
    over two sorted lists: they load in a fifth of the time a dict of the 350k words takes to build."""

    def __init__(self, words: list[str], tags: list[str]):
        if len(words) != len(tags):
            raise ValueError(f"{len(words)} words but {len(tags)} tags")
        self._words, self._tags, self._added = words, tags, {}

    def get(self, word: str, default: str | None = None) -> str | None:
        if word in self._added:
            return self._added[word]
        i = bisect_left(self._words, word)
        return self._tags[i] if i < len(self._words) and self._words[i] == word else default

    def update(self, tags: dict[str, str]) -> None:
        """Words given a tag later (jieba's user dictionaries)."""
        self._added.update(tags)

    def arrays(self) -> dict[str, np.ndarray]:
        """The two lists as the cache file keeps them."""
        return {"tag_words": _joined(self._words), "tags": _joined(self._tags)}

    @classmethod
    def of(cls, tag_of: dict[str, str]) -> TagTable:
        words = sorted(tag_of)
        return cls(words, [tag_of[w] for w in words])


def _read_tags(path: Path) -> TagTable:
    with np.load(path, allow_pickle=False) as data:
        return TagTable(_lines(data["tag_words"]), _lines(data["tags"]))


def _lines(array: np.ndarray) -> list[str]:
    return array.tobytes().decode("utf-8").split("\n")


def _joined(lines) -> np.ndarray:
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)


def _tags_of_dict_file() -> dict[str, str]:
    """word → part of speech from dict.txt's "word frequency tag" lines, as jieba.posseg reads them."""
    tags = {}
    with open(_dict_file(), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


def _write(path: Path, freq: dict[str, int], total: int) -> None:
    """Atomically (a temporary file renamed): a reader in another process sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tagged = TagTable.of(_tags_of_dict_file())
    words = _joined(freq)
    freqs = np.fromiter(freq.values(), dtype=np.int64, count=len(freq))
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, words=words, freqs=freqs, total=np.int64(total), **tagged.arrays())
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


@lru_cache(maxsize=1)
def word_tags() -> TagTable:
    """word → part of speech of jieba's default dictionary (what jieba.posseg calls word_tag_tab)."""
    path = cache_path(_cache_folder())
    if not path.exists():
        base_dictionary()  # writes the file
    try:
        return _read_tags(path)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("jieba dictionary cache %s unreadable (%s): reading jieba's dict.txt", path, exc)
        return TagTable.of(_tags_of_dict_file())


def pos_tokenizer():
    """jieba's part-of-speech tagger (``jieba.posseg.dt``) over the global tokenizer, its tag table from the file
    above. Importing jieba.posseg builds that table from dict.txt; the import is pointed at an empty dictionary
    file instead and given the kept table after, so tags are jieba's own, a second sooner."""
    tok = default_tokenizer()
    with _lock:
        if "jieba.posseg" not in sys.modules:
            kept, tok.dictionary = tok.dictionary, os.devnull
            try:
                import jieba.posseg
            finally:
                tok.dictionary = kept
            jieba.posseg.dt.word_tag_tab = word_tags()
    import jieba.posseg

    return jieba.posseg.dt
