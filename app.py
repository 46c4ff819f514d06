"""One server for 政策问答: the chat page at /, the JSON API under /api, the widget at /widget.js and /widget-demo,
OpenAPI docs at /docs. Run with ``policyqa serve`` (or ``make run``); the model and index load once, at start-up.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import gradio as gr
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response

from qa.admin import Jobs, bearer, stored_name, token_matches, upload_problem
from qa.answer import BadQuestion, PolicyQA
from qa.build import stale_reason
from qa.feedback import FeedbackStore
from qa.guard import BodyLimitMiddleware, GuardMiddleware
from qa.index import IndexUnavailable, current_path, load_index
from qa.settings import Settings
from qa.store import Stores
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
        self._reloading = threading.Lock()
        self._failed_version: Path | None = None  # a version that would not load is not retried on every request

    def load(self) -> None:
        try:
            self.qa = PolicyQA(self.settings)
            self.error_zh = None
        except IndexUnavailable as exc:
            log.error("index unavailable: %s", exc)
            self.error_zh = exc.message_zh
            self._failed_version = current_path(self.settings.index_dir)

    def assistant(self, *, wait: bool = False) -> PolicyQA | None:
        """The assistant over the newest index version. A build (CLI, upload) switches index/CURRENT; the first
        request after it loads the new version while other requests keep answering from the old one (held whole in
        memory, so the build pruning its files does not disturb it). A version that fails to load is logged and the
        old one kept. ``wait`` (for index jobs) waits for a reload another thread has begun, so that the new version
        is in use on return."""
        version = current_path(self.settings.index_dir)
        loaded = self.qa.index.path if self.qa else None
        if version is None or version == loaded or version == self._failed_version:
            return self.qa
        if not self._reloading.acquire(blocking=wait):
            return self.qa  # another request is already loading it
        try:
            if self.qa is not None and self.qa.index.path == current_path(self.settings.index_dir):
                return self.qa  # loaded while this thread waited
            fresh = PolicyQA(self.settings)
            self.qa, self.error_zh = fresh, None
            log.info("switched to index %s", fresh.index.path.name)
        except (IndexUnavailable, OSError) as exc:
            log.error("new index %s not loaded, keeping the previous one: %s", version, exc)
            self._failed_version = version
        finally:
            self._reloading.release()
        return self.qa

    def chat(self, message: str, messages: list, questions: list, answers: list, k: int):
        """One chat turn: append the question and the rendered answer; remember the question for follow-ups."""
        messages = [*messages, {"role": "user", "content": message}]
        qa = self.assistant()
        if qa is None:
            reply, answer = self.error_zh or NOT_READY_ZH, None
        else:
            try:
                answer = qa.ask(message, k=int(k), history=questions)
                reply = render_answer_html(answer, qa.surrounding)
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
        limited_paths=("/api/ask", "/api/feedback", "/api/documents", "/api/jobs"),
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
            "index_version": qa.index.path.name,  # `policyqa ask` uses this server only when it names the same
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

    add_admin_routes(api, service)
    app = gr.mount_gradio_app(api, chat_page(service), path="/", footer_links=["api"])
    api.add_middleware(  # outermost: counts the bytes that really arrive, before anything parses them
        BodyLimitMiddleware,
        max_body=settings.max_body_bytes,
        path_limits={"/api/documents": settings.max_upload_bytes + 64 * 1024},  # + multipart framing
    )
    return app


def add_admin_routes(api: FastAPI, service: Service) -> None:
    """/admin and /api/documents, /api/jobs: only when a token is configured, and only with it."""
    settings = service.settings
    configured = settings.admin_token.get_secret_value() if settings.admin_token else None
    api.state.admin_token = configured
    api.state.jobs = jobs = Jobs(settings, on_change=lambda: service.assistant(wait=True)) if configured else None

    @api.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @api.get("/admin", include_in_schema=False, response_class=HTMLResponse)
    async def admin_page():
        if jobs is None:
            raise HTTPException(404, "Not Found")
        return HTMLResponse((STATIC / "admin.html").read_text(encoding="utf-8"))

    @api.get("/api/documents")
    async def documents(_: Admin):
        """Indexed documents with metadata, chunk counts and when each was added; files the last build skipped."""
        try:
            index = await run_in_threadpool(load_index, settings.index_dir, Stores(settings))
        except IndexUnavailable as exc:
            return {"documents": [], "skipped": [], "error": exc.message_zh}
        counts: dict[str, int] = {}
        for c in index.chunks:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        docs = [
            {
                "doc_id": d,
                **r.meta.__dict__,
                "chunks": counts.get(d, 0),
                "added_at": r.added_at,
                "updated_at": r.updated_at,
            }
            for d, r in index.records.items()
        ]
        return {"documents": docs, "skipped": index.manifest.skipped, "built_at": index.manifest.built_at}

    @api.post("/api/documents", status_code=202)
    async def upload(request: Request, jobs: Admin):
        """Upload files (multipart field `files`); each is checked, stored under a generated name and indexed in a
        job. Answers at once with the job; poll /api/jobs/{id} for progress and per-file results."""
        form = await request.form(max_files=settings.max_upload_files, max_fields=5)
        uploads = [f for f in form.getlist("files") if hasattr(f, "read")]
        if not uploads:
            raise HTTPException(400, "没有收到文件（表单字段名应为 files）。")
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=_staging_root(settings)))
        early, staged = [], []
        for pos, up in enumerate(uploads):
            data = await up.read(settings.max_upload_bytes + 1)
            name = up.filename or ""
            problem = upload_problem(name, len(data), settings.max_upload_bytes)
            early.append({"file": name[-200:], "ok": None if problem is None else False, "error": problem})
            if problem is None:
                folder = staging / str(pos)
                folder.mkdir()
                target = stored_name(data, name)
                (folder / target).write_bytes(data)
                staged.append((pos, folder / target, target))
        if not staged:
            shutil.rmtree(staging, ignore_errors=True)
            return JSONResponse({"error": "没有可以处理的文件。", "files": early}, status_code=400)
        job = jobs.upload(staging, staged, early)
        return job.to_dict()

    @api.delete("/api/documents/{doc_id}", status_code=202)
    async def delete(doc_id: str, jobs: Admin):
        """Remove a document (its file name as listed) from the corpus and the index, in a job."""
        return jobs.remove([doc_id]).to_dict()

    @api.get("/api/jobs/{job_id}")
    async def job_status(job_id: str, jobs: Admin):
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, "没有这个任务。")
        return job.to_dict()


def admin_jobs(request: Request) -> Jobs:
    """The dependency of every admin route: 404 while admin is off, 401 without the right token."""
    jobs, configured = request.app.state.jobs, request.app.state.admin_token
    if jobs is None:
        raise HTTPException(404, "Not Found")
    if not token_matches(configured, bearer(request.headers.get("authorization"))):
        raise HTTPException(401, "管理口令不正确。", headers={"WWW-Authenticate": "Bearer"})
    return jobs


Admin = Annotated[Jobs, Depends(admin_jobs)]


def _staging_root(settings: Settings) -> Path:
    """Uploads wait beside the corpus (same file system, so placing them is a rename), in a hidden folder."""
    root = settings.corpus_dir / ".incoming"
    root.mkdir(parents=True, exist_ok=True)
    return root
