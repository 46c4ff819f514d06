"""The public contract of the web app, assembled in one place so app.py only assembles: the error shape for
every error (qa/errors.py), the rate limiter in front of every route that does work (qa/limits.py), CORS exactly
the configured allow-list, and what OpenAPI must say that the routes cannot say themselves (the admin security
scheme, the multipart upload body).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse

from . import errors
from .admin import bearer, token_matches
from .errors import ApiError
from .limits import Budget, Rate, RateLimitMiddleware
from .settings import Settings

# documents the admin routes' Bearer token in OpenAPI; the check itself is qa.routes.admin.admin_jobs (constant
# time, 404 when admin is off), so this never refuses anything by itself
AdminToken = Annotated[
    HTTPAuthorizationCredentials | None,
    Depends(HTTPBearer(auto_error=False, scheme_name="adminToken", description="POLICYQA_ADMIN_TOKEN")),
]

# the upload route reads its form itself (to count files and bytes as they arrive); this is what it reads
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                }
            }
        },
    }
}


def check_question(question: str, limit: int) -> None:
    """400 "问题太长" for an over-long question, before anything else is done with it (the body limit, not this,
    stops questions too large to be worth reading)."""
    n = len(question.strip())
    if n > limit:
        raise ApiError(400, "question_too_long", f"问题太长（{n} 字），请精简到 {limit} 字以内。")


def rates(settings: Settings) -> dict[Budget, Rate]:
    """The budgets; a question rate of 0 switches every limit off (tests and load runs from one address)."""
    if settings.rate_limit_per_minute <= 0:
        return {}
    return {
        Budget.ASK: Rate(settings.rate_limit_per_minute, settings.rate_limit_burst),
        Budget.FEEDBACK: Rate(settings.feedback_per_minute, settings.feedback_burst),
        Budget.ADMIN: Rate(settings.admin_per_minute, max(1, settings.admin_per_minute // 4)),
        Budget.ADMIN_ATTEMPT: Rate(settings.admin_attempts_per_minute, 10),
        Budget.OTHER: Rate(settings.other_per_minute, max(1, settings.other_per_minute // 2)),
    }


class ExactCORSMiddleware:
    """CORS for the listed origins and nobody else. Every preflight is answered here, so nothing behind (Gradio's
    own CORS middleware echoes any localhost origin, with credentials) can allow more; any Access-Control-* header
    an inner app adds is dropped. Listed origins may read answers and send JSON (no credentials, no Authorization:
    the admin API is same-origin only)."""

    METHODS = "GET, POST"
    HEADERS = "Content-Type"

    def __init__(self, app, *, origins: list[str]):
        self.app, self.origins = app, set(origins)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and origin in self.origins
        if scope["method"] == "OPTIONS" and origin is not None and "access-control-request-method" in headers:
            ok = allowed and headers["access-control-request-method"].upper() in ("GET", "POST")
            answer = {"Vary": "Origin"}
            if ok:
                answer |= {
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": self.METHODS,
                    "Access-Control-Allow-Headers": self.HEADERS,
                    "Access-Control-Max-Age": "600",
                }
            return await PlainTextResponse("OK" if ok else "", 200 if ok else 400, headers=answer)(scope, receive, send)

        async def send_cors(message):
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name in [k for k in out if k.lower().startswith("access-control-")]:
                    del out[name]
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin
                if origin is not None:
                    out.add_vary_header("Origin")
            await send(message)

        return await self.app(scope, receive, send_cors)


def protect(api: FastAPI, settings: Settings) -> None:
    """Call last in create_app: each middleware added wraps all that came before, so the limiter sees every route
    (Gradio's included) and CORS, outermost, covers even a 429."""
    errors.install(api)
    configured = settings.admin_token.get_secret_value() if settings.admin_token else None
    api.add_middleware(
        RateLimitMiddleware,
        rates=rates(settings),
        trusted_proxies=settings.trusted_proxies,
        is_admin=lambda header: token_matches(configured, bearer(header)),
        max_clients=settings.rate_limit_clients,
    )
    api.add_middleware(errors.ErrorShapeMiddleware)
    api.add_middleware(ExactCORSMiddleware, origins=settings.cors_origins)
