"""Two texts per document: the repaired text users read, and a folded key that matching compares.

Repair joins words that a PDF export split across a blank line ("科学家精" ⏎⏎ "神") while keeping real paragraph
breaks. Folding makes full-/half-width punctuation, quotes, dashes, spaces and simplified / traditional characters
compare equal (中國科協 = 中国科协, 2021—2035 = 2021-2035); users always see the original text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# 公文 heading / list markers: 一、 （一） (一) 1. 1、 （1） ① 第X条 …
MARKER_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百]+[)）]|\d{1,3}\s*[.．、](?!\d)"
    r"|[（(]\d{1,3}[)）]|[\u2460-\u2473\u2474-\u2487\u2776-\u277f]|第[一二三四五六七八九十百零\d]+[章节条])"
)
SENTENCE_END = "。！？!?；;：:…”’」』）)】〕》"
BODY_PUNCT = "，,。；;：:、"
CLOSING_SENTENCE = "。！？!?；;"
LABEL_RE = re.compile(r"^附\s*件\s*\d*\s*[:：]")  # 附件:… names an appendix; it is not a sentence cut short

# Folding keeps these as they are: NFKC would turn ① into "1" and ⑴ into "(1)".
_KEEP = re.compile(r"[\u2460-\u24ff\u2776-\u2793]")
_EXTRA_FOLD = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "〔": "[",
        "〕": "]",
        "【": "[",
        "】": "]",
        "—": "-",
        "–": "-",
        "－": "-",
        "～": "~",
        "·": "·",
        "・": "·",
        "〇": "〇",
    }
)
_SPACE_RE = re.compile(r"\s+")


LEVEL_RES = [  # (level, pattern): 章 > 一、 > （一） > 1. > （1） > ①; 第X条 sits with 1.
    (0, re.compile(r"^\s*第[一二三四五六七八九十百零\d]+章")),
    (1, re.compile(r"^\s*[一二三四五六七八九十百]+[、.．]")),
    (1, re.compile(r"^\s*第[一二三四五六七八九十百零\d]+节")),
    (2, re.compile(r"^\s*[（(][一二三四五六七八九十百]+[)）]")),
    (3, re.compile(r"^\s*\d{1,3}\s*[.．、](?!\d)")),
    (3, re.compile(r"^\s*第[一二三四五六七八九十百零\d]+条")),
    (4, re.compile(r"^\s*[（(]\d{1,3}[)）]|^\s*[\u2474-\u2487]")),
    (5, re.compile(r"^\s*[\u2460-\u2473\u2776-\u277f]")),
]


def starts_with_marker(line: str) -> bool:
    return bool(MARKER_RE.match(line))


def heading_level(line: str) -> int | None:
    """Outline level of a 公文 numbered line, or None for plain text."""
    for level, pattern in LEVEL_RES:
        if pattern.match(line):
            return level
    return None


def _is_wrapped_body(para: str) -> bool:
    """A paragraph cut mid-sentence: prose with punctuation inside, no closing mark, not a bare heading."""
    s = para.strip()
    if not s or s[-1] in SENTENCE_END or "|" in s or LABEL_RE.match(s):
        return False
    if not any(c in s for c in BODY_PUNCT):
        return False  # titles, dates, signatures, 文号 lines
    if starts_with_marker(s) and not any(c in s for c in CLOSING_SENTENCE):
        return False  # a heading such as 一、深入学习贯彻党的二十大精神，讲好中国故事
    return True


def repair(raw: str) -> str:
    """Normalise line ends and join paragraphs that a PDF export cut across a blank line."""
    text = raw.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    parts = re.split(r"(\n[ \t\u3000]*\n\s*)", text)  # separators land at odd indices
    out = parts[0]
    for sep, para in zip(parts[1::2], parts[2::2]):
        last_para = out.rsplit("\n", 1)[-1]
        first_line = para.strip().split("\n", 1)[0]
        joined = _is_wrapped_body(last_para) and first_line and not starts_with_marker(para) and "|" not in first_line
        out += para if joined else sep + para
    return out.strip("\n") + "\n"


@lru_cache(maxsize=1)
def _converters() -> tuple[opencc.OpenCC, ...]:
    # hk2s also maps Hong Kong variants (衞 → 卫) that plain t2s keeps; tw2s the Taiwan ones (裡 → 里)
    return opencc.OpenCC("hk2s"), opencc.OpenCC("tw2s")


def to_simplified(text: str) -> str:
    """Traditional characters (Hong Kong and Taiwan variants included) as simplified; other text unchanged.

    OpenCC converts character for character here, so lengths and offsets are kept. It reads C strings, which end
    at a NUL: text is converted between NULs so that nothing after one is lost.
    """
    if "\x00" in text:
        return "\x00".join(to_simplified(part) for part in text.split("\x00"))
    for conv in _converters():
        text = conv.convert(text)
    return text


def fold_char(c: str) -> str:
    if _KEEP.match(c):
        return c
    return unicodedata.normalize("NFKC", c).translate(_EXTRA_FOLD)


class _FoldTable(dict):
    """Code point → its folded form, filled the first time a character is seen: ``str.translate`` with it is
    ``fold_char`` over every character, in C. (fold ran char by char in Python: a third of a warm question's time.)"""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


@lru_cache(maxsize=65536)  # the same passages and sentences are folded again for every question that finds them
def fold(text: str) -> str:
    """Matching key: width-folded, quotes unified, all whitespace removed. Circled numbers survive."""
    return _SPACE_RE.sub("", to_simplified(text).translate(_FOLD_TABLE)).lower()
