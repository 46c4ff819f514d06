"""One server for 政策问答: the chat page at /, the JSON API under /api, OpenAPI docs at /docs.

Run with ``policyqa serve`` (or ``make run``). The model and index are loaded once, at start-up.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from qa.answer import BadQuestion, PolicyQA
from qa.index import IndexUnavailable
from qa.settings import Settings
from qa.web import AskRequest, AskResponse, ErrorResponse, render_answer_html

log = logging.getLogger("policyqa.app")

EXAMPLES = [
    "老年人科学素质提升行动由哪个单位牵头？",
    "湖南流动科技馆要巡展几站？",
    "广东省今年科普教育基地要达到多少家？",
]


class Service:
    """Holds the loaded assistant, or the reason it could not be loaded (shown to users instead of a crash)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.qa: PolicyQA | None = None
        self.error_zh: str | None = None

    def load(self) -> None:
        try:
            self.qa = PolicyQA(self.settings)
        except IndexUnavailable as exc:
            log.error("index unavailable: %s", exc)
            self.error_zh = exc.message_zh


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or Settings()
    service = service or Service(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if service.qa is None and service.error_zh is None:
            await run_in_threadpool(service.load)
        yield

    api = FastAPI(title="政策问答 API", lifespan=lifespan)

    errors = {400: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}

    @api.post("/api/ask", response_model=AskResponse, responses=errors)
    async def ask(req: AskRequest):
        if service.qa is None:
            return JSONResponse({"error": service.error_zh or "服务尚未就绪"}, status_code=503)
        try:
            answer = await run_in_threadpool(service.qa.ask, req.question, req.k, req.history)
        except BadQuestion as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return answer.to_dict()

    @api.get("/api/health")
    async def health():
        if service.qa is None:
            return JSONResponse({"status": "unavailable", "error": service.error_zh}, status_code=503)
        m = service.qa.index.manifest
        return {"status": "ok", "documents": m.documents, "chunks": m.chunks, "model": m.model, "built_at": m.built_at}

    def chat(message: str, history: list) -> str:
        if service.qa is None:
            return service.error_zh or "服务尚未就绪"
        try:
            return render_answer_html(service.qa.ask(message))
        except BadQuestion as exc:
            return str(exc)

    page = gr.ChatInterface(
        chat, title="政策问答", description="用日常的话提问，答案附原文出处。", examples=EXAMPLES, flagging_mode="never"
    )
    return gr.mount_gradio_app(api, page, path="/", footer_links=["api"])
