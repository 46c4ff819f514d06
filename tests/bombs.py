"""Hostile documents for the bounded-parsing tests, built from a real .docx."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from .make_formats import write_docx

GB = 1024**3


def write_docx_bomb(path: Path, inflated: int = int(1.1 * GB)) -> Path:
    """A real Word file whose document.xml inflates to ``inflated`` bytes of valid XML (empty paragraphs) — the
    1.1 MB → 1.1 GB file of the issue. Compressed as tightly as deflate allows (ratio ≈ 1000)."""
    base = write_docx("关于开展科普月活动的通知\n\n一、活动时间\n\n2026年5月。", path.with_suffix(".base.docx"))
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    tail = b"</w:body></w:document>"
    block = b"<w:p/>" * (1 << 17)  # 768 KiB
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item))
        with dst.open("word/document.xml", "w", force_zip64=True) as f:
            f._compressor = _RepeatingDeflate(block)
            f.write(head)
            written = len(head) + len(tail)
            while written + len(block) <= inflated:
                f.write(block)
                written += len(block)
            f.write(tail)
    base.unlink()
    return path


class _RepeatingDeflate:
    """Deflate that compresses ``block`` once and repeats the bytes (each piece ends in a full flush, so no piece
    refers to another and the stream is valid): a 1 GB member in seconds instead of minutes of zlib."""

    def __init__(self, block: bytes):
        self.block = block
        self.z = zlib.compressobj(9, zlib.DEFLATED, -15)
        once = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.packed = once.compress(block) + once.flush(zlib.Z_FULL_FLUSH)

    def compress(self, data: bytes) -> bytes:
        if data is self.block:
            return self.packed
        return self.z.compress(data) + self.z.flush(zlib.Z_FULL_FLUSH)

    def flush(self) -> bytes:
        return self.z.flush()
