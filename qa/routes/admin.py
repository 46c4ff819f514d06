"""Administration: the /admin page, /api/documents, /api/versions and /api/jobs (documents), /api/admin/feedback and
/api/admin/uncovered (what staff said, what the documents do not cover) — only when a token is configured, and only
with it (404 while admin is off, 401 without the right token)."""

from __future__ import annotations

import filecmp
import json
from importlib.resources import files
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import contract
from ..admin import bearer, stored_name, token_matches, upload_problem
from ..errors import ApiError, error_response, responses
from ..index import IndexUnavailable, load_index
from ..jobs import ArchivedVersion, Jobs, Transactions, archived_versions
from ..service import Service
from ..sources import original_names, remember_original_name
from ..store import Stores

STATIC = files("qa") / "static"

# how many rows a list returns: SQLite takes no integer past 2^63, and no one reads more than this on a page
ListLimit = Annotated[int, Query(ge=1, le=10_000)]


def admin_jobs(request: Request, _: contract.AdminToken) -> Jobs:
    """The dependency of every admin route: 404 while admin is off, 401 without the right token."""
    jobs, configured = request.app.state.jobs, request.app.state.admin_token
    if jobs is None:
        raise HTTPException(404, "Not Found")
    if not token_matches(configured, bearer(request.headers.get("authorization"))):
        raise HTTPException(401, "管理口令不正确。", headers={"WWW-Authenticate": "Bearer"})
    return jobs


Admin = Annotated[Jobs, Depends(admin_jobs)]


def enable(app: FastAPI, service: Service) -> None:
    """Keep the token and the job runner on the app (None while admin is off) for ``admin_jobs``; settle the jobs a
    crash interrupted (here or in the CLI) before serving."""
    settings = service.settings
    configured = settings.admin_token.get_secret_value() if settings.admin_token else None
    app.state.admin_token = configured
    app.state.jobs = Jobs(settings, on_change=lambda: service.assistant(wait=True)) if configured else None
    if settings.corpus_dir.is_dir():
        Transactions(settings).recover(at_start=True)


def router(service: Service) -> APIRouter:
    settings = service.settings
    admin = APIRouter()
    guarded = responses(401, 404, 429, 500)

    @admin.get("/admin", include_in_schema=False, response_class=HTMLResponse)
    async def admin_page(request: Request):
        if request.app.state.jobs is None:
            raise HTTPException(404, "Not Found")
        return HTMLResponse((STATIC / "admin.html").read_text(encoding="utf-8"))

    @admin.get("/api/documents", responses=guarded)
    async def documents(_: Admin):
        """Indexed documents with metadata, chunk counts and when each was added; files the last build skipped."""
        try:
            index = await run_in_threadpool(load_index, settings.index_dir, Stores(settings))
        except IndexUnavailable as exc:
            return {"documents": [], "skipped": [], "error": exc.message_zh}
        counts: dict[str, int] = {}
        for c in index.chunks:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        names = original_names(settings.corpus_dir)
        docs = [
            {
                "doc_id": d,
                **r.meta.__dict__,
                "original_name": names.get(d, r.meta.file or d),
                "chunks": counts.get(d, 0),
                "added_at": r.added_at,
                "updated_at": r.updated_at,
            }
            for d, r in index.records.items()
        ]
        return {"documents": docs, "skipped": index.manifest.skipped, "built_at": index.manifest.built_at}

    @admin.post(
        "/api/documents",
        status_code=202,
        responses={**guarded, **responses(400, 413)},
        openapi_extra=contract.UPLOAD_BODY,
    )
    async def upload(request: Request, jobs: Admin):
        """Upload files (multipart field `files`); each is checked, stored under a generated name and indexed in a
        job. Answers at once with the job; poll /api/jobs/{id} for progress and per-file results."""
        try:
            form = await request.form(max_files=settings.max_upload_files, max_fields=5)
        except StarletteHTTPException as exc:  # Starlette's multipart parser: too many files or fields, a broken body
            too_many = "Too many" in str(exc.detail)
            message = f"一次最多上传 {settings.max_upload_files} 个文件。" if too_many else "上传内容的格式不正确。"
            raise ApiError(400, "too_many_files" if too_many else "bad_multipart", message) from exc
        uploads = [f for f in form.getlist("files") if hasattr(f, "read")]
        if not uploads:
            raise ApiError(400, "no_files", "没有收到文件（表单字段名应为 files）。")
        job, staging = jobs.begin_upload([])  # recorded first: a crash while files arrive is rolled back
        staged = {}
        for up in uploads:
            data = await up.read(settings.max_upload_bytes + 1)
            name = up.filename or ""
            problem = upload_problem(name, len(data), settings.max_upload_bytes)
            target = stored_name(data, name) if problem is None else None
            job.files.append({"file": name[-200:], "ok": None if problem is None else False, "error": problem})
            if target is not None:
                job.files[-1]["stored"] = target  # the same content twice is one document
                if target not in staged:
                    (staging / target).write_bytes(data)
                    staged[target] = staging / target
                    remember_original_name(settings.corpus_dir, target, name)
        if not staged:
            jobs.discard(job, "没有可以处理的文件。")
            return error_response(400, "nothing_to_process", "没有可以处理的文件。", files=job.files)
        return jobs.upload(job, staged).to_dict()

    @admin.delete("/api/documents/{doc_id}", status_code=202, responses=guarded)
    async def delete(doc_id: str, jobs: Admin):
        """Remove a document (its file name as listed) from the corpus and the index, in a job."""
        return jobs.remove([doc_id]).to_dict()

    @admin.get("/api/versions", responses=guarded)
    async def versions(_: Admin):
        """Earlier versions of documents (replaced or removed), oldest first, which can be restored; each with the
        name it was uploaded under (``original_name``) so that the admin page shows what staff recognise."""
        kept = await run_in_threadpool(archived_versions, settings)
        names = original_names(settings.corpus_dir)
        current = await run_in_threadpool(lambda: {v.id for v in kept if _is_current(settings.corpus_dir, v)})
        return {
            "versions": [
                {**v.to_dict(), "original_name": names.get(v.name, v.name), "current": v.id in current} for v in kept
            ]
        }

    @admin.post("/api/versions/{version_id}/restore", status_code=202, responses=guarded)
    async def restore_version(version_id: str, jobs: Admin):
        """Bring a version back (the one that replaced it is kept as a version in turn), in a job."""
        job = await run_in_threadpool(jobs.restore, version_id)
        if job is None:
            raise ApiError(404, "no_such_version", "没有这个版本。")
        return job.to_dict()

    @admin.get("/api/jobs/{job_id}", responses=guarded)
    async def job_status(job_id: str, jobs: Admin):
        job = await run_in_threadpool(jobs.get, job_id)
        if job is None:
            raise ApiError(404, "no_such_job", "没有这个任务。")
        return job.to_dict()

    @admin.get("/api/admin/feedback", responses=guarded)
    async def feedback_list(_: Admin, format: str = "json", limit: ListLimit = 500):
        """👍/👎 with reasons and comments, newest first; ``format=jsonl`` downloads all of it."""
        if format == "jsonl":
            rows = await run_in_threadpool(lambda: list(service.feedback.rows(newest_first=True)))
            return _jsonl(rows, "feedback.jsonl")
        rows = await run_in_threadpool(lambda: list(service.feedback.rows(newest_first=True, limit=limit)))
        for r in rows:
            r.pop("passages", None)  # the list shows the question, answer, reasons and comment
        return {"feedback": rows}

    @admin.get("/api/admin/uncovered", responses=guarded)
    async def uncovered(_: Admin, format: str = "json", limit: ListLimit = 500):
        """Questions answered 没有找到 (none) or 可能相关 (low), newest first; ``format=jsonl`` downloads all."""
        if format == "jsonl":
            return _jsonl(await run_in_threadpool(lambda: list(service.feedback.uncovered())), "uncovered.jsonl")
        rows = await run_in_threadpool(lambda: list(service.feedback.uncovered(limit)))
        return {"questions": rows}

    return admin


def _is_current(corpus: Path, version: ArchivedVersion) -> bool:
    """Whether the corpus holds this very version again (it was restored: a restore copies, the archive stays), so
    that the page shows it as the current version instead of offering to restore what is already there."""
    archived, live = corpus / ".versions" / version.id / version.name, corpus / version.name
    try:
        return live.stat().st_size == archived.stat().st_size and filecmp.cmp(live, archived, shallow=False)
    except OSError:
        return False


def _jsonl(rows: list[dict], name: str) -> Response:
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return Response(
        body, media_type="application/x-ndjson", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
