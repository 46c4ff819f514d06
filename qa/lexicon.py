"""The vocabulary the assistant brings: everyday Chinese and 公文 conventions from `qa/data/lexicon.toml`, plus an
optional deployment file (`<corpus>/.lexicon.toml`, same sections) for an office's own words.

Kept as data so that a reader sees at once what is general knowledge and what a deployment added, and so that no
word list grows inside the code.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

GENERAL_FILE = Path(__file__).with_name("data") / "lexicon.toml"
ENGLISH_FILE = Path(__file__).with_name("data") / "english.toml"
LOCAL_NAME = ".lexicon.toml"


@dataclass(frozen=True)
class Lexicon:
    colloquial: dict[str, str] = field(default_factory=dict)  # everyday word → document words (space-separated)
    politeness: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()
    units: tuple[str, ...] = ()
    classifiers: frozenset[str] = frozenset()  # count classifiers 个 may stand for (所, 家, 座 …)
    asked_units: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 多少钱 → 元 万元 …
    places: tuple[str, ...] = ()
    not_places: frozenset[str] = frozenset()
    not_name_chars: frozenset[str] = frozenset()  # characters no town name before 镇/乡/县 holds (的, 后, 设 …)
    place_abbreviations: dict[str, str] = field(default_factory=dict)
    unit_abbreviations: dict[str, str] = field(default_factory=dict)
    population_groups: tuple[str, ...] = ()
    question_types: dict[str, re.Pattern] = field(default_factory=dict)
    interrogatives: frozenset[str] = frozenset()  # question words an asked noun stands beside (谁, 多少, 哪个 …)
    answer_kinds: frozenset[str] = frozenset()  # nouns naming the kind of answer, not an attribute (单位, 东西 …)
    links: frozenset[str] = frozenset()  # words between an asked noun and its question word (是, 归, 在 …)
    body_kinds: frozenset[str] = frozenset()  # kinds of answer that are bodies or people (单位, 部门, 人 …)
    existence: frozenset[str] = frozenset()  # yes-no cues of whether a document says something (有没有, 是否 …)
    issuer_suffixes: tuple[str, ...] = ()  # how an issuing body's name ends (人民政府, 办公厅, 科协 …)
    unit_suffixes: tuple[str, ...] = ()  # how a lead or responsible unit's name ends (局, 室, 科, 街道 …)
    exclusions: tuple[re.Pattern, ...] = ()  # clauses that rule something out (除了X, 不是X那个); group "x"
    document_kinds: tuple[str, ...] = ()  # what a document is called (要点, 方案, 版): a year before one is its own
    scopes: tuple[str, ...] = ()  # 全省, 各市: the whole of a level, not the body at it (全省科技馆 ≠ 省科技馆)

    @property
    def issuer_suffix_re(self) -> re.Pattern:
        return _ending(self.issuer_suffixes)

    @property
    def unit_suffix_re(self) -> re.Pattern:
        return _ending(self.unit_suffixes)

    def is_answer_kind(self, word: str) -> bool:
        """The word names a kind of answer (单位, 目标), or is one such kind qualified by another, by a function
        word or by a classifier (总体目标, 工作任务, 主要任务, 份文件): the tagger keeps such words whole, and no
        passage need say them."""
        if word in self.answer_kinds:
            return True
        qualifiers = (self.answer_kinds, self.stopwords, self.classifiers)
        return any(
            any(word[:i] in q for q in qualifiers) and word[i:] in self.answer_kinds for i in range(1, len(word) - 1)
        )

    @property
    def document_kind_words(self) -> tuple[str, ...]:
        """The kinds a document is called by a word of its own (方案, 计划, 要点), not 版 (2024年版)."""
        return tuple(k for k in self.document_kinds if len(k) >= 2)

    def names_type(self, word: str) -> bool:
        """The word is a question-type cue (文号, 负责, 牵头): it says what kind of answer is asked, not about what."""
        return any(p.search(word) for p in self.question_types.values())

    @property
    def units_pattern(self) -> str:
        return "|".join(re.escape(u) for u in sorted(self.units, key=len, reverse=True))


WORD_LISTS = {
    "words",
    "classifiers",
    "interrogatives",
    "answer_kinds",
    "links",
    "existence",
    "body_kinds",
    "issuer_suffixes",
    "unit_suffixes",
}


@lru_cache(maxsize=16)
def _ending(words: tuple[str, ...]) -> re.Pattern:
    """A pattern for a name ending in any of ``words`` (longest first, so 办公厅 is not read as 厅)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"(?:{alternatives})$")  # keys whose value is a list of words


def _words(section: dict | None, key: str = "words") -> list[str]:
    words = (section or {}).get(key, [])
    return words.split() if isinstance(words, str) else list(words)


def _merge(base: dict, extra: dict) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            for name, item in value.items():  # word lists add up; mappings (colloquial …) override entry by entry
                if name in WORD_LISTS and name in out[key]:
                    out[key][name] = _words(out[key], name) + _words(value, name)
                else:
                    out[key][name] = item
        else:
            out[key] = value
    return out


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("ignoring unreadable lexicon %s: %s", path, exc)
        return {}


@lru_cache(maxsize=8)
def load_lexicon(local: Path | None = None) -> Lexicon:
    """The general lexicon, with a deployment's file merged in when it exists (its entries add to or override)."""
    data = tomllib.loads(GENERAL_FILE.read_text(encoding="utf-8"))
    if local is not None and local.exists():
        data = _merge(data, _read(local))
    focus = data.get("question_focus", {})
    types = {name: re.compile(pattern, re.I) for name, pattern in data.get("question_types", {}).items()}
    return Lexicon(
        colloquial=dict(data.get("colloquial", {})),
        politeness=tuple(sorted(_words(data.get("politeness")), key=len, reverse=True)),
        stopwords=frozenset(_words(data.get("stopwords"))),
        units=tuple(_words(data.get("units"))),
        classifiers=frozenset(_words(data.get("units"), "classifiers")),
        asked_units={k: tuple(v.split()) for k, v in data.get("asked_units", {}).items()},
        places=tuple(_words(data.get("places"))),
        not_places=frozenset(_words(data.get("not_places"))),
        not_name_chars=frozenset(data.get("not_places", {}).get("name_chars_not", "")),
        place_abbreviations=dict(data.get("place_abbreviations", {})),
        unit_abbreviations=dict(data.get("unit_abbreviations", {})),
        population_groups=tuple(sorted(_words(data.get("population_groups")), key=len, reverse=True)),
        question_types=types,
        interrogatives=frozenset(_words(focus, "interrogatives")),
        answer_kinds=frozenset(_words(focus, "answer_kinds")),
        links=frozenset(_words(focus, "links")),
        existence=frozenset(_words(focus, "existence")),
        body_kinds=frozenset(_words(focus, "body_kinds")),
        issuer_suffixes=tuple(_words(data.get("bodies"), "issuer_suffixes")),
        unit_suffixes=tuple(_words(data.get("bodies"), "unit_suffixes")),
        exclusions=tuple(re.compile(p) for p in data.get("exclusions", {}).get("patterns", [])),
        document_kinds=tuple(_words(data.get("document_kinds"))),
        scopes=tuple(_words(data.get("scopes"))),
    )


PHRASE_GAP = r"[\s-]+"  # between the words of an English phrase: a space or a hyphen


@lru_cache(maxsize=1)
def english_terms() -> tuple[tuple[re.Pattern, str], ...]:
    """(pattern for an English policy phrase, the Chinese terms documents use for it), longest phrase first, from
    data/english.toml; the words of a phrase may be joined by a hyphen (per-capita, science-popularization)."""
    terms = tomllib.loads(ENGLISH_FILE.read_text(encoding="utf-8")).get("terms", {})
    return tuple(
        (re.compile(rf"(?<![\w-]){PHRASE_GAP.join(map(re.escape, k.split()))}(?:e?s)?(?![\w-])", re.I), v)
        for k, v in sorted(terms.items(), key=lambda kv: -len(kv[0]))
    )


def gloss_groups(text: str) -> list[tuple[str, ...]]:
    """The Chinese terms for each English policy phrase of ``text``, one group of alternatives per phrase
    (total budget → [(预算, 经费)]), longer phrases first."""
    out, rest = [], text
    for pattern, chinese in english_terms():
        if pattern.search(rest):
            out.append(tuple(chinese.split()))
            rest = pattern.sub(" ", rest)
    return out


def unglossed(text: str) -> str:
    """``text`` with the glossary's phrases blanked out: what the glossary leaves for a general dictionary."""
    for pattern, _ in english_terms():
        text = pattern.sub(" ", text)
    return text


def gloss(text: str) -> str:
    """The Chinese terms for the English policy phrases of ``text`` (science popularization → 科普), each phrase
    read once: a longer phrase (public health) takes its words from a shorter one (health)."""
    return " ".join(dict.fromkeys(t for group in gloss_groups(text) for t in group))


def local_lexicon_path(corpus_dir: Path) -> Path:
    return Path(corpus_dir) / LOCAL_NAME


def unit_aliases(name: str, lexicon: Lexicon) -> list[str]:
    """Short forms of a body's name by the 公文 abbreviations (区卫生健康局 → 区卫健局); the name itself excluded."""
    out = []
    for full, short in lexicon.unit_abbreviations.items():
        if full in name:
            out.append(name.replace(full, short))
    return [a for a in dict.fromkeys(out) if a != name and len(a) >= 2]
