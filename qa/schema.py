"""The records that flow through the pipeline: Document → Chunk → Question → Hit → Answer, and the closed sets
(question types, confidence) that question analysis, retrieval, answering and the pages share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .normalize import to_simplified


@dataclass
class DocMeta:
    """Citation fields of a document; an absent field is an empty string, never a guess."""

    title: str = ""
    issuer: str = ""
    date: str = ""  # ISO yyyy-mm-dd
    doc_no: str = ""  # 文号, e.g. 鄂科协办〔2024〕15号
    file: str = ""


@dataclass
class PageMark:
    """Where a page of the source file starts in the document text; ``scanned`` when its text came from OCR."""

    offset: int
    number: int
    scanned: bool = False


@dataclass
class Document:
    doc_id: str
    text: str  # normalised text; every chunk span points into it
    meta: DocMeta
    sha256: str
    pages: list[PageMark] = field(default_factory=list)  # paged formats (PDF, images) only
    warnings: list[str] = field(default_factory=list)  # parts left out (a page whose OCR failed), for users


@dataclass
class Chunk:
    """A retrievable unit; ``text`` is what users read, ``span`` where it lies in the document."""

    chunk_id: int
    doc_id: str
    text: str
    section_path: list[str]
    span: tuple[int, int]
    kind: str = "text"  # "text" or "table_row"
    fields: dict[str, str] = field(default_factory=dict)
    page: int | None = None  # page of the source file the chunk starts on (PDF, images)
    scanned: bool = False  # its text was recognised from a page image (扫描件识别)

    def embed_text(self, context: str = "path") -> str:
        """Section path first: a paragraph like 加强老年人健康科普服务 only says whose plan it is through its path.

        Named fields of a text chunk (文号, 发文单位 …) follow, so questions that use those words can find it.
        The text is embedded in simplified characters; users still read the original.
        """
        prefix = {"path": " › ".join(self.section_path) + "\n", "title": self.section_path[0] + "\n"}.get(context, "")
        head = prefix + self.text
        if self.kind == "text" and self.fields:
            head += "\n" + "；".join(f"{k}：{v}" for k, v in self.fields.items())
        return to_simplified(head)  # traditional and simplified documents meet questions in one script

    def page_note(self) -> str:
        """Where in the source file, for a citation: '第3页', and '扫描件识别' when the text came from OCR."""
        parts = [f"第{self.page}页"] if self.page else []
        return " · ".join([*parts, "扫描件识别"] if self.scanned else parts)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        return cls(**{**d, "span": tuple(d["span"])})


class QuestionType(StrEnum):
    """What a question asks for; each type has its own answerer (qa/answerers.py)."""

    LEAD = "lead"  # 谁牵头
    RESPONSIBLE = "responsible"  # 哪些单位负责
    NUMBER = "number"  # 多少、几站
    DOC_NO = "doc_no"  # 文号
    ISSUER = "issuer"  # 谁印发
    RECIPIENTS = "recipients"  # 发给哪些单位 (主送)
    DATE = "date"  # 何时
    PURPOSE = "purpose"  # 为什么、目的是什么: answered by a passage, never by a field
    DEFINITION = "definition"  # 是什么、有哪些
    OTHER = "other"

    @property
    def is_field(self) -> bool:
        """Types answered by a short field (a unit, a number, an issuer, a date, a 文号)."""
        return self not in (QuestionType.PURPOSE, QuestionType.DEFINITION, QuestionType.OTHER)

    @property
    def about_document(self) -> bool:
        """Types answered from a document's own header (or a citation of another document)."""
        return self in (QuestionType.DOC_NO, QuestionType.ISSUER, QuestionType.DATE, QuestionType.RECIPIENTS)


@dataclass
class Question:
    text: str  # the question as asked (cleaned)
    search_text: str  # what retrieval uses: politeness dropped, follow-up resolved, everyday words expanded
    qtype: QuestionType
    subject: str  # the question without its type cue, question words and fillers
    years: list[str] = field(default_factory=list)  # years named (2021—2035 gives both ends)
    doc_years: list[str] = field(default_factory=list)  # of those, the named document's own (2023年科普工作要点)
    places: list[str] = field(default_factory=list)  # places named, in their full form (鄂 → 湖北)
    resolved_from: str | None = None  # the earlier question a follow-up borrowed from
    base: str = ""  # politeness dropped and follow-up resolved, before everyday words are expanded
    latin: bool = False  # asked in English (or another Latin-script language): keyword signals do not apply
    glossed: str = ""  # an English question's policy words in the Chinese the documents use (科普 科技馆 流动)
    looked_up: str = ""  # its other words, through a general dictionary, as the indexed documents say them: search only
    asked: tuple[str, ...] = ()  # nouns beside the question word: what the answer must be about (主席, 地址, 奖金)
    unknown: tuple[str, ...] = ()  # subject words no indexed passage uses (砍掉, 看晕): set once the index is known
    excluded: tuple[str, ...] = ()  # what the question rules out (除了领导小组 → 领导小组; 不是高校毕业生就业那个)


@dataclass
class Hit:
    chunk: Chunk
    meta: DocMeta
    score: float
    dense: float = 0.0  # cosine of question and chunk, kept for the no-answer decision
    highlight: tuple[int, int] | None = None  # character offsets into chunk.text
    merged_from: list[int] = field(default_factory=list)  # chunk ids folded into this passage

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.chunk.text,
            "doc": asdict(self.meta),
            "section_path": self.chunk.section_path,
            "score": round(float(self.score), 4),
            "span": list(self.chunk.span),
            "highlight": list(self.highlight) if self.highlight else None,
            "kind": self.chunk.kind,
            "page": self.chunk.page,
            "scanned": self.chunk.scanned,
        }


class Confidence(StrEnum):
    """How sure the answerability decision is: the three states the chat page and the widget show differently.

    ``high``: the passages answer the question (a direct answer may be given); ``low``: they may be relevant
    (shown as 可能相关, never with a direct answer); ``none``: the documents do not hold the answer.
    """

    HIGH = "high"
    LOW = "low"
    NONE = "none"


@dataclass
class Answer:
    question: str
    passages: list[Hit]
    answer: str | None = None
    no_answer: bool = False
    confidence: Confidence = Confidence.HIGH
    timings: dict[str, float] = field(default_factory=dict)
    understood_as: str | None = None  # a follow-up question rewritten in full
    signals: Any = None  # qa.answerability.Signals: what the answerability decision looked at
    probability: float = 1.0  # the decision's probability that the passages answer

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "no_answer": self.no_answer,
            "confidence": self.confidence.value,
            "understood_as": self.understood_as,
            "passages": [h.to_dict() for h in self.passages],
        }
