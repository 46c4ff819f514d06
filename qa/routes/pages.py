"""The pages people open: the embeddable widget (/widget.js), its demo page (/widget-demo) and the chat page (/)."""

from __future__ import annotations

from importlib.resources import files

import gradio as gr
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response

from ..chat import chat_page
from ..service import Service

STATIC = files("qa") / "static"


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/widget.js")
    async def widget_js():
        return Response(
            (STATIC / "widget.js").read_text(encoding="utf-8"),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @pages.get("/widget-demo", response_class=HTMLResponse)
    async def widget_demo():
        return HTMLResponse((STATIC / "widget-demo.html").read_text(encoding="utf-8"))

    return pages


def mount_chat(app: FastAPI, service: Service) -> FastAPI:
    """The Gradio chat page at / (mounted last: it catches every path no other route has)."""
    return gr.mount_gradio_app(app, chat_page(service), path="/", footer_links=["api"])
