"""What keeps the public API well-behaved: body-size limits, security headers, and errors that never show a stack
trace (rate limits: qa/limits.py)."""

from __future__ import annotations

import logging
import os
import uuid

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request

from .errors import error_response

log = logging.getLogger("policyqa.guard")

_WORKER_IDS: dict[int, str] = {}


def worker_id() -> str:
    """Which server process answered (ops, tests): random, so it reveals nothing; made per process, since workers
    forked from a preloaded master inherit its memory."""
    return _WORKER_IDS.setdefault(os.getpid(), uuid.uuid4().hex[:8])


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413: by the declared Content-Length at once, and by counting what actually
    arrives (a chunked upload declares nothing). Paths may have their own limit (uploads are larger than questions)."""

    def __init__(self, app, *, max_body: int, path_limits: dict[str, int] | None = None):
        self.app, self.max_body, self.path_limits = app, max_body, path_limits or {}

    def limit_for(self, path: str) -> int:
        return next((n for prefix, n in self.path_limits.items() if path.startswith(prefix)), self.max_body)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _too_large(scope, receive, send)
        seen, started, exceeded = 0, False, False

        async def counted():
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                exceeded = True
                raise BodyTooLarge
            return message

        async def tracked_send(message):
            nonlocal started
            if exceeded and not started:
                return  # whatever the app makes of the interrupted body (FastAPI: a 400), the answer is 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(scope, receive, send)
        return None


def _too_large_inside(exc: BaseException) -> bool:
    """BodyTooLarge, also when anyio's task groups wrapped it in an ExceptionGroup on its way out."""
    if isinstance(exc, BaseExceptionGroup):
        return exc.subgroup(BodyTooLarge) is not None
    return isinstance(exc, BodyTooLarge)


async def _too_large(scope, receive, send):
    await error_response(413)(scope, receive, send)


class GuardMiddleware(BaseHTTPMiddleware):
    """Security headers on every response, the worker's id, and a JSON 500 (trace in the log only)."""

    async def dispatch(self, request: Request, call_next):
        try:
            response = await call_next(request)
        except Exception as exc:  # the trace goes to the log, never to the client
            if _too_large_inside(exc):
                response = error_response(413)
            else:
                log.exception("unhandled error on %s %s", request.method, request.url.path)
                response = error_response(500)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        response.headers["X-Worker"] = worker_id()
        return response
