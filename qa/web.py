"""JSON API models and the chat-page rendering, kept apart from app.py so they can be tested without a server."""

from __future__ import annotations

import html

from pydantic import BaseModel, ConfigDict, Field

from .schema import Answer

NOT_FOUND_ZH = "文件中没有找到相关内容。"


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="用户的问题", max_length=2000)
    k: int | None = Field(None, ge=1, le=20)
    history: list[str] | None = Field(None, max_length=20)


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
    passages: list[PassageOut]


class ErrorResponse(BaseModel):
    error: str
    detail: str | None = None


def render_answer_html(answer: Answer) -> str:
    """Chat bubble: direct answer, then one citation card per passage. Every text is escaped, never trusted."""
    parts = []
    if answer.no_answer:
        parts.append(f"<p><b>{NOT_FOUND_ZH}</b></p>")
        if answer.passages:
            parts.append("<p>以下是最接近的段落，仅供参考：</p>")
    elif answer.answer:
        parts.append(f"<p><b>{html.escape(answer.answer)}</b></p>")
    for n, hit in enumerate(answer.passages, 1):
        m = hit.meta
        cite = " · ".join(html.escape(x) for x in (m.title, m.issuer, m.date, m.doc_no) if x)
        crumbs = " › ".join(html.escape(p) for p in hit.chunk.section_path)
        text = hit.chunk.text
        if hit.highlight:
            a, b = hit.highlight
            body = html.escape(text[:a]) + "<mark>" + html.escape(text[a:b]) + "</mark>" + html.escape(text[b:])
        else:
            body = html.escape(text)
        parts.append(
            f"<div class='cite'><div><b>[{n}] {cite}</b></div><div><small>{crumbs}</small></div>"
            f"<div>{body.replace(chr(10), '<br>')}</div></div>"
        )
    if not answer.passages and not answer.no_answer:
        parts.append(f"<p>{NOT_FOUND_ZH}</p>")
    return "\n".join(parts)
