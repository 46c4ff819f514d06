"""The source viewer page: a whole document with its metadata, the cited passage marked and scrolled to, and a link
to the original file. Server-rendered and escaped throughout (document text is never HTML)."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from .sources import DocView

RANGE = re.compile(r"^(\d{1,9})-(\d{1,9})$")

STYLE = """
:root{--bg:#faf7f5;--card:#fff;--fg:#1f1f1f;--muted:#5c5c5c;--border:#d9d4d1;--link:#0b57d0;--mark:#ffe28a;
--mark-strong:#ffc233;--focus:#b35c00}
@media (prefers-color-scheme:dark){:root{--bg:#1b1b1f;--card:#26262b;--fg:#ececf1;--muted:#b9b9c3;--border:#4a4a52;
--link:#a8c7fa;--mark:#4d3f00;--mark-strong:#7a6200;--focus:#ffd180}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;line-height:1.75}
header{position:sticky;top:0;background:var(--card);border-bottom:1px solid var(--border);padding:10px 16px;z-index:1}
header h1{font-size:19px;margin:0 0 4px}
nav a,a{color:var(--link)}
a:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
dl{display:flex;flex-wrap:wrap;gap:2px 18px;margin:0;font-size:14px}
dl div{display:flex;gap:6px} dt{color:var(--muted)} dd{margin:0}
main{max-width:860px;margin:0 auto;padding:16px}
.note{color:var(--muted);font-size:14px}
.text{white-space:pre-wrap;word-break:break-word;background:var(--card);border:1px solid var(--border);
border-radius:8px;padding:16px;font-size:16px}
mark{background:var(--mark);color:var(--fg);scroll-margin-top:40vh;border-radius:2px}
mark strong{background:var(--mark-strong);font-weight:700}
"""


def parse_range(value: str | None) -> tuple[int, int] | None:
    m = RANGE.match(value or "")
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    return (a, b) if a < b else None


def _body(text: str, at: tuple[int, int] | None, hl: tuple[int, int] | None) -> str:
    """The document text with the passage in <mark id="passage"> and its answering part in <strong>."""
    if at is None or at[1] > len(text):
        return escape(text)
    a, b = at
    passage = text[a:b]
    if hl and hl[1] <= len(passage):
        inner = escape(passage[: hl[0]]) + "<strong>" + escape(passage[hl[0] : hl[1]]) + "</strong>"
        inner += escape(passage[hl[1] :])
    else:
        inner = escape(passage)
    return escape(text[:a]) + f'<mark id="passage" tabindex="-1">{inner}</mark>' + escape(text[b:])


def document_page(view: DocView, at: tuple[int, int] | None, hl: tuple[int, int] | None) -> str:
    m = view.record.meta
    fields = [("发文单位", m.issuer), ("成文日期", m.date), ("文号", m.doc_no), ("收录时间", view.record.added_at[:10])]
    meta = "".join(f"<div><dt>{k}</dt><dd>{escape(v)}</dd></div>" for k, v in fields if v)
    if view.file is not None:
        link = f'<a href="/doc/{quote(view.doc_id)}/file" download>下载原文件：{escape(view.original_name)}</a>'
    else:
        link = '<span class="note">原文件已更改或删除，以下是收录时的文本。</span>'
    note = "" if view.exact else '<p class="note">文件在收录后有改动，以下按索引中的段落拼出，标题行可能缺失。</p>'
    jump = '<a href="#passage">跳到引用的段落</a> · ' if at else ""
    title = escape(m.title or view.original_name)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · 政策问答</title><style>{STYLE}</style></head>
<body><header><h1>{title}</h1><dl>{meta}</dl>
<nav class="note">{jump}{link} · <a href="/">返回问答</a></nav></header>
<main>{note}<div class="text" aria-label="文件全文">{_body(view.text, at, hl)}</div></main>
<script>(function(){{var p=document.getElementById("passage");
if(p){{p.scrollIntoView({{block:"center"}});}}}})();</script>
</body></html>"""
