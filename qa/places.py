"""Place names a question may name: China's provinces, prefectures and counties (the gazetteer shipped in the
`cpca` package), the places the indexed documents open with, and, for a question in English, their pinyin.

A place is general knowledge, so the gazetteer is data from a maintained package, not a list in this repository.
Short forms (玉林 for 玉林市) are read only where they stand as a word of the question and are not common words
(和平, 朝阳, 开发 are names of districts too), so that a question is never pinned to a place it does not name.
"""

from __future__ import annotations

import csv
import importlib.util
import itertools
import logging
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from .jieba_dict import base_dictionary, default_tokenizer, word_tags

log = logging.getLogger(__name__)

SUFFIX_RE = re.compile(
    r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|新区|省|市|州|盟|县|区|旗)$"
)
COMMON_WORD_FREQ = 300  # a short form jieba's dictionary counts more often than this is an everyday word too


def _gazetteer_file() -> Path | None:
    spec = importlib.util.find_spec("cpca")  # located, not imported: the package itself pulls in pandas
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    return path if path.exists() else None


def _everyday_word(short: str) -> bool:
    """A short form jieba's dictionary knows as a common word that is not mainly a place name: 和平, 公安, 开发, 胜利
    (杭州, 天津, 长安 are frequent too, but tagged as places). Read from the dictionary itself, whether or not jieba's
    global tokenizer has been loaded yet, so the answer never depends on what ran first."""
    common = (base_dictionary()[0].get(short) or 0) >= COMMON_WORD_FREQ
    return common and not (word_tags().get(short) or "").startswith("ns")


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(full names such as 玉林市 / 花垣县, their short forms that are safe to read as places)."""
    path = _gazetteer_file()
    if path is None:
        log.warning("cpca's gazetteer not found: only the indexed documents' places are known")
        return frozenset(), frozenset()
    with path.open(encoding="utf-8") as f:
        names = {row["name"].strip() for row in csv.DictReader(f) if row.get("name")}
    shorts = {s for n in names if 2 <= len(s := SUFFIX_RE.sub("", n)) < len(n) and not _everyday_word(s)}
    return frozenset(n for n in names if len(n) >= 3), frozenset(shorts)


@lru_cache(maxsize=1)
def _regions() -> dict[str, frozenset[str]]:
    """Each name and short form with the administrative code prefixes it may stand for (43 for 湖南省, 4331 for 湘西
    土家族苗族自治州, 433124 for 花垣县; a short form shared by two places stands for both)."""
    path = _gazetteer_file()
    out: dict[str, set[str]] = {}
    if path is None:
        return {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name, code = (row.get("name") or "").strip(), (row.get("adcode") or "")[:6]
            if not name or not code.isdigit():
                continue
            prefix = code[:2] if code[2:] == "0000" else code[:4] if code[4:] == "00" else code
            for key in {name, SUFFIX_RE.sub("", name) or name}:
                out.setdefault(key, set()).add(prefix)
    return {k: frozenset(v) for k, v in out.items()}


def region(name: str) -> frozenset[str]:
    """The code prefixes of a place, or of the place a body's name opens with (湖南省民政厅, 湖南省科协 → 湖南省)."""
    regions = _regions()
    for end in range(len(name), 1, -1):
        if codes := regions.get(name[:end]):
            return codes
    return frozenset()


def within(inner: str, outer: str) -> bool:
    """``inner`` lies inside ``outer`` (花垣 in 湖南, 婺城 in 金华, 大洼 in 盘锦), by the gazetteer's codes."""
    return any(x != y and x.startswith(y) for x in region(inner) for y in region(outer))


COUNTRY = "全国"  # the general place list's name for the whole country: it contains every other place named


def distinct_places(places: list[str]) -> list[str]:
    """The places named, less those that only contain another one named or repeat one (湖南省民政厅关于花垣县…;
    湖南省科协…湖南省青少年…; 湖南省科协的全国科普日主场): each names one place, not a comparison."""
    out: list[str] = []
    for i, p in enumerate(places):
        others = places[:i] + places[i + 1 :]
        if p == COUNTRY and others:
            continue
        if any(within(q, p) for q in others) or any(region(p) and region(q) == region(p) for q in places[:i]):
            continue
        out.append(p)
    return out


@lru_cache(maxsize=1)
def _full_names_by_first_char() -> dict[str, list[tuple[int, str, str]]]:
    """The full names by their first character, each with its place in the gazetteer's order and its short form:
    a question is checked against the few names that can start in it, not all 3,000 (a warm question's 1 ms)."""
    by_char: dict[str, list[tuple[int, str, str]]] = {}
    for i, name in enumerate(gazetteer()[0]):
        by_char.setdefault(name[0], []).append((i, name, SUFFIX_RE.sub("", name) or name))
    return by_char


@lru_cache(maxsize=1)
def _short_forms_by_first_char() -> dict[str, list[str]]:
    by_char: dict[str, list[str]] = {}
    for short in gazetteer()[1]:
        by_char.setdefault(short[0], []).append(short)
    return by_char


def _may_hold_short_form(text: str) -> bool:
    """Whether some short form occurs in the text at all: only then can a word of its cut be one (most questions
    name none, and the cut is jieba's whole pass over the question)."""
    by_char = _short_forms_by_first_char()
    return any(short in text for c in set(text) for short in by_char.get(c, ()))


PLACE_SUFFIX_CHARS = "省市县区州盟旗镇乡"
COUNTY_CODE_CHARS = 6  # the gazetteer's code prefixes: 2 digits a province, 4 a prefecture, 6 a county


def ordinary_words(knows: Callable[[str], bool]) -> frozenset[str]:
    """Short forms of counties in the gazetteer that the indexed documents use, but never before a place suffix:
    惠民 of 科普惠民, 新建 of 新建学校 are words there, and so in questions about them (惠民县, 新建区 still name
    places). A prefecture or province named bare (武汉, 东营) stays a place.
    ``knows`` says whether the documents hold a string (their bigrams: cheap for any corpus size)."""
    _, shorts = gazetteer()
    return frozenset(
        s
        for s in shorts
        if len(s) >= 2
        and all(len(code) >= COUNTY_CODE_CHARS for code in region(s))  # a county's name; 武汉, 东营 stay places
        and knows(s)
        and not any(knows(s[-1] + c) for c in PLACE_SUFFIX_CHARS)
    )


def gazetteer_places(text: str, ordinary: frozenset[str] = frozenset()) -> list[str]:
    """Places of the gazetteer the text names: a full name anywhere, a short form only as a word of its own and
    not one the indexed documents use as an ordinary word (``ordinary``)."""
    _, shorts = gazetteer()
    by_char = _full_names_by_first_char()
    hits = [entry for c in set(text) for entry in by_char.get(c, ()) if entry[1] in text]
    found = [short for _, _, short in sorted(hits)]  # the gazetteer's order, as when every name was tried
    if shorts and _may_hold_short_form(text):
        found += [w for w in default_tokenizer().lcut(text) if w in shorts and w not in ordinary]
    return list(dict.fromkeys(found))


@lru_cache(maxsize=64)
def _pinyin_index(places: tuple[str, ...]) -> dict[str, str]:
    from pypinyin import lazy_pinyin

    return {"".join(lazy_pinyin(p)): p for p in places if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", p)}


def places_in_latin(text: str, places: Iterable[str]) -> list[str]:
    """Places of the indexed documents named in pinyin in an English question (Puyang → 濮阳)."""
    index = _pinyin_index(tuple(sorted(set(places))))
    words = re.findall(r"[a-z]+", text.lower())
    spans = [*words, *(a + b for a, b in itertools.pairwise(words))]  # Puyang, Pu Yang; in the order written
    return list(dict.fromkeys(index[s] for s in spans if s in index))
