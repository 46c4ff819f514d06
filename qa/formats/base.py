"""What every format reader returns, the error it raises, and how table rows become text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..schema import PageMark

__all__ = ["Extracted", "IngestError", "PageFailure", "PageMark", "cell_text", "table_lines"]


class IngestError(Exception):
    """A file that cannot become a Document; ``reason_zh`` is shown to users, ``reason`` goes to logs."""

    def __init__(self, path: Path, reason: str, reason_zh: str):
        super().__init__(f"{path.name}: {reason}")
        self.path, self.reason, self.reason_zh = path, reason, reason_zh


@dataclass
class Extracted:
    """Plain text in the corpus's own layout (paragraphs apart by a blank line, table rows as ``a | b | c`` lines),
    and the file's own properties (title, issuer, date, doc_no) where the format has them."""

    text: str
    props: dict[str, str] = field(default_factory=dict)
    pages: list[PageMark] = field(default_factory=list)  # offsets into ``text``, for paged formats
    failures: list[PageFailure] = field(default_factory=list)  # pages that could not be read; the rest was kept


@dataclass
class PageFailure:
    """A page left out of a document (its OCR failed): reported by file and page while the rest is indexed."""

    page: int
    reason: str

    def reason_zh(self) -> str:
        return f"第 {self.page} 页文字识别失败，已跳过该页"


def cell_text(text: str | None) -> str:
    """A cell's text on one line: Chinese wrapped inside a cell joins without a space; a pipe would split the row."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    out = ""
    for ln in lines:
        sep = " " if out and out[-1].isascii() and out[-1].isalnum() and ln[0].isascii() and ln[0].isalnum() else ""
        out += sep + ln
    return out.replace("|", "｜")


def table_lines(rows: list[list[str | None]], merged_down: list[list[bool]] | None = None) -> list[str]:
    """Rows as pipe lines, the way the plain-text tables in the corpus are written.

    A cell merged down from the row above is empty in the first column (the chunker gives such a continuation row
    its group's first cell and 牵头单位) and repeated in any other column (it applies to each row it spans).
    ``None`` in ``rows`` marks a merged cell when ``merged_down`` is not given.
    """
    out: list[str] = []
    above: list[str] = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            merged = merged_down[r][c] if merged_down else value is None
            if merged and r > 0:
                value = "" if c == 0 else (above[c] if c < len(above) else "")
            cells.append(cell_text(value))
        above = cells
        if any(cells):
            out.append(" | ".join(cells) + " |")
    return out
