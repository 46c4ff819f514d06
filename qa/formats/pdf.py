"""Text-based PDF through pdfplumber: lines re-joined where the page wrapped them, page numbers dropped, ruled
tables as pipe rows in reading order. A scanned PDF (no text layer) or an encrypted one is refused by name."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from ..normalize import SENTENCE_END, starts_with_marker
from .base import Extracted, IngestError, table_lines

logging.getLogger("pdfminer").setLevel(logging.ERROR)

PAGE_NUMBER_RE = re.compile(r"^[-－—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[-－—–\s]*$")
MARGIN_CHARS = 1.5  # a line ending this many character widths short of the right margin was not wrapped


def _char_width(line: dict) -> float:
    chars = line.get("chars") or []
    return (line["x1"] - line["x0"]) / max(1, len(chars)) if chars else 10.0


def _continues(line: dict, nxt: dict, right: float, left: float, indents: bool) -> bool:
    """Does ``nxt`` continue the paragraph of ``line``? Only if ``line`` runs to the right margin, and ``nxt`` is no
    numbered heading. Where paragraphs start indented (公文 indent two characters), an unindented next line continues
    even after a 。 that happened to fall at the margin; without indents, a closing mark ends the paragraph."""
    width = _char_width(line)
    if line["x1"] < right - MARGIN_CHARS * width or starts_with_marker(nxt["text"].strip()):
        return False
    if indents:
        return nxt["x0"] <= left + width * 0.8
    return line["text"].rstrip()[-1:] not in SENTENCE_END


def _page_items(page) -> list[tuple[float, str, object]]:
    """(top, kind, content) of the page's text lines outside tables and of its tables, top to bottom."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    items: list[tuple[float, str, object]] = [(ln["top"], "line", ln) for ln in text_page.extract_text_lines()]
    items += [(t.bbox[1], "table", t.extract()) for t in tables]
    return sorted(items, key=lambda it: it[0])


def _refusal(path: Path, exc: Exception) -> IngestError:
    """pdfplumber wraps pdfminer's errors; an encrypted file is told apart from a damaged one."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc.__cause__ or exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or isinstance(exc, PDFPasswordIncorrect):
        return IngestError(path, "encrypted PDF", "PDF 文件已加密，无法读取，请上传未加密的版本")
    return IngestError(path, f"not a readable PDF ({cause})", "PDF 文件已损坏，无法读取")


def read_pdf(path: Path, data: bytes) -> Extracted:
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            blocks = _blocks(pdf)
            info = pdf.metadata or {}
    except Exception as exc:  # pdfminer raises a zoo of types on damaged files; all mean the same to users
        raise _refusal(path, exc) from exc
    text = "\n\n".join(blocks)
    if not text.strip():
        raise IngestError(path, "no text layer (scanned PDF?)", "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）")
    return Extracted(text, {"title": _info(info, "Title"), "issuer": _info(info, "Author")})


def _info(info: dict, key: str) -> str:
    value = info.get(key, "")
    if isinstance(value, bytes):
        value = value.decode("utf-16" if value.startswith(b"\xfe\xff") else "latin-1", errors="ignore")
    return str(value).strip()


def _blocks(pdf) -> list[str]:
    """Paragraphs and tables of the whole document; a paragraph may run on across a page break."""
    items = []
    for page in pdf.pages:
        items += [it for it in _page_items(page) if it[1] == "table" or not PAGE_NUMBER_RE.match(it[2]["text"])]
    lines = [it[2] for it in items if it[1] == "line"]
    if not lines:
        return []
    right = max(ln["x1"] for ln in lines)
    left = min(ln["x0"] for ln in lines)
    indents = sum(ln["x0"] > left + 1.5 * _char_width(ln) for ln in lines) >= max(2, len(lines) // 20)
    blocks: list[str] = []
    prev = None  # the last text line, while the paragraph it belongs to may still continue
    for _, kind, content in items:
        if kind == "table":
            blocks.append("\n".join(table_lines(content)))
            prev = None
            continue
        if prev is not None and _continues(prev, content, right, left, indents):
            blocks[-1] += content["text"].strip()
        else:
            blocks.append(content["text"].strip())
        prev = content
    return [b for b in blocks if b.strip()]
