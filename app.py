"""One server for 政策问答: the chat page at /, the JSON API under /api, the widget at /widget.js and /widget-demo,
OpenAPI docs at /docs. Run with ``policyqa serve`` (or ``make run``); the model and index load once, at start-up.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib.resources import files

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response

from qa.answer import BadQuestion, PolicyQA
from qa.build import stale_reason
from qa.feedback import FeedbackStore
from qa.guard import GuardMiddleware
from qa.index import IndexUnavailable
from qa.settings import Settings
from qa.web import EXAMPLES, AskRequest, AskResponse, ErrorResponse, FeedbackRequest, render_answer_html

log = logging.getLogger("policyqa.app")
STATIC = files("qa") / "static"
NOT_READY_ZH = "服务尚未就绪，请稍后再试。"


class Service:
    """The loaded assistant and feedback store, or why the assistant could not load (shown instead of a crash)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.qa: PolicyQA | None = None
        self.error_zh: str | None = None
        self.feedback = FeedbackStore(settings.feedback_db)

    def load(self) -> None:
        try:
            self.qa = PolicyQA(self.settings)
        except IndexUnavailable as exc:
            log.error("index unavailable: %s", exc)
            self.error_zh = exc.message_zh

    def chat(self, message: str, messages: list, questions: list, answers: list, k: int):
        """One chat turn: append the question and the rendered answer; remember the question for follow-ups."""
        messages = [*messages, {"role": "user", "content": message}]
        if self.qa is None:
            reply, answer = self.error_zh or NOT_READY_ZH, None
        else:
            try:
                answer = self.qa.ask(message, k=int(k), history=questions)
                reply = render_answer_html(answer, self.qa.surrounding)
            except BadQuestion as exc:
                reply, answer = str(exc), None
        messages.append({"role": "assistant", "content": reply})
        if answer is not None:
            questions = [*questions, answer.question]
        answers = [*answers, answer.to_dict() if answer else None]
        return messages, questions, answers

    def rate(self, answers: list, index: int, liked: bool) -> str:
        """Store 👍/👎 for the answer at chat position ``index`` (user and assistant messages alternate)."""
        turn = index // 2 if isinstance(index, int) else index[0] // 2
        if not 0 <= turn < len(answers) or answers[turn] is None:
            return ""
        self.feedback.record("up" if liked else "down", answers[turn])
        return "谢谢反馈！" if liked else "已记录，我们会改进这个回答。"


def chat_page(service: Service) -> gr.Blocks:
    with gr.Blocks(title="政策问答") as page:
        gr.Markdown("# 政策问答\n用日常的话提问，回答附文件出处：标题、发文单位、日期、章节，答案句已标出。")
        chatbot = gr.Chatbot(label="对话", height=560, elem_id="chat")
        questions, answers = gr.State([]), gr.State([])
        with gr.Row():
            box = gr.Textbox(
                placeholder="例如：老年人科学素质提升行动谁牵头？",
                show_label=False,
                scale=8,
                elem_id="question",
                max_length=500,
            )
            send = gr.Button("提问", variant="primary", scale=1)
        with gr.Row():
            k = gr.Slider(1, 10, value=service.settings.top_k, step=1, label="显示段落数")
            new = gr.Button("新对话")
        status = gr.Markdown()
        gr.Examples(EXAMPLES, inputs=box, label="示例问题")

        def turn(message, messages, qs, ans, k_value):
            if not (message or "").strip():
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            m, q, a = service.chat(message, messages or [], qs or [], ans or [], k_value)
            return m, q, a, ""

        for trigger in (box.submit, send.click):
            trigger(turn, [box, chatbot, questions, answers, k], [chatbot, questions, answers, box])
        new.click(lambda: ([], [], [], ""), None, [chatbot, questions, answers, status])

        def like(ans, data: gr.LikeData):
            return service.rate(ans or [], data.index, bool(data.liked))

        chatbot.like(like, [answers], [status])
    return page


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or Settings()
    service = service or Service(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if service.qa is None and service.error_zh is None:
            await run_in_threadpool(service.load)
        yield

    api = FastAPI(title="政策问答 API", lifespan=lifespan)
    api.state.service = service
    api.add_middleware(
        GuardMiddleware,
        per_minute=settings.rate_limit_per_minute,
        burst=settings.rate_limit_burst,
        max_body=settings.max_body_bytes,
        limited_paths=("/api/ask", "/api/feedback"),
    )
    if settings.cors_origins:
        api.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            allow_credentials=False,
        )
    errors = {400: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}

    @api.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError):
        """422 with where and what, never the input echoed back (it may be huge, or not even encodable)."""
        detail = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        return JSONResponse({"error": "请求格式不正确。", "detail": detail}, status_code=422)

    @api.post("/api/ask", response_model=AskResponse, responses=errors)
    async def ask(req: AskRequest):
        """Answer a question with cited passages (the JSON of `policyqa ask --json`)."""
        if service.qa is None:
            return JSONResponse({"error": service.error_zh or NOT_READY_ZH}, status_code=503)
        try:
            answer = await run_in_threadpool(service.qa.ask, req.question, req.k, req.history)
        except BadQuestion as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return answer.to_dict()

    @api.get("/api/health")
    async def health():
        """Index size, model and build time; 503 while the index is missing or damaged."""
        if service.qa is None:
            return JSONResponse({"status": "unavailable", "error": service.error_zh}, status_code=503)
        m = service.qa.index.manifest
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

    @api.get("/widget.js", include_in_schema=False)
    async def widget_js():
        return Response(
            (STATIC / "widget.js").read_text(encoding="utf-8"),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @api.get("/widget-demo", include_in_schema=False, response_class=HTMLResponse)
    async def widget_demo():
        return HTMLResponse((STATIC / "widget-demo.html").read_text(encoding="utf-8"))

    return gr.mount_gradio_app(api, chat_page(service), path="/", footer_links=["api"])
