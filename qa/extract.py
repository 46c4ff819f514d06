"""From retrieved passages to an answer: the sentence to highlight, and a short direct answer when the question asks
for a field (lead unit, responsible units, a number, issuer, date, 文号). No direct answer is better than a wrong one:
each extractor gives up unless the passage is about the question's subject.
"""

from __future__ import annotations

import re

from .lexical import bigrams
from .normalize import fold
from .question import Question
from .schema import DocMeta, Hit

SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
NUM = r"\d+(?:\.\d+)?"  # cardinals in Arabic digits: Chinese numerals are mostly names (五位一体, 一体两翼)
UNITS = "个|家|所|场次|场|期|站|届|次|名|座|篇|位|项|张|人次|万人次|公里|万公里|万张|万场次|%|亿元|万元|元|小时|天|年"
NUMBER_RE = re.compile(
    rf"(?:不少于|不低于|不超过|超过|超|达到|达|力争|约|近|共)?\s*{NUM}\s*(?:万|千|百)?\s*(?:{UNITS})(?:以上|左右|以内)?"
)
YEAR_ONLY = re.compile(r"\s*\d{4}\s*年")  # 2024年 is a date, not a quantity
ORDINAL_RE = re.compile(r"第\s*[\d一二三四五六七八九十百]+\s*[届次期批]")
ASKED_UNIT_RE = re.compile(rf"(?:几|多少)\s*({UNITS}|万)")
LEAD_RE = re.compile(r"(?:^|[，,。；;、：:\s]|做好|配合|由)([\u4e00-\u9fa5]{2,20}?)(?:负责)?牵头")
MIN_SUBJECT_OVERLAP = 0.5
COLUMN_FOR_TYPE = {"lead": "重点任务", "responsible": "责任单位"}
MIN_CLAUSE_OVERLAP = 0.3
CLAUSE_DELIMITERS = "、，,；;。：:"
DOCUMENT_WORDS = re.compile(r"要点|方案|文件|通知|意见|规划|纲要|办法|条例|文号|字号|印发|发布|转发|下发|发文|成文")
SEVERAL = re.compile(r"各是|各自|分别|各地|各省|各个|哪些地方|[\u4e00-\u9fa5]{2}和[\u4e00-\u9fa5]{2}的")


def subject_overlap(question: Question, text: str) -> float:
    """Share of the subject's character bigrams found in ``text``: is this passage about what was asked?"""
    grams = set(bigrams(question.subject or question.search_text))
    if not grams:
        return 0.0
    t = fold(text)
    return sum(g in t for g in grams) / len(grams)


def segments(hit: Hit) -> list[tuple[int, int]]:
    """Spans to highlight from: table rows by cell line, text by sentence."""
    text = hit.chunk.text
    if hit.chunk.kind == "table_row":
        out, pos = [], 0
        for line in text.split("\n"):
            out.append((pos, pos + len(line)))
            pos += len(line) + 1
        return out
    return [(m.start(), m.end()) for m in SENTENCE_RE.finditer(text) if m.group(0).strip()]


def _type_bonus(question: Question, sentence: str) -> float:
    if question.qtype == "number":
        counts = [m for m in NUMBER_RE.finditer(sentence) if not YEAR_ONLY.fullmatch(m.group(0))]
        return 0.5 if counts or ORDINAL_RE.search(sentence) else 0.0
    if question.qtype == "lead":
        return 0.5 if "牵头" in sentence else 0.0
    if question.qtype == "responsible":
        return 0.5 if sentence.startswith("责任单位") or "负责" in sentence else 0.0
    if question.qtype in ("date", "issuer"):
        return 0.5 if re.search(r"\d{4}\s*年\s*\d{1,2}\s*月", sentence) else 0.0
    return 0.0


def best_segment(question: Question, hit: Hit) -> tuple[int, int] | None:
    spans = segments(hit)
    if not spans:
        return None
    text = hit.chunk.text
    if hit.chunk.kind == "table_row" and (column := COLUMN_FOR_TYPE.get(question.qtype)):
        for a, b in spans:  # the cell that holds the asked field is the answer
            if text.startswith(column, a) and (column != "重点任务" or "牵头" in text[a:b]):
                return a, b

    def score(span: tuple[int, int]) -> float:
        s = text[span[0] : span[1]]
        return subject_overlap(question, s) + _type_bonus(question, s)

    best = max(spans, key=score)  # max keeps the earliest of equals
    # trim leading whitespace so the mark starts on text
    start = best[0] + (len(text[best[0] : best[1]]) - len(text[best[0] : best[1]].lstrip()))
    return start, best[1]


def _cn_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def direct_answer(question: Question, hits: list[Hit]) -> tuple[str, int] | None:
    """(answer, index of the passage that proves it), or None when no passage supports one."""
    for i, hit in enumerate(hits[:3]):
        found = _answer_from(question, hit)
        if found:
            return found, i
    return None


def _answer_from(q: Question, hit: Hit) -> str | None:
    c, meta = hit.chunk, hit.meta
    about = subject_overlap(q, " ".join([*c.section_path, c.text]))
    if q.qtype in ("issuer", "date", "doc_no"):
        # only a question about the document itself gets the document's own date or issuer
        return _meta_answer(q.qtype, meta) if DOCUMENT_WORDS.search(q.text) else None
    if about < MIN_SUBJECT_OVERLAP or SEVERAL.search(q.text):
        return None  # a question about several places or items has no single short answer
    if q.qtype == "lead":
        if lead := c.fields.get("牵头单位"):
            return f"牵头单位：{lead}"
        for sentence in (m.group(0) for m in SENTENCE_RE.finditer(c.text)):
            if subject_overlap(q, sentence) >= MIN_SUBJECT_OVERLAP and (m := LEAD_RE.search(sentence)):
                return f"牵头单位：{m.group(1)}"
        return None
    if q.qtype == "responsible" and (units := c.fields.get("责任单位")):
        return f"责任单位：{units}"
    if q.qtype == "number" and hit.highlight:
        sentence = c.text[hit.highlight[0] : hit.highlight[1]]
        return _number_in(q, sentence)
    return None


def _meta_answer(qtype: str, meta: DocMeta) -> str | None:
    if qtype == "doc_no":
        return f"文号：{meta.doc_no}" if meta.doc_no else None
    if qtype == "date":
        return f"成文日期：{_cn_date(meta.date)}" if meta.date else None
    if not meta.issuer:
        return None
    return f"发文单位：{meta.issuer}" + (f"（{_cn_date(meta.date)}）" if meta.date else "")


def _about(q: Question, text: str) -> int:
    grams = set(bigrams(q.subject))
    t = fold(text)
    return sum(g in t for g in grams)


def _number_in(q: Question, sentence: str) -> str | None:
    """The number the question asks for: by asked unit (几站 → 站), then the one whose words match the subject —
    a count follows its noun (科普惠民社区72个), an ordinal precedes it (第15届湖南省青少年机器人竞赛)."""
    if re.search(r"第几", q.text):
        ordinals = list(ORDINAL_RE.finditer(sentence))
        if not ordinals:
            return None
        best = max(ordinals, key=lambda m: _about(q, sentence[m.end() : m.end() + 20]))
        return re.sub(r"\s+", "", best.group(0))
    candidates = [m for m in NUMBER_RE.finditer(sentence) if not YEAR_ONLY.fullmatch(m.group(0))]
    if "比例" in q.text or "百分" in q.text:
        candidates = [m for m in candidates if "%" in m.group(0)]
    if asked := ASKED_UNIT_RE.search(q.text):
        unit = asked.group(1)
        candidates = [m for m in candidates if unit in m.group(0)] or (candidates if unit == "万" else [])
    if not candidates:
        return None
    grams = len(set(bigrams(q.subject))) or 1
    if _about(q, sentence) / grams < MIN_CLAUSE_OVERLAP:
        return None  # the sentence is not about what was asked
    best = max(candidates, key=lambda m: _about(q, _clause(sentence, m.start(), m.end())))
    return re.sub(r"\s+", "", best.group(0))


def _clause(sentence: str, start: int, end: int) -> str:
    """The words around a number up to the nearest delimiters: 湖北省科普惠民社区(村)72个 in a list of three."""
    left = max(sentence.rfind(d, 0, start) for d in CLAUSE_DELIMITERS)
    rights = [i for d in CLAUSE_DELIMITERS if (i := sentence.find(d, end)) >= 0]
    return sentence[left + 1 : min(rights) if rights else len(sentence)]
