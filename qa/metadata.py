"""Title, issuing body, date and 文号 of a 公文, found by rules on its layout rather than by a table of known files."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import fields, replace
from pathlib import Path

from .normalize import heading_level, starts_with_marker
from .schema import DocMeta

log = logging.getLogger(__name__)

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0}
DOC_NO_RE = re.compile(r"[\u4e00-\u9fa5]{1,12}\s*[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,4}\s*号")
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN = "[一二三四五六七八九十]"
CN_DATE_RE = re.compile(rf"([〇○零一二三四五六七八九O]{{4}})年({_CN}{{1,2}})月({_CN}{{1,3}})日")
DATE_LINE_RE = re.compile(rf"^\s*(?:{DATE_RE.pattern}|{CN_DATE_RE.pattern})\s*(?:印发|发布|制定|起施行)?\s*$")
ORG_SUFFIX_RE = re.compile(
    r"(?:政府|办公室|办公厅|委员会|委|协会|学会|研究会|科协|联合会|局|厅|部|院|中心|处|办|总工会|团委|党委|基金会)$"
)
REDHEAD_RE = re.compile(r"^(.{2,30}?)\s*文件$")
SENTENCE_PUNCT_RE = re.compile(r"[，,。；;：:！!？?]")
SIDECAR_SUFFIX = ".meta.json"


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in s))


def parse_date(line: str) -> str:
    """ISO date of the first 2024年3月6日 / 二〇二四年三月六日 in ``line``, or ''."""
    if m := DATE_RE.search(line):
        y, mo, d = (int(g) for g in m.groups())
    elif m := CN_DATE_RE.search(line):
        y, mo, d = _cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3))
    else:
        return ""
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else ""


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def _is_title_like(line: str) -> bool:
    if len(line) > 60 or SENTENCE_PUNCT_RE.search(line) or "|" in line:
        return False
    if starts_with_marker(line) or DATE_LINE_RE.match(line) or DOC_NO_RE.search(line) or REDHEAD_RE.match(line):
        return False
    if line[0] in "（(【[" and line[-1] in "）)】]":
        return False  # (此件公开发布)
    return not ORG_SUFFIX_RE.search(line)


def title_lines(text: str) -> list[int]:
    """Indices (into the non-blank lines) of the body title: the last title-like run before the first heading."""
    lines = _lines(text)
    levels = [heading_level(ln) for ln in lines]
    first_heading = next((i for i, lv in enumerate(levels) if lv is not None and lv <= 2), None)
    if first_heading is None:
        first_heading = next((i for i, lv in enumerate(levels) if lv is not None), len(lines))
    best: list[int] = []
    i = 0
    while i < first_heading:
        if _is_title_like(lines[i]) and i + 1 < len(lines) and not _is_title_like_end(lines, i):
            run = [i]
            while (
                run[-1] + 1 < first_heading
                and _is_title_like(lines[run[-1] + 1])
                and lines[run[-1] + 1] != lines[run[-1]]
            ):
                run.append(run[-1] + 1)
            best = run
            i = run[-1] + 1
        else:
            i += 1
    return best


def _is_title_like_end(lines: list[str], i: int) -> bool:
    """A short line followed by a date line is a signature, not a title."""
    return i + 1 < len(lines) and bool(DATE_LINE_RE.match(lines[i + 1]))


def extract_title(text: str) -> str:
    lines = _lines(text)
    return "".join(lines[i] for i in title_lines(text))


def extract_doc_no(text: str) -> str:
    """The 文号 in the document head (before the title); cited 文号 in the body belong to other documents."""
    lines = _lines(text)
    head = title_lines(text)
    end = head[0] if head else min(len(lines), 10)
    for ln in lines[:end]:
        if m := DOC_NO_RE.search(ln):
            return re.sub(r"\s+", "", m.group(0))
    return ""


def extract_date_and_issuer(text: str) -> tuple[str, str]:
    """The first standalone date line gives the date; the signature line above it, or a 红头 'X文件', the issuer."""
    lines = _lines(text)
    date, issuer = "", ""
    for i, ln in enumerate(lines):
        if DATE_LINE_RE.match(ln):
            date = parse_date(ln)
            prev = lines[i - 1] if i else ""
            if prev and len(prev) <= 30 and ORG_SUFFIX_RE.search(prev) and not SENTENCE_PUNCT_RE.search(prev):
                issuer = prev
            break
    for ln in lines[:5]:
        if m := REDHEAD_RE.match(ln):
            issuer = m.group(1).strip()
            break
    return date, issuer


def extract_meta(text: str, file_name: str) -> DocMeta:
    date, issuer = extract_date_and_issuer(text)
    return DocMeta(title=extract_title(text), issuer=issuer, date=date, doc_no=extract_doc_no(text), file=file_name)


JUNK_TITLE_RE = re.compile(r"^(?:microsoft word\s*-|文档\s*\d*$|document\s*\d*$|untitled|无标题|新建)", re.I)
ISO_DATE_RE = re.compile(r"^((?:19|20)\d{2})-(\d{2})-(\d{2})")


def fill_from_properties(meta: DocMeta, props: dict[str, str]) -> DocMeta:
    """Fill fields the text did not state from the file's own properties, when they look like a real value.

    The text is trusted first: office files carry template leftovers ("文档1", author "Administrator"). An issuer
    must read like an organisation; a date only counts if the format states a publication date (a file's creation
    time is not its 成文日期).
    """
    title = props.get("title", "").strip()
    issuer = props.get("issuer", "").strip()
    date = props.get("date", "").strip()
    updates = {}
    if not meta.title and title and not JUNK_TITLE_RE.match(title) and len(title) <= 80:
        updates["title"] = title
    if not meta.issuer and issuer and len(issuer) <= 30 and ORG_SUFFIX_RE.search(issuer):
        updates["issuer"] = issuer
    if not meta.date and date:
        m = ISO_DATE_RE.match(date)
        updates["date"] = "-".join(m.groups()) if m else parse_date(date)
    return replace(meta, **updates) if updates else meta


def sidecar_path(doc_path: Path) -> Path:
    return doc_path.with_name(doc_path.name + SIDECAR_SUFFIX)


def apply_sidecar(meta: DocMeta, doc_path: Path) -> DocMeta:
    """``<file>.meta.json`` beside a document overrides any of title / issuer / date / doc_no."""
    path = sidecar_path(doc_path)
    if not path.exists():
        return meta
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable sidecar %s: %s", path, exc)
        return meta
    allowed = {f.name for f in fields(DocMeta)} - {"file"}
    return replace(meta, **{k: str(v) for k, v in data.items() if k in allowed})
