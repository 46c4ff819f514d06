"""Read documents from the corpus folder into Documents: decoded, repaired, with citation metadata."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from .formats import IngestError
from .metadata import SIDECAR_SUFFIX, apply_sidecar, extract_meta, fill_from_properties
from .normalize import repair
from .safe_parse import parse_bounded
from .schema import Document, PageMark

log = logging.getLogger(__name__)

__all__ = ["IngestError", "Skipped", "corpus_files", "file_sha256", "read_corpus", "read_document"]


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


def read_document(path: Path, name: str | None = None) -> Document:
    """Any supported format → repaired text and metadata; the layout rules first, the file's own properties fill
    what they leave empty, a sidecar overrides both. The doc_id is the file name (``name``, when the file is still
    staged under another path): a.txt and a.docx may coexist."""
    name = name or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc}", "文件无法读取") from exc
    try:
        extracted = parse_bounded(path, data)  # checked, then read in a child with memory and time limits
    except IngestError:
        raise
    except Exception as exc:  # a reader library failing on a malformed file must not stop the build
        log.exception("reader failed on %s", path.name)
        raise IngestError(path, f"cannot read ({type(exc).__name__}: {exc})", "文件已损坏或格式有误，无法读取") from exc
    text = repair(extracted.text)
    if not text.strip():
        raise IngestError(path, "empty document", "文件内容为空")
    meta = fill_from_properties(extract_meta(text, name), extracted.props)
    meta = apply_sidecar(meta, path)
    pages = moved_marks(extracted.text, text, extracted.pages)
    warnings = [f.reason_zh() for f in extracted.failures]
    for f in extracted.failures:
        log.warning("%s: page %d left out: %s", path.name, f.page, f.reason)
    return Document(name, text, meta, file_sha256(path), pages, warnings)


def moved_marks(raw: str, repaired: str, marks: list[PageMark]) -> list[PageMark]:
    """Page starts moved from the reader's text into the repaired one. ``repair`` only changes whitespace, so the
    n-th visible character is the same in both."""
    if not marks:
        return []
    visible = [i for i, c in enumerate(repaired) if not c.isspace()]
    out = []
    for m in marks:
        n = sum(not c.isspace() and c != "\ufeff" for c in raw[: m.offset])
        out.append(PageMark(visible[n] if n < len(visible) else len(repaired), m.number, m.scanned))
    return out


def page_of(doc: Document, offset: int) -> PageMark | None:
    """The page a character of the document text lies on (the last page starting at or before it)."""
    found = None
    for m in doc.pages:
        if m.offset > offset:
            break
        found = m
    return found


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
