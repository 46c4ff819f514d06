"""One server for 政策问答: it only assembles the app. The routes live in qa/routes/ by audience — ``api`` (/api/ask,
/api/health, /api/feedback), ``admin`` (/admin, /api/documents, /api/jobs, /api/versions), ``pages`` (the chat page
at /, the source viewer /doc/{file}, /widget.js, /widget-demo) — and the loaded assistant with index switching in
qa/service.py. The error shape, rate limits, CORS and what OpenAPI says beyond the routes are qa/contract.py.
OpenAPI docs at /docs. Run with ``policyqa serve`` (or ``make run``); the model and index load once, at start-up.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from qa import contract
from qa.guard import BodyLimitMiddleware, GuardMiddleware
from qa.routes import admin, api, pages
from qa.service import Service
from qa.settings import Settings

__all__ = ["Service", "create_app"]


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or Settings()
    service = service or Service(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if service.qa is None and service.error_zh is None:
            await run_in_threadpool(service.load)
        yield

    app = FastAPI(title="政策问答 API", lifespan=lifespan)
    app.state.service = service
    app.add_middleware(GuardMiddleware)
    app.include_router(api.router(service))
    admin.enable(app, service)
    app.include_router(admin.router(service))
    app.include_router(pages.router(service))
    app = pages.mount_chat(app)
    app.add_middleware(  # counts the bytes that really arrive, before anything parses them
        BodyLimitMiddleware,
        max_body=settings.max_body_bytes,
        path_limits={"/api/documents": settings.max_upload_bytes + 64 * 1024},  # + multipart framing
    )
    contract.protect(app, settings)  # error shape, OpenAPI, rate limits and CORS in front of everything
    return app
