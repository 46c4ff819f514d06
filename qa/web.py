"""The JSON API's request and response models (what /docs shows), kept apart from the routes so they test alone."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Reason = Literal["答案不对", "出处不对", "文件里有但没找到", "其他"]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="用户的问题（过长的问题得到 400 问题太长）")
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
    page: int | None = Field(None, description="page of the source file, where it has pages")
    scanned: bool = Field(False, description="the text was read from a scanned page by OCR (扫描件识别)")


class AskResponse(BaseModel):
    question: str
    answer: str | None
    no_answer: bool
    confidence: Literal["high", "low", "none"] = Field(
        "high", description="high: answered; low: may be relevant (可能相关), no direct answer; none: not found"
    )
    understood_as: str | None = None
    passages: list[PassageOut]
    reply_id: str | None = Field(None, description="send it back with feedback on this reply")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: Literal["up", "down"]
    reply_id: str | None = Field(None, pattern="^[0-9a-f]{16}$", description="the reply_id of an /api/ask response")
    answer: AskResponse | None = Field(None, description="the whole reply, for clients without reply ids")
    reasons: list[Reason] = Field(default_factory=list, max_length=4)
    comment: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def names_a_reply(self) -> FeedbackRequest:
        if self.reply_id is None and self.answer is None:
            raise ValueError("reply_id or answer is required")
        return self


