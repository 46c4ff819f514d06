"""JSON API models and the chat page's rendering, kept apart from app.py so they test without a server."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .schema import Answer, Hit

NOT_FOUND_ZH = "文件中没有找到相关内容。"
EXAMPLES = [
    "老年人科学素质提升行动谁牵头？",
    "湖南流动科技馆要巡展几站？",
    "广东今年科普教育基地要搞到多少家？",
    "湖北科普工作要点的文号是多少？",
]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="用户的问题", max_length=2000)
    k: int | None = Field(None, ge=1, le=20, description="how many passages")
    history: list[str] | None = Field(None, max_length=20, description="earlier questions, oldest first")


class DocOut(BaseModel):
    title: str
    issuer: str
    date: str
    doc_no: str
    file: str


class PassageOut(BaseModel):
    text: str
    doc: DocOut
    section_path: list[str]
    score: float
    span: list[int]
    highlight: list[int] | None = None
    kind: str = "text"


class AskResponse(BaseModel):
    question: str
    answer: str | None
    no_answer: bool
    confidence: Literal["high", "low", "none"] = Field(
        "high", description="high: answered; low: may be relevant (可能相关), no direct answer; none: not found"
    )
    understood_as: str | None = None
    passages: list[PassageOut]


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: str = Field(..., pattern="^(up|down)$")
    answer: AskResponse
    comment: str | None = Field(None, max_length=2000)


class ErrorResponse(BaseModel):
    error: str


def _passage_html(n: int, hit: Hit, surrounding: str | None) -> str:
    m = hit.meta
    cite = " · ".join(html.escape(x) for x in (m.title, m.issuer, m.date, m.doc_no, hit.chunk.page_note()) if x)
    crumbs = " › ".join(html.escape(p) for p in hit.chunk.section_path)
    text = hit.chunk.text
    if hit.highlight:
        a, b = hit.highlight
        body = html.escape(text[:a]) + "<mark>" + html.escape(text[a:b]) + "</mark>" + html.escape(text[b:])
    else:
        body = html.escape(text)
    more = ""
    if surrounding and surrounding.strip() != text.strip():
        full = html.escape(surrounding).replace("\n", "<br>")
        more = f"<details><summary>展开本节全文</summary><div>{full}</div></details>"
    return (
        f"<div class='cite'><div><b>[{n}] {cite}</b></div><div><small>{crumbs}</small></div>"
        f"<div>{body.replace(chr(10), '<br>')}</div>{more}</div>"
    )


def render_answer_html(answer: Answer, surrounding: Callable[[Hit], str] | None = None) -> str:
    """Chat bubble: direct answer or the not-found notice, then one citation card per passage. All text escaped."""
    parts = []
    if answer.understood_as:
        parts.append(f"<p><small>理解为：{html.escape(answer.understood_as)}</small></p>")
    if answer.no_answer:
        parts.append(f"<p><b>{NOT_FOUND_ZH}</b></p>")
        if answer.passages:
            parts.append("<p>以下是最接近的段落，仅供参考：</p>")
    elif answer.answer:
        parts.append(f"<p><b>答：{html.escape(answer.answer)}</b></p>")
    for n, hit in enumerate(answer.passages, 1):
        parts.append(_passage_html(n, hit, surrounding(hit) if surrounding else None))
    if not answer.passages and not answer.no_answer:
        parts.append(f"<p>{NOT_FOUND_ZH}</p>")
    return "\n".join(parts)
