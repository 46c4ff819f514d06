"""PDF through pdfplumber: lines re-joined where the page wrapped them, page numbers dropped, ruled tables as pipe
rows in reading order. A page without a usable text layer (none, or one that is not text) is rendered and OCR'd
(qa.ocr), so scanned and mixed PDFs read page by page; an encrypted or damaged PDF is refused by name."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ..normalize import SENTENCE_END, starts_with_marker
from .base import Extracted, IngestError, PageFailure, PageMark, table_lines

logging.getLogger("pdfminer").setLevel(logging.ERROR)

PAGE_NUMBER_RE = re.compile(r"^[-－—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[-－—–\s]*$")
MARGIN_CHARS = 1.5  # a line ending this many character widths short of the right margin was not wrapped
MIN_TEXT_CHARS = 10  # fewer characters than this on a page with an image: a scan (a page number, a stamp's text)
MIN_TEXT_SHARE = 0.6  # below this share of text-like characters the layer is not text
TEXTLIKE_RE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffefA-Za-z0-9.,;:!?()%\-—·、《》“”‘’]")
log = logging.getLogger(__name__)


def _char_width(line: dict) -> float:
    if "char_width" in line:  # an OCR line: its box height is the character size
        return line["char_width"]
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
            pages, failures = _read_pages(pdf, path.name)
            info = pdf.metadata or {}
    except Exception as exc:  # pdfminer raises a zoo of types on damaged files; all mean the same to users
        raise _refusal(path, exc) from exc
    blocks, marks = join_pages(pages)
    text = "\n\n".join(blocks)
    if not text.strip():
        if failures:
            raise IngestError(path, f"OCR failed on every page ({failures[0].reason})", "扫描件文字识别失败")
        raise IngestError(path, "no text on any page", "PDF 中没有可识别的文字")
    props = {"title": _info(info, "Title"), "issuer": _info(info, "Author")}
    return Extracted(text, props, marks, failures)


def _info(info: dict, key: str) -> str:
    value = info.get(key, "")
    if isinstance(value, bytes):
        value = value.decode("utf-16" if value.startswith(b"\xfe\xff") else "latin-1", errors="ignore")
    return str(value).strip()


def _read_pages(pdf, file: str) -> tuple[list[Page], list[PageFailure]]:
    """Each page's items, from its text layer or, where it has no usable one, from OCR of the rendered page."""
    from .. import ocr
    from .scan import page_items

    pages: list[Page] = []
    scanned = [i for i, page in enumerate(pdf.pages) if not has_text_layer(page)]
    failures: list[PageFailure] = []
    settings = ocr.current_settings()
    for i, page in enumerate(pdf.pages):
        if i not in scanned:
            items = [it for it in _page_items(page) if it[1] == "table" or not PAGE_NUMBER_RE.match(it[2]["text"])]
            pages.append(Page(i + 1, False, items))
            continue
        try:
            image = page.to_image(resolution=settings.ocr_dpi).original
            pages.append(Page(i + 1, True, page_items(ocr.read_page(image, settings), 72 / settings.ocr_dpi)))
        except Exception as exc:  # one unreadable page must not cost the rest of the file
            log.warning("%s: OCR of page %d failed: %s", file, i + 1, exc)
            failures.append(PageFailure(i + 1, f"{type(exc).__name__}: {exc}"))
        ocr.report_page(file, scanned.index(i) + 1, len(scanned))
    return pages, failures


def has_text_layer(page) -> bool:
    """Enough characters, and mostly real text (CJK, letters, digits, punctuation) rather than the private-use or
    control characters a font without a Unicode map or a broken OCR layer leaves."""
    chars = [c["text"] for c in page.chars if c["text"].strip()]
    if len(chars) < MIN_TEXT_CHARS:
        return not (page.images or page.curves)  # a scan, or text set as outlines; a blank page has nothing to read
    real = sum(bool(TEXTLIKE_RE.match(c)) for c in chars)
    return real / len(chars) >= MIN_TEXT_SHARE


@dataclass
class Page:
    number: int
    scanned: bool
    items: list[tuple[float, str, object]]  # (top, "line" | "table", line dict | rows)


def join_pages(pages: list[Page]) -> tuple[list[str], list[PageMark]]:
    """Paragraphs and tables of the whole document (a paragraph may run on across a page break), and where each
    page starts. Margins and indents are measured separately on text and on scanned pages (points vs. pixels of
    another geometry). OCR confusions in 文号 and dates are repaired in paragraphs from scanned pages, once they are
    whole (a 文号 may wrap)."""
    from ..ocr import fix_confusions

    geometry = {
        kind: _geometry([it[2] for p in pages if p.scanned == kind for it in p.items if it[1] == "line"])
        for kind in (False, True)
    }
    blocks: list[str] = []
    scanned: list[bool] = []
    marks: list[PageMark] = []
    prev = None  # the last text line, while the paragraph it belongs to may still continue
    for page in pages:
        marks.append(PageMark(len("\n\n".join(blocks)), page.number, page.scanned))
        right, left, indents = geometry[page.scanned]
        for _, kind, content in page.items:
            if kind == "table":
                blocks.append("\n".join(table_lines(content)))
                scanned.append(page.scanned)
                prev = None
                continue
            if prev is not None and _continues(prev, content, right, left, indents):
                blocks[-1] += content["text"].strip()
                scanned[-1] = scanned[-1] or page.scanned
            else:
                blocks.append(content["text"].strip())
                scanned.append(page.scanned)
            prev = content
    blocks = [fix_confusions(b) if ocr else b for b, ocr in zip(blocks, scanned)]
    return [b for b in blocks if b.strip()], marks


def _geometry(lines: list[dict]) -> tuple[float, float, bool]:
    """Right margin, left margin, and whether paragraphs start indented."""
    if not lines:
        return 0.0, 0.0, False
    right = max(ln["x1"] for ln in lines)
    left = min(ln["x0"] for ln in lines)
    indents = sum(ln["x0"] > left + 1.5 * _char_width(ln) for ln in lines) >= max(2, len(lines) // 20)
    return right, left, indents
