"""The public JSON API: POST /api/ask, GET /api/examples, GET /api/health, POST /api/feedback."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks
from fastapi.concurrency import run_in_threadpool

from .. import contract
from ..answer import BadQuestion
from ..build import stale_reason
from ..errors import ApiError, responses
from ..examples import example_questions
from ..feedback import UnknownReply
from ..service import NOT_READY_ZH, Service
from ..web import AskRequest, AskResponse, FeedbackRequest


def router(service: Service) -> APIRouter:
    api = APIRouter()
    public = responses(413, 422, 429, 500)
    examples_of: dict = {}  # index version → its example questions

    @api.post("/api/ask", response_model=AskResponse, responses={**public, **responses(400, 503)})
    async def ask(req: AskRequest, background: BackgroundTasks):
        """Answer a question with cited passages (the JSON of `policyqa ask --json`) and the reply's id."""
        contract.check_question(req.question, service.settings.max_question_chars)
        qa = await run_in_threadpool(service.assistant)
        if qa is None:
            raise ApiError(503, "unavailable", service.error_zh or NOT_READY_ZH)
        try:
            answer = await run_in_threadpool(qa.ask, req.question, req.k, req.history)
        except BadQuestion as exc:
            raise ApiError(400, "bad_question", str(exc)) from exc
        body = answer.to_dict()
        body["reply_id"] = rid = service.feedback.new_reply_id()
        background.add_task(service.feedback.log_reply, dict(body), rid)  # after the answer is sent: no latency
        return body

    @api.get("/api/examples", responses=responses(429, 500))
    async def examples():
        """Example questions for a first view, drawn from the indexed documents (or the settings)."""
        qa = await run_in_threadpool(service.assistant)
        if qa is None:
            return {"questions": list(service.settings.example_questions)}
        key = qa.index.path
        if key not in examples_of:
            examples_of.clear()
            examples_of[key] = example_questions(qa.index, service.settings.example_questions)
        return {"questions": examples_of[key]}

    @api.get("/api/health", responses=responses(429, 500, 503))
    async def health():
        """Index size, model and build time; 503 while the index is missing or damaged."""
        qa = await run_in_threadpool(service.assistant)
        if qa is None:
            raise ApiError(503, "unavailable", service.error_zh or NOT_READY_ZH)
        m = qa.index.manifest
        stale = await run_in_threadpool(stale_reason, service.settings)
        return {
            "status": "ok",
            "documents": m.documents,
            "chunks": m.chunks,
            "model": m.model,
            "built_at": m.built_at,
            "index_version": qa.index.path.name,  # `policyqa ask` uses this server only when it names the same
            "stale": stale,
            "hint": "run `policyqa build` and restart" if stale else None,
        }

    @api.post("/api/feedback", status_code=201, responses={**public, **responses(404)})
    async def feedback(req: FeedbackRequest):
        """Store 👍 / 👎 on a reply, named by its `reply_id` (or given whole), with optional reasons and comment."""
        answer = req.answer.model_dump(exclude={"reply_id"}) if req.answer and not req.reply_id else None
        try:
            fid = await run_in_threadpool(
                lambda: service.feedback.record(
                    req.rating, answer, req.comment, reply_id=req.reply_id, reasons=list(req.reasons)
                )
            )
        except UnknownReply:
            raise ApiError(404, "no_such_reply", "找不到这条回答，可能已过期，请重新提问后再反馈。") from None
        return {"id": fid}

    return api
