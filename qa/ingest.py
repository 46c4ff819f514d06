"""Read documents from the corpus folder into Documents: decoded, repaired, with citation metadata."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from .metadata import SIDECAR_SUFFIX, apply_sidecar, extract_meta
from .normalize import repair
from .schema import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md"}


class IngestError(Exception):
    """A file that cannot become a Document; ``reason_zh`` is shown to users."""

    def __init__(self, path: Path, reason: str, reason_zh: str):
        super().__init__(f"{path.name}: {reason}")
        self.path, self.reason, self.reason_zh = path, reason, reason_zh


@dataclass
class Skipped:
    file: str
    reason: str
    reason_zh: str


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Documents in the corpus folder, sidecars and hidden files excluded, in a stable order."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.endswith(SIDECAR_SUFFIX)
        and p.name.lower() != "readme.md"
    )


def file_sha256(path: Path) -> str:
    """Content hash of the file and its sidecar: either changing makes the index stale."""
    h = hashlib.sha256(path.read_bytes())
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    if side.exists():
        h.update(side.read_bytes())
    return h.hexdigest()


def decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(path, "not valid UTF-8 or GB18030 text", "文件编码无法识别（不是 UTF-8 或 GBK 文本）")


def read_document(path: Path) -> Document:
    if path.suffix.lower() not in TEXT_SUFFIXES:
        zh = f"不支持的文件类型：{path.suffix or '无扩展名'}"
        raise IngestError(path, f"unsupported file type {path.suffix!r}", zh)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc}", "文件无法读取") from exc
    text = repair(decode(path, data))
    if not text.strip():
        raise IngestError(path, "empty document", "文件内容为空")
    meta = apply_sidecar(extract_meta(text, path.name), path)
    return Document(doc_id=path.stem, text=text, meta=meta, sha256=file_sha256(path))


def read_corpus(corpus_dir: Path) -> tuple[list[Document], list[Skipped]]:
    """Every readable document; the unreadable ones are reported, never fatal."""
    docs, skipped = [], []
    for path in corpus_files(corpus_dir):
        try:
            docs.append(read_document(path))
        except IngestError as exc:
            log.warning("skipped %s", exc)
            skipped.append(Skipped(path.name, exc.reason, exc.reason_zh))
    return docs, skipped
