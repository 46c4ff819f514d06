"""The chat page at / : a Gradio page whose conversation UI is the same vanilla-JS renderer as the widget's
(qa/static/reply.js, chat.js, chat.css). It talks to the JSON API like any client, so the chat page and the widget
show a reply the same way: the answer first, compact source cards, copy as clean text, 👍/👎 on the reply's id;
conversations are kept in the browser (the app's own origin) across reloads and server restarts."""

from __future__ import annotations

import gradio as gr

HEAD = (
    '<meta name="description" content="政策问答：用日常的话提问，回答附文件出处">'
    '<link rel="stylesheet" href="/ui/chat.css">'
    '<script src="/ui/reply.js"></script><script src="/ui/chat.js" defer></script>'
)
# Gradio's frame around our container: no padding, no footer, and our container fills the width
FRAME_CSS = (
    ".gradio-container{max-width:900px !important;margin:0 auto !important;padding:0 8px !important}"
    " footer{display:none !important}"
)


def chat_page() -> gr.Blocks:
    with gr.Blocks(title="政策问答") as page:
        gr.HTML('<div id="pqa-chat"><noscript>请启用 JavaScript 以使用政策问答。</noscript></div>', padding=False)
    return page
