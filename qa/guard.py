"""What keeps the public API well-behaved: per-client rate limits, body-size limits, security headers, and errors
that never show a stack trace."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
import uuid

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse

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


class TokenBucket:
    """``rate`` requests per minute per key, with bursts up to ``burst``; thread-safe."""

    def __init__(self, per_minute: int, burst: int):
        self.rate, self.burst = per_minute / 60.0, max(1, burst)
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._state.get(key, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                if len(self._state) > 10_000:  # forget idle clients
                    self._state = {k: v for k, v in self._state.items() if now - v[1] < 600}
                return 0.0
            self._state[key] = (tokens, now)
            return (1 - tokens) / self.rate


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
        seen, started = 0, False

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
            return message

        async def tracked_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked_send)
        except BodyTooLarge:
            if not started:
                await _too_large(scope, receive, send)


def _too_large_inside(exc: BaseException) -> bool:
    """BodyTooLarge, also when anyio's task groups wrapped it in an ExceptionGroup on its way out."""
    if isinstance(exc, BaseExceptionGroup):
        return exc.subgroup(BodyTooLarge) is not None
    return isinstance(exc, BodyTooLarge)


async def _too_large(scope, receive, send):
    await JSONResponse({"error": "请求内容过大。"}, status_code=413)(scope, receive, send)


class GuardMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, *, per_minute: int, burst: int, limited_paths: tuple[str, ...]):
        super().__init__(app)
        self.bucket = TokenBucket(per_minute, burst) if per_minute > 0 else None
        self.limited = limited_paths

    async def dispatch(self, request: Request, call_next):
        if self.bucket is not None and request.url.path.startswith(self.limited):
            client = request.client.host if request.client else "unknown"
            wait = self.bucket.take(client)
            if wait > 0:
                return JSONResponse(
                    {"error": "请求太频繁，请稍后再试。"},
                    status_code=429,
                    headers={"Retry-After": str(math.ceil(wait))},
                )
        try:
            response = await call_next(request)
        except Exception as exc:  # the trace goes to the log, never to the client
            if _too_large_inside(exc):
                response = JSONResponse({"error": "请求内容过大。"}, status_code=413)
            else:
                log.exception("unhandled error on %s %s", request.method, request.url.path)
                response = JSONResponse({"error": "服务器内部错误，请稍后再试。"}, status_code=500)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        response.headers["X-Worker"] = worker_id()
        return response
