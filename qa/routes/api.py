"""The public JSON API: POST /api/ask, GET /api/health, POST /api/feedback."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ..answer import BadQuestion
from ..build import stale_reason
from ..service import NOT_READY_ZH, Service
from ..web import AskRequest, AskResponse, ErrorResponse, FeedbackRequest


def router(service: Service) -> APIRouter:
    api = APIRouter()
    errors = {400: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}

    @api.post("/api/ask", response_model=AskResponse, responses=errors)
    async def ask(req: AskRequest):
        """Answer a question with cited passages (the JSON of `policyqa ask --json`)."""
        qa = await run_in_threadpool(service.assistant)
        if qa is None:
            return JSONResponse({"error": service.error_zh or NOT_READY_ZH}, status_code=503)
        try:
            answer = await run_in_threadpool(qa.ask, req.question, req.k, req.history)
        except BadQuestion as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return answer.to_dict()

    @api.get("/api/health")
    async def health():
        """Index size, model and build time; 503 while the index is missing or damaged."""
        qa = await run_in_threadpool(service.assistant)
        if qa is None:
            return JSONResponse({"status": "unavailable", "error": service.error_zh}, status_code=503)
        m = qa.index.manifest
        stale = await run_in_threadpool(stale_reason, service.settings)
        return {
            "status": "ok",
            "documents": m.documents,
            "chunks": m.chunks,
            "model": m.model,
            "built_at": m.built_at,
            "stale": stale,
            "hint": "run `policyqa build` and restart" if stale else None,
        }

    @api.post("/api/feedback", status_code=201)
    async def feedback(req: FeedbackRequest):
        """Store 👍 / 👎 on an answer; `policyqa feedback` exports them as JSONL."""
        fid = await run_in_threadpool(service.feedback.record, req.rating, req.answer.model_dump(), req.comment)
        return {"id": fid}

    return api
