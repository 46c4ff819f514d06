"""The pages people open: the chat page (/ and its assets under /ui/), the source viewer (/doc/{file}, the original
file at /doc/{file}/file), the embeddable widget (/widget.js) and its demo page (/widget-demo)."""

from __future__ import annotations

from importlib.resources import files

import gradio as gr
from fastapi import APIRouter, FastAPI, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from ..chat import FRAME_CSS, HEAD, chat_page
from ..service import NOT_READY_ZH, Service
from ..sources import document_view
from ..viewer import document_page, parse_range

STATIC = files("qa") / "static"
ASSETS = {"reply.js": "text/javascript", "chat.js": "text/javascript", "chat.css": "text/css"}


def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def router(service: Service) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/widget.js")
    async def widget_js():
        """One file for the host page: the shared reply renderer and the widget, in one scope (no globals)."""
        body = "(function () {\n" + _static("reply.js") + "\n" + _static("widget.js") + "\n})();\n"
        return Response(body, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"})

    @pages.get("/widget-demo", response_class=HTMLResponse)
    async def widget_demo():
        return HTMLResponse(_static("widget-demo.html"))

    @pages.get("/ui/{name}")
    async def asset(name: str):
        if name not in ASSETS:
            raise HTTPException(404, "Not Found")
        return Response(_static(name), media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})

    @pages.get("/doc/{doc_id}", response_class=HTMLResponse)
    async def source_viewer(doc_id: str, at: str | None = Query(None), hl: str | None = Query(None)):
        """The whole document, scrolled to the cited passage (``at``: its span) with the answering part (``hl``:
        offsets into the passage) marked, its metadata and a link to the original file."""
        qa = await run_in_threadpool(service.assistant)
        if qa is None:
            return HTMLResponse(_message_page(service.error_zh or NOT_READY_ZH), status_code=503)
        view = await run_in_threadpool(document_view, qa.index, service.settings.corpus_dir, doc_id)
        if view is None:
            return HTMLResponse(_message_page("没有这份文件，它可能已被删除。"), status_code=404)
        return HTMLResponse(document_page(view, parse_range(at), parse_range(hl)))

    @pages.get("/doc/{doc_id}/file")
    async def original_file(doc_id: str):
        """The indexed file, downloaded under the name it was uploaded with."""
        qa = await run_in_threadpool(service.assistant)
        view = await run_in_threadpool(document_view, qa.index, service.settings.corpus_dir, doc_id) if qa else None
        if view is None or view.file is None:
            return HTMLResponse(_message_page("原文件已不在文件库中。"), status_code=404)
        return FileResponse(view.file, filename=view.original_name)

    return pages


def _message_page(text: str) -> str:
    from html import escape

    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>政策问答</title></head>'
        f'<body><main><h1>政策问答</h1><p>{escape(text)}</p><p><a href="/">返回问答</a></p></main></body></html>'
    )


def mount_chat(app: FastAPI) -> FastAPI:
    """The Gradio chat page at / (mounted last: it catches every path no other route has)."""
    return gr.mount_gradio_app(app, chat_page(), path="/", footer_links=[], head=HEAD, css=FRAME_CSS)
