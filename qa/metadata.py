"""Title, issuing body, date and 文号 of a 公文, found by rules on its layout rather than by a table of known files."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import fields, replace
from functools import lru_cache
from pathlib import Path

from .lexicon import load_lexicon, unit_aliases
from .normalize import fold, heading_level, starts_with_marker, to_simplified
from .schema import DocMeta

log = logging.getLogger(__name__)

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0}
DOC_NO_RE = re.compile(r"[\u4e00-\u9fa5]{1,12}\s*[〔\[［(（„“]\s*(?:19|20)\d{2}\s*[〕\]］)）‟”]\s*\d{1,4}\s*号")
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN = "[一二三四五六七八九十]"
CN_DATE_RE = re.compile(rf"([〇○零一二三四五六七八九O]{{4}})年({_CN}{{1,2}})月({_CN}{{1,3}})日")
DATE_LINE_RE = re.compile(rf"^\s*(?:{DATE_RE.pattern}|{CN_DATE_RE.pattern})\s*(?:印发|发布|制定|起施行)?\s*$")
ORG_SUFFIX_RE = load_lexicon().issuer_suffix_re  # how an issuer's name ends (lexicon.toml [bodies])
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


DOC_KIND_RE = re.compile(
    r"(?:通知|方案|要点|意见|办法|规划|纲要|计划|预案|批复|报告|决定|规定|细则|举措|措施|条例|函|公告|通告|通报|请示|"
    r"指南|标准|规则|章程|决议|纪要|清单|目录)$"
)
TRAILING_NOTE_RE = re.compile(r"[（(][^（）()]{1,20}[)）]$")  # (2023—2025年) (2025年版) after the 文种
ISSUER_UNIT_RE = re.compile(
    r"(?:中共)?[\u4e00-\u9fa5]{2,24}?(?:人民政府办公厅|人民政府办公室|人民政府|委员会|管理委员会|工作委员会|办公厅|办公室|"
    r"市委|省委|县委|区委|州委|工委|管委会|科学技术协会|协会|学会|研究会|联合会|总工会|科协|局|厅|部|署|院|委|办)"
)
LEAD_ISSUER_RE = re.compile(
    r"^((?:[\u4e00-\u9fa5]{2,6}(?:省|市|区|县|州))+[\u4e00-\u9fa5]{0,10}?"
    r"(?:局|厅|委员会|科学技术协会|科协|人民政府办公室|人民政府办公厅|人民政府))(?=(?:19|20)\d{2}年|关于)"
)
COMPACT_DATE_RE = re.compile(r"^\s*((?:19|20)\d{2})(\d{2,4})\s*$")


def _simple(line: str) -> str:
    """Rules read simplified text; what is stored keeps the document's own characters."""
    return to_simplified(line)


def _ends_as_title(text: str) -> bool:
    core = TRAILING_NOTE_RE.sub("", _simple(text).strip())
    return bool(DOC_KIND_RE.search(core))


def _is_issuer_line(line: str) -> bool:
    s = _simple(line)
    return len(s) <= 40 and not SENTENCE_PUNCT_RE.search(s) and bool(ORG_SUFFIX_RE.search(s.replace(" ", "")))


def _title_part(line: str) -> bool:
    """A line that can be part of a printed title: short, no sentence punctuation, not a 文号, date or 红头."""
    s = _simple(line).strip()
    if not s or len(s) > 100 or SENTENCE_PUNCT_RE.search(s) or "|" in s or s.endswith(("：", ":")):
        return False
    if starts_with_marker(s) or DATE_LINE_RE.match(s) or _doc_no_line(s) or REDHEAD_RE.match(s):
        return False
    return not (s[0] in "（(【[" and s[-1] in "）)】]")  # (此件公开发布), (征求意见稿)


def formal_title_lines(text: str, limit: int = 25) -> list[int]:
    """The document's printed title (发文机关 + 事由 + 文种): the first run of title lines in its head that ends with a
    文种 (通知, 方案, 要点 …), issuer lines stacked above a 关于 line included; lines of a wrapped title joined."""
    lines = _lines(text)[:limit]
    i = 0
    while i < len(lines):
        if not _title_part(lines[i]):
            i += 1
            continue
        run = [i]
        while run[-1] + 1 < len(lines) and _title_part(lines[run[-1] + 1]) and _continues(lines, run):
            run.append(run[-1] + 1)
        joined = "".join(lines[j] for j in run)
        issuers_only = all(_is_issuer_line(lines[j]) for j in run)
        if _ends_as_title(joined) and not issuers_only:
            return run
        i = run[-1] + 1
    return []


def _continues(lines: list[str], run: list[int]) -> bool:
    """The next line carries on the title: the run has no 文种 yet, or the next line opens with 的 / a bracket
    (关于印发…三年行动计划 ⏎ (2023—2025年)的通知), or a 《 is still open."""
    nxt, joined = _simple(lines[run[-1] + 1]), _simple("".join(lines[i] for i in run))
    if nxt == _simple(lines[run[-1]]):
        return False  # a web page printing its title twice
    return not _ends_as_title(joined) or nxt[0] in "的(（》" or joined.count("《") > joined.count("》")


def extract_title(text: str) -> str:
    """The printed title with its lines joined and inner spaces removed; else the body title (a 要点 that starts
    with its own name), else empty — never the file name."""
    lines = _lines(text)
    run = formal_title_lines(text) or title_lines(text)
    return re.sub(r"\s+", "", "".join(lines[i] for i in run))


def _doc_no_line(line: str) -> re.Match | None:
    """A 文号 that stands as the document's own: on a line of its own, after a title, or before the 主送 a web copy
    ran on — never one cited in brackets after a title or inside a sentence (《…的请示》(州政〔2015〕87号)收悉)."""
    s = _simple(line)
    m = DOC_NO_RE.search(s)
    if not m:
        return None
    before = s[: m.start()].rstrip()
    if before.endswith(("(", "（", "[", "【")) or re.search(r"[，,。；;]", before):
        return None
    return m


def extract_doc_no(text: str, limit: int = 12) -> str:
    """The 文号 among the first lines of the document, in the document's own characters."""
    for ln in _lines(text)[:limit]:
        if m := _doc_no_line(ln):
            return re.sub(r"\s+", "", ln[m.start() : m.end()])
    return ""


def split_issuers(name: str) -> list[str]:
    """Joint issuers written together or apart: 中共杭州市委杭州市人民政府 → 中共杭州市委, 杭州市人民政府."""
    out = []
    for part in re.split(r"[\s、]+", name.strip()):
        units = ISSUER_UNIT_RE.findall(_simple(part))
        if units and "".join(units) == _simple(part):
            pos = 0
            for u in units:  # back to the document's own characters
                out.append(part[pos : pos + len(u)])
                pos += len(u)
        elif part:
            out.append(part)
    return out


def _title_issuer(lines: list[str], run: list[int]) -> str:
    """Issuers printed as the title's first lines, or before its 关于: 濮阳市人民政府 / 关于印发…的通知."""
    stacked = [lines[i] for i in run if _is_issuer_line(lines[i]) and not DOC_KIND_RE.search(_simple(lines[i]))]
    if stacked:
        return "、".join(b for line in stacked for b in split_issuers(line))
    joined = "".join(lines[i] for i in run)
    head = _simple(joined).split("关于", 1)[0]
    if head and head != _simple(joined) and ORG_SUFFIX_RE.search(head.replace(" ", "")):
        return "、".join(split_issuers(joined[: len(head)]))
    return ""


def _signature(lines: list[str], date_at: int) -> str:
    """The bodies signing above the date line (several lines for joint issuers; （代章） dropped)."""
    bodies = []
    i = date_at - 1
    while i >= 0 and i >= date_at - 4:
        s = re.sub(r"[（(]\s*代章\s*[)）]", "", lines[i]).strip()
        if not _is_issuer_line(s) or (_title_part(s) and DOC_KIND_RE.search(_simple(s))):
            break
        bodies.insert(0, s)
        i -= 1
    return "、".join(b for line in bodies for b in split_issuers(line))


def _date_of_line(line: str) -> str:
    s = _simple(line).strip().strip("()（）")
    if DATE_LINE_RE.match(s):
        return parse_date(s)
    if m := COMPACT_DATE_RE.match(s):  # 2023626: a web copy that lost 年月日; kept only when one reading is valid
        readings = _compact_readings(m.group(2))
        if len(readings) == 1:
            mo, d = readings[0]
            return f"{int(m.group(1)):04d}-{mo:02d}-{d:02d}"
    return ""


def cn_date(iso: str) -> str:
    """2021-01-25 → 2021年1月25日, as a 公文 prints its date."""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def date_in(text: str) -> str:
    """ISO date of a date written any way 公文 and their web copies write it, or ''."""
    return parse_date(_simple(text)) or _date_of_line(text)


def _compact_readings(md: str) -> list[tuple[int, int]]:
    """(month, day) splits of the digits after a year that make a date: '626' → 6-26 only; '111' → two, ambiguous."""
    splits = [(md[:k], md[k:]) for k in range(1, len(md))]
    return [(int(mo), int(d)) for mo, d in splits if len(d) <= 2 and 1 <= int(mo) <= 12 and 1 <= int(d) <= 31]


def extract_date_and_issuer(text: str) -> tuple[str, str]:
    """The date: the first standalone date line (also in parentheses, in Chinese numerals, or with 年月日 lost).
    The issuer: a 红头 'X文件', else the bodies printed with the title, else the signature above the date, else an
    organisation the title or body title opens with (芜湖市教育局2024年工作要点)."""
    lines = _lines(text)
    date, signature = "", ""
    for i, ln in enumerate(lines):
        if d := _date_of_line(ln):
            date, signature = d, _signature(lines, i)
            break
    redhead = next((m.group(1).strip() for ln in lines[:5] if (m := REDHEAD_RE.match(_simple(ln)))), "")
    run = formal_title_lines(text)
    issuer = redhead or (_title_issuer(lines, run) if run else "") or signature
    if not issuer:
        for i in [*run[:1], *title_lines(text)[:1]]:
            title = re.sub(r"^关于印发《?", "", _simple(lines[i]))
            if m := LEAD_ISSUER_RE.match(title):
                issuer = lines[i][lines[i].index(m.group(1)[0]) :][: len(m.group(1))]
                break
    return date, issuer


# a government work report opens as a speech on the government's behalf: 现在，我代表市人民政府，向大会报告政府工作
REPORT_SPEAKER_RE = re.compile(r"(?:我代表|受)([省市县区州旗盟])人民政府(?:委托)?[，,]?\s*向大会")
REPORT_OPENING_CHARS = 300


def reporting_government(text: str, title: str, file_name: str) -> str:
    """The issuer of a government work report, which prints none: the government its opening speaks for (我代表市
    人民政府), of the place its title or file name opens with (玉林政府工作报告 → 玉林市人民政府). Empty when the
    opening is no such speech, or the place is unknown or not of that level."""
    from .places import gazetteer_places, region

    m = REPORT_SPEAKER_RE.search(to_simplified(text[:REPORT_OPENING_CHARS]))
    if not m:
        return ""
    level = m.group(1)
    for name in (title, Path(file_name).stem):
        found = gazetteer_places(to_simplified(name)[:12])
        if found and name.startswith(found[0]):
            place = found[0] if found[0].endswith(level) else found[0] + level
            return f"{place}人民政府" if region(place) else ""
    return ""


def extract_meta(text: str, file_name: str) -> DocMeta:
    date, issuer = extract_date_and_issuer(text)
    title = extract_title(text)
    issuer = issuer or reporting_government(text, title, file_name)
    return DocMeta(title=title, issuer=issuer, date=date, doc_no=extract_doc_no(text), file=file_name)


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


def identity(meta: DocMeta) -> str:
    """What names a document: title, issuer and its usual short forms (湖南省人民政府办公厅 → 湖南省政府办公厅), date,
    文号 and file name, folded."""
    return _identity(meta.title, meta.issuer, meta.date, meta.doc_no, Path(meta.file).stem)


@lru_cache(maxsize=4096)
def _identity(title: str, issuer: str, date: str, doc_no: str, stem: str) -> str:
    lexicon = load_lexicon()
    shorts = [a for body in split_issuers(to_simplified(issuer)) for a in unit_aliases(body, lexicon)]
    return fold(" ".join([title, issuer, *shorts, date, doc_no, stem]))
