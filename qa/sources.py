"""The source viewer's data: a whole document with its metadata, the passage a citation points at, and the original
file under the name it was uploaded with (uploads are stored under a content hash; the name people know is kept
beside them in ``corpus/.original-names.json``)."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .index import DocRecord, Index
from .ingest import IngestError, read_document

NAMES_FILE = ".original-names.json"
_names_lock = threading.Lock()


@dataclass
class DocView:
    doc_id: str
    record: DocRecord
    text: str  # the normalised text every passage span points into
    exact: bool  # False: the file changed or is gone since indexing, so the text is pieced together from the index
    original_name: str
    file: Path | None  # the corpus file, when it is still the indexed one


def original_names(corpus_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((corpus_dir / NAMES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def remember_original_name(corpus_dir: Path, stored: str, uploaded: str) -> None:
    """Record the name an upload came with (its last path part only) for its stored file; written atomically."""
    name = PurePosixPath(uploaded.replace("\\", "/")).name.strip()[:200]
    if not name or name == stored:
        return
    with _names_lock:
        names = original_names(corpus_dir)
        names[stored] = name
        tmp = corpus_dir / f".{NAMES_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(names, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, corpus_dir / NAMES_FILE)


def document_view(index: Index, corpus_dir: Path, doc_id: str) -> DocView | None:
    """The document as indexed; None for an id the index does not hold (so no path outside the corpus is read)."""
    record = index.records.get(doc_id)
    if record is None:
        return None
    path = corpus_dir / doc_id
    text, exact = "", False
    if path.is_file():
        try:
            doc = read_document(path)
            text, exact = doc.text, doc.sha256 == record.sha256
        except (IngestError, OSError):
            pass
    if not exact:
        text = _pieced(index, doc_id)
    name = original_names(corpus_dir).get(doc_id) or record.meta.file or doc_id
    return DocView(doc_id, record, text, exact, name, path if exact else None)


def _pieced(index: Index, doc_id: str) -> str:
    """The document's text rebuilt from its chunks at their own offsets, so passage spans still point into it; what
    no chunk holds (headings) is left as a line break and blanks of the same length."""
    chunks = sorted((c for c in index.chunks if c.doc_id == doc_id and c.kind == "text"), key=lambda c: c.span[0])
    out: list[str] = []
    end = 0
    for c in chunks:
        if c.span[0] > end:
            gap = c.span[0] - end
            out.append("\n" + " " * (gap - 2) + "\n" if gap >= 2 else "\n" * gap)
        if c.span[1] > end:
            out.append(c.text[max(0, end - c.span[0]) :][: c.span[1] - max(end, c.span[0])])
        end = max(end, c.span[1])
    return "".join(out)
