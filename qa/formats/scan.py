"""Page images (.png, .jpg, .tif — every frame of a multi-page TIFF is a page) read by OCR, and the bridge from OCR
lines to the PDF reader's line records, so scanned pages are joined into paragraphs by the same margin-aware rule
as typed PDF pages."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from .. import ocr
from .base import Extracted, IngestError, PageFailure

log = logging.getLogger(__name__)


def page_items(page: ocr.OcrPage, scale: float = 1.0) -> list[tuple[float, str, object]]:
    """(top, kind, content) of the page's lines and tables, top to bottom, as the PDF reader's pages have them."""
    items: list[tuple[float, str, object]] = [(ln["top"], "line", ln) for ln in page_lines(page, scale)]
    items += [(t.top * scale, "table", t.rows) for t in page.tables]
    return sorted(items, key=lambda it: it[0])


def page_lines(page: ocr.OcrPage, scale: float = 1.0) -> list[dict]:
    """OCR lines as the PDF reader's line records (coordinates times ``scale``), page numbers dropped."""
    out = []
    for ln in page.lines:
        text = ln.text
        if ocr.PAGE_NO_RE.match(text):
            continue
        out.append(
            {
                "text": text,
                "x0": ln.x0 * scale,
                "x1": ln.x1 * scale,
                "top": ln.top * scale,
                "bottom": ln.bottom * scale,
                # the box height overstates a character by the detector's padding; the width per character is
                # right for Chinese lines, and for short lines of digits the height bounds it
                "char_width": min(ln.height * 0.9, (ln.x1 - ln.x0) / max(1, len(text))) * scale,
            }
        )
    return out


def read_image(path: Path, data: bytes) -> Extracted:
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    from .pdf import Page, join_pages

    try:
        img = Image.open(io.BytesIO(data))
        frames = [ImageOps.exif_transpose(f.convert("RGB")) for f in ImageSequence.Iterator(img)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise IngestError(path, f"not a readable image ({exc})", "图片文件已损坏，无法读取") from exc
    pages, failures = [], []
    for n, frame in enumerate(frames, 1):
        try:
            pages.append(Page(n, True, page_items(ocr.read_page(frame))))
        except Exception as exc:  # one unreadable page must not cost the rest of the file
            log.warning("%s: OCR of page %d failed: %s", path.name, n, exc)
            failures.append(PageFailure(n, f"{type(exc).__name__}: {exc}"))
        ocr.report_page(path.name, n, len(frames))
    blocks, marks = join_pages(pages)
    if not "".join(blocks).strip():
        if failures:
            raise IngestError(path, f"OCR failed ({failures[0].reason})", "图片文字识别失败")
        raise IngestError(path, "no text found in the image", "图片中没有识别到文字")
    return Extracted("\n\n".join(blocks), {}, marks, failures)
