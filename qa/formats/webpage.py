"""Web pages: the main text through trafilatura (navigation, scripts and footers dropped, tables as pipe rows) and
the metadata Chinese government sites publish in <meta> tags (ArticleTitle, PubDate, ContentSource)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ..normalize import fold
from .base import Extracted, IngestError
from .text import decode

logging.getLogger("trafilatura").setLevel(logging.ERROR)

MIN_BODY_CHARS = 20  # a menu item or a lone heading is not a document
META_NAMES = {  # <meta name=…> used by gov.cn-style CMSs, and the common generic ones
    "title": ("ArticleTitle", "og:title", "title"),
    "issuer": ("ContentSource", "author"),
    "date": ("PubDate", "article:published_time"),
}


def _meta_tags(html: str) -> dict[str, str]:
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError):
        return {}
    found = {}
    for el in tree.iter("meta"):
        key = el.get("name") or el.get("property")
        if key and el.get("content"):
            found.setdefault(key, el.get("content").strip())
    return found


def read_html(path: Path, data: bytes) -> Extracted:
    import trafilatura

    html = decode(path, data)
    body = trafilatura.extract(html, include_tables=True, include_comments=False, favor_recall=True)
    if not body or len(re.findall(r"[\u4e00-\u9fffA-Za-z0-9]", body)) < MIN_BODY_CHARS:
        raise IngestError(path, "no main text found in the page", "网页中没有找到正文内容")
    tags = _meta_tags(html)
    meta = trafilatura.extract_metadata(html)
    props = {field: next((tags[n] for n in names if tags.get(n)), "") for field, names in META_NAMES.items()}
    props["title"] = props["title"] or (meta.title if meta and meta.title else "")
    props["date"] = props["date"][:10]  # only a date the page states; trafilatura's guesses are not used
    # trafilatura moves the <h1> into metadata; put the title back at the head, where a 公文's title stands
    if props["title"] and fold(props["title"]) not in fold(body):
        body = props["title"] + "\n" + body
    # trafilatura writes one paragraph a line; the corpus layout puts a blank line between paragraphs
    return Extracted(_paragraphs(body), props)


def _paragraphs(body: str) -> str:
    out: list[str] = []
    for line in body.strip().split("\n"):
        line = line.strip()
        if not line:
            continue
        is_row = "|" in line
        sep = "\n" if out and is_row and "|" in out[-1] else "\n\n"
        out.append((sep if out else "") + line)
    return "".join(out)
