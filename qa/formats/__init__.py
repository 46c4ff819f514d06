"""Format readers: each turns one kind of file into plain text in the corpus's layout plus the file's properties."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .base import Extracted, IngestError
from .pdf import read_pdf
from .scan import read_image
from .text import read_text
from .webpage import read_html
from .word import read_docx

READERS: dict[str, Callable[[Path, bytes], Extracted]] = {
    ".txt": read_text,
    ".md": read_text,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
    ".png": read_image,
    ".jpg": read_image,
    ".jpeg": read_image,
    ".tif": read_image,
    ".tiff": read_image,
}
SUPPORTED = tuple(READERS)

__all__ = ["READERS", "SUPPORTED", "Extracted", "IngestError", "extract", "unsupported"]


def unsupported(suffix: str) -> str | None:
    """Why a file of this type cannot be read, for users; None for a supported type. The CLI, the build and the
    upload checks all say it the same way."""
    suffix = suffix.lower()
    if suffix in READERS:
        return None
    if suffix == ".doc":
        return "不支持旧版 Word（.doc）格式，请另存为 .docx 后上传"
    return f"不支持的文件类型：{suffix or '无扩展名'}（支持 {' '.join(SUPPORTED)}）"


def extract(path: Path, data: bytes) -> Extracted:
    """The reader the file's suffix names; unknown types and empty files are refused with a reason."""
    suffix = path.suffix.lower()
    if zh := unsupported(suffix):
        raise IngestError(path, f"unsupported file type {suffix!r}", zh)
    if not data.strip():
        raise IngestError(path, "empty file", "文件内容为空")
    return READERS[suffix](path, data)
