"""One error shape for every error the server returns — ours, the framework's, the middleware's:
``{"error": <Chinese for users>, "code": <stable English code for programs>}`` (422 adds where the request was wrong).

The OpenAPI schema documents the same shape for every status a route can return (``responses(...)``), so that a
client generated from /openapi.json handles every answer it will get.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

log = logging.getLogger("policyqa.errors")

# the default message and code of each status (a route may give a more precise message with the same shape)
DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求无效。"),
    401: ("unauthorized", "管理口令不正确。"),
    403: ("forbidden", "没有权限。"),
    404: ("not_found", "没有找到请求的内容。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    406: ("not_acceptable", "无法提供所要求的格式。"),
    413: ("too_large", "请求内容过大。"),
    415: ("unsupported_media_type", "不支持的内容类型。"),
    422: ("invalid_request", "请求格式不正确。"),
    429: ("rate_limited", "请求太频繁，请稍后再试。"),
    500: ("internal", "服务器内部错误，请稍后再试。"),
    503: ("unavailable", "服务尚未就绪，请稍后再试。"),
}


class ErrorBody(BaseModel):
    """Every error response."""

    error: str = Field(..., description="给用户看的中文说明")
    code: str = Field(..., description="stable machine-readable code, e.g. rate_limited, too_large, question_too_long")


class FieldProblem(BaseModel):
    loc: list[str]
    msg: str
    type: str


class ValidationErrorBody(ErrorBody):
    """422: which part of the request was wrong (the input itself is never echoed back)."""

    detail: list[FieldProblem] = Field(default_factory=list)


def error_body(status: int, code: str | None = None, message_zh: str | None = None) -> dict:
    default_code, default_zh = DEFAULTS.get(status, ("error", HTTPStatus(status).phrase))
    return {"error": message_zh or default_zh, "code": code or default_code}


def error_response(
    status: int, code: str | None = None, message_zh: str | None = None, headers: dict | None = None, **extra
) -> JSONResponse:
    return JSONResponse({**error_body(status, code, message_zh), **extra}, status_code=status, headers=headers)


class ApiError(Exception):
    """Raised by routes: becomes the error shape with this status, code and message."""

    def __init__(self, status: int, code: str | None = None, message_zh: str | None = None, headers=None):
        super().__init__(message_zh or code or status)
        self.status, self.code, self.message_zh, self.headers = status, code, message_zh, headers


def responses(*statuses: int) -> dict:
    """OpenAPI ``responses`` for a route: each status with the error shape (422 with its details)."""
    return {
        s: {
            "model": ValidationErrorBody if s == 422 else ErrorBody,
            "description": DEFAULTS.get(s, ("", HTTPStatus(s).phrase))[1],
        }
        for s in statuses
    }


def _chinese(text: object) -> bool:
    return isinstance(text, str) and any("\u4e00" <= ch <= "\u9fff" for ch in text)


def install(app: FastAPI) -> None:
    """Map every error the framework raises to the one shape; the English detail goes to the log only."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message_zh, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # our routes raise with a Chinese message; the framework's own (404 route, 405, body parse errors) are English
        message = exc.detail if _chinese(exc.detail) else None
        if message is None:
            log.info("%s %s → %d: %s", request.method, request.url.path, exc.status_code, exc.detail)
        return error_response(exc.status_code, None, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError):
        detail = [
            {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        return error_response(422, detail=detail)


class ErrorShapeMiddleware:
    """The last word on error bodies: an error answered by anything our handlers do not see — Gradio's mounted app
    (unknown paths, wrong methods), Starlette's routing — is rewritten to the one shape. Only error responses are
    buffered (they are small); a body already in the shape passes unchanged."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start: dict | None = None
        body = b""

        async def shaped_send(message):
            nonlocal start, body
            if message["type"] == "http.response.start":
                if message["status"] < 400 or scope["method"] == "HEAD":
                    return await send(message)
                start = message
                return None
            if start is None:
                return await send(message)
            body += message.get("body", b"")
            if message.get("more_body"):
                return None
            await _reshaped(scope, start, body)(scope, receive, send)
            return None

        await self.app(scope, receive, shaped_send)
        return None


def _reshaped(scope, start: dict, body: bytes) -> JSONResponse:
    status = start["status"]
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start.get("headers", [])}
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    keep = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "content-type")}
    if isinstance(data, dict) and isinstance(data.get("error"), str) and isinstance(data.get("code"), str):
        return JSONResponse(data, status_code=status, headers=keep)
    log.info("%s %s → %d reshaped: %s", scope["method"], scope["path"], status, body[:200])
    return JSONResponse(error_body(status), status_code=status, headers=keep)
