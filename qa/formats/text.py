"""Plain text and Markdown in UTF-8 (with or without BOM), UTF-16 with BOM, or a legacy Chinese encoding."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from .base import Extracted, IngestError

UNKNOWN_ZH = "文件编码无法识别（不是 UTF-8 或 GBK 文本）"
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode(path: Path, data: bytes) -> str:
    """UTF-8 when it is valid UTF-8; otherwise whatever charset-normalizer finds (GB18030 covers GBK and GB2312).
    A result that is mostly unprintable was binary data after all, whatever its first bytes looked like."""
    text = _decode(path, data)
    sample = [c for c in text[:4000] if not c.isspace()]
    if sample and sum(not c.isprintable() or 0xE000 <= ord(c) <= 0xF8FF for c in sample) > len(sample) // 20:
        raise IngestError(path, "binary data, not text", "文件不是文本（可能是二进制文件或扩展名有误）")
    return text


def _decode(path: Path, data: bytes) -> str:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:8192]
    if sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 20:  # text has next to no control bytes
        raise IngestError(path, "binary data, not text", "文件不是文本（可能是二进制文件或扩展名有误）")
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise IngestError(path, "text encoding not recognised", UNKNOWN_ZH)
    encoding = "gb18030" if best.encoding in ("gbk", "gb2312", "hz") else best.encoding
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise IngestError(path, f"text does not decode as {encoding}", UNKNOWN_ZH) from exc


def read_text(path: Path, data: bytes) -> Extracted:
    return Extracted(decode(path, data))
