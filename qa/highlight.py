"""Which sentence of a passage answers the question, and whether a passage answers it at all.

Only passages that answer get a highlight: a 青少年 row under a 老年人 question is shown as context, unmarked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .lexical import Tokenizer, bigrams
from .lexicon import load_lexicon
from .metadata import identity
from .normalize import fold
from .schema import DocMeta, Hit, Question, QuestionType

SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
DATE_RE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月")
# the closing bracket may be lost in a copied text (衢政办发〔202316号): the year's four digits still end it
DOC_NO_RE = re.compile(r"[\u4e00-\u9fa5]{1,12}\s*[〔\[［(（„“]\s*(?:19|20)\d{2}\s*[〕\]］)）‟”]?\s*\d{1,4}\s*号")
NUMBER_CUE_RE = re.compile(r"\d|[一二三四五六七八九十百千万两]+[个项家所条批件座名人次户]|第[一二三四五六七八九十\d]+")
LEAD_CUE_RE = re.compile(r"牵头")
RESPONSIBLE_CUE_RE = re.compile(r"负责|责任|配合|承办|主管|设在")
# what states a purpose or a cause: 为了…, 旨在…, 为深入贯彻…（制定本方案）, 为…奠定基础, 受…影响
PURPOSE_CUE_RE = re.compile(
    r"为了|旨在|目的|意义|宗旨|初衷|奠定[^，。；]{0,12}基础|受[^，。；]{2,20}影响|"
    # the 公文 formula of an implementing document's opening: 根据…，为…，结合实际，制定本方案 / 提出如下意见
    r"制定本(?:方案|办法|意见|预案|计划|规划|措施|细则|规定|要点)|提出如下(?:意见|措施|实施意见)|"
    r"(?:^|[。；\n])\s*为(?:深入|进一步|加快|全面|切实|有效|推动|促进|确保|加强|做好|贯彻|落实|认真|积极|更好|大力|满足|适应)"
)
ISSUER_CUE_RE = re.compile(r"人民政府|办公室|办公厅|委员会|局|厅|协会|科协|党委|市委|县委|区委|工委|管委会")
MIN_SUBJECT_OVERLAP = 0.5
MIN_ANSWERING_SHARE = 0.8  # of the subject's weight a later passage must hold to be marked as answering
_TOKENIZER = Tokenizer()
# table columns that hold the answer, whatever a table calls them (牵头单位, 牵头部门, 责任单位, 配合单位, 承办科室 …)
FIELD_COLUMN_RE = {
    QuestionType.LEAD: re.compile(r"牵头"),
    QuestionType.RESPONSIBLE: re.compile(r"责任|负责|配合|承办"),
}


@lru_cache(maxsize=4096)
def subject_words(subject: str) -> tuple[str, ...]:
    """The subject's content words (jieba, stop words out): what a passage must be about."""
    return tuple(dict.fromkeys(_TOKENIZER.words(subject, query=True)))


def counted_words(question: Question) -> tuple[str, ...]:
    """The subject's content words that some indexed passage uses. A word none does (砍掉 for 减少, 看晕 in a long
    question's context) cannot tell one passage from another, so it counts neither for nor against one: counted,
    it kept the right sentence under the share an answerer asks for. The asked noun (奖金 in 一等奖奖金有多少) always
    counts: a passage that cannot say it cannot answer. All the words when none is known. An English question's
    words are the Chinese terms of its policy words (lexicon.gloss): its own words are in no passage."""
    if question.latin:
        return tuple(dict.fromkeys(question.glossed.split()))
    words = subject_words(question.subject or question.search_text)
    return tuple(w for w in words if w not in question.unknown or w in question.asked) or words


def said_share(words: tuple[str, ...], text: str) -> float:
    """Share of ``words`` that ``text`` says, each whole or by all its bigrams (0 for no words)."""
    if not words:
        return 0.0
    t = fold(text)
    return sum(w in t or all(g in t for g in bigrams(w)) for w in words) / len(words)


def subject_overlap(question: Question, text: str) -> float:
    """Share of the subject's content words found in ``text`` (whole, or all their bigrams): is this passage about
    what was asked? Words, not bigrams, so that an everyday word (搞到, 说白了) costs one word, not three bigrams."""
    subject = question.subject or question.search_text
    return said_share(counted_words(question) or tuple(bigrams(subject)), text)


RECIPIENTS_LINE_RE = re.compile(r"^[ \t\u3000]*([^\n：:。；;！？!?]{2,160}?)[ \t\u3000]*[：:][ \t\u3000]*$", re.M)
NOT_RECIPIENTS_RE = re.compile(r"如下|根据|为了|现将|附件|各位|联系|说明")
HEADER_CHARS = 1500  # a 公文's 主送 line comes after its title and 文号, within its first lines


def recipients_line(text: str) -> str | None:
    """The 主送 line of a 公文 (各市州人民政府，省政府各厅委：): the first line ending in a colon that lists bodies — it
    opens with 各 or its last item ends as a body's name does — and is no sentence (现将有关事项通知如下：)."""
    suffix = load_lexicon().unit_suffix_re
    for m in RECIPIENTS_LINE_RE.finditer(text):
        line = m.group(1).strip()
        if NOT_RECIPIENTS_RE.search(line):
            continue
        items = [p.strip() for p in re.split(r"[、，,]", line) if p.strip()]
        if line.startswith("各") or (items and suffix.search(items[-1])):
            return line
    return None


def topic_words(question: Question, meta: DocMeta) -> tuple[str, ...]:
    """The subject's content words less those that name the passage's document (花垣县 and 乡镇区划调整 of the
    花垣县乡镇区划调整批复; 湖南科协 and 23年 of 湖南省科协2023年…要点): they say which document — the constraints
    and the answer document check that — not which sentence, and counted with the rest they outweighed the topic
    (总人口, 大篷车). All the words when nothing else is left."""
    words = counted_words(question)
    ident = identity(meta)
    return tuple(w for w in words if fold(w) not in ident) or words


def topic_overlap(question: Question, hit: Hit, text: str) -> float:
    """Share of the topic words (above) that ``text`` says, whole or by all their bigrams."""
    return said_share(topic_words(question, hit.meta), text)


def holds_field(qtype: QuestionType, text: str) -> bool:
    """Whether ``text`` can hold the kind of answer the question type asks for."""
    cue = {
        QuestionType.LEAD: LEAD_CUE_RE,
        QuestionType.RESPONSIBLE: RESPONSIBLE_CUE_RE,
        QuestionType.NUMBER: NUMBER_CUE_RE,
        QuestionType.DATE: DATE_RE,
        QuestionType.DOC_NO: DOC_NO_RE,
        QuestionType.ISSUER: ISSUER_CUE_RE,
        QuestionType.PURPOSE: PURPOSE_CUE_RE,
    }.get(qtype)
    if qtype is QuestionType.RECIPIENTS:
        return recipients_line(text) is not None
    return cue is None or bool(cue.search(text))


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


def best_segment(question: Question, hit: Hit) -> tuple[int, int] | None:
    """The sentence (or table cell line) most about the subject, preferring one that holds the asked field."""
    spans = segments(hit)
    if not spans:
        return None
    text = hit.chunk.text
    column = FIELD_COLUMN_RE.get(question.qtype)
    if hit.chunk.kind == "table_row" and column is not None:
        for a, b in spans:  # the cell that holds the asked field is the answer (a group cell may carry 牵头单位:…)
            if column.search(text[a:b]) and text[a:b].split("：", 1)[-1].strip():
                return a, b

    def score(span: tuple[int, int]) -> tuple[bool, float]:
        s = text[span[0] : span[1]]
        holds = holds_field(question.qtype, s)
        # a count is read off a sentence with a figure: a heading (一、工作目标) may say the topic better, never it
        overlap = topic_overlap(question, hit, s) + (0.5 if holds else 0.0)
        return holds and question.qtype is QuestionType.NUMBER, overlap

    best = max(spans, key=score)  # max keeps the earliest of equals
    start = best[0] + (len(text[best[0] : best[1]]) - len(text[best[0] : best[1]].lstrip()))
    return start, best[1]


def answers(question: Question, hit: Hit, rank: int, weight: Callable[[str], float] | None = None) -> bool:
    """The best passage answers when the decision says so; a later one only if it is about the subject too —
    weighted by how rare each word is, so a 青少年 row sharing 科学素质提升行动 with a 老年人 question does not."""
    if rank == 0:
        return True
    context = fold(" ".join([*hit.chunk.section_path, hit.chunk.text]))
    words = counted_words(question)
    if not words or not holds_field(question.qtype, hit.chunk.text):
        return False
    w = weight or (lambda _: 1.0)
    found = sum(w(x) for x in words if x in context or all(g in context for g in bigrams(x)))
    return found / sum(w(x) for x in words) >= MIN_ANSWERING_SHARE
