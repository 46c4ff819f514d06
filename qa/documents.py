"""Adding and removing documents. The corpus folder is the source of truth: a change puts a file into it (or takes
one out) atomically, then brings the index up to date incrementally, so only the changed file is embedded."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .build import BuildSummary, Progress, build_index
from .formats import unsupported
from .ingest import IngestError, corpus_files, read_document
from .metadata import SIDECAR_SUFFIX, sidecar_path
from .ocr import ocr_context
from .settings import Settings


@dataclass
class FileResult:
    """What became of one file: ``doc_id`` is its name in the corpus; ``error_zh`` is for users when it failed."""

    file: str
    doc_id: str | None = None
    title: str = ""
    error: str | None = None
    error_zh: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _refused(file: str, reason: str, reason_zh: str) -> FileResult:
    return FileResult(file, error=reason, error_zh=reason_zh)


def valid_name(name: str) -> str | None:
    """Why ``name`` cannot be a corpus file name, or None. Only plain names of supported types are taken."""
    if not name or name != Path(name).name or name.startswith(".") or "/" in name or "\\" in name:
        return "文件名不合法"
    if name.endswith(SIDECAR_SUFFIX) or name.lower() == "readme.md":
        return "该文件名保留给系统使用"
    return unsupported(Path(name).suffix)


def place_file(settings: Settings, source: Path, name: str) -> FileResult:
    """Check that ``source`` reads as a document, then move a copy into the corpus as ``name`` in one rename.

    An unreadable file never enters the corpus, so it cannot break later builds.
    """
    if why := valid_name(name):
        return _refused(name, f"invalid name {name!r}", why)
    try:
        with ocr_context(settings):  # pages OCR'd here are cached where the build will look for them
            doc = read_document(source)
    except IngestError as exc:
        return _refused(name, exc.reason, exc.reason_zh)
    corpus = settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    staging = corpus / f".incoming-{os.getpid()}-{name}"
    shutil.copyfile(source, staging)
    os.replace(staging, corpus / name)
    side = sidecar_path(source)
    if side.exists() and side.parent != corpus:
        shutil.copyfile(side, sidecar_path(corpus / name))
    return FileResult(name, doc_id=name, title=doc.meta.title)


def add_files(
    settings: Settings, paths: list[Path], *, progress: bool = True, on_progress: Progress | None = None
) -> tuple[list[FileResult], BuildSummary | None]:
    """Copy each readable file into the corpus under its own name (replacing an older version), then update the
    index. Returns a result per file and the build summary (None when nothing was added)."""
    results = [place_file(settings, p, p.name) for p in paths]
    if not any(r.ok for r in results):
        return results, None
    return results, build_index(settings, progress=progress, on_progress=on_progress)


def find_document(settings: Settings, ref: str) -> Path | None:
    """A corpus file by its name, or by its name without the extension when that is unambiguous."""
    files = corpus_files(settings.corpus_dir)
    exact = [p for p in files if p.name == ref]
    by_stem = [p for p in files if p.stem == ref]
    if exact:
        return exact[0]
    return by_stem[0] if len(by_stem) == 1 else None


def remove_documents(
    settings: Settings, refs: list[str], *, progress: bool = True
) -> tuple[list[FileResult], BuildSummary | None]:
    """Take documents (and their sidecars) out of the corpus, then update the index; nothing is re-embedded."""
    results = []
    for ref in refs:
        path = find_document(settings, ref)
        if path is None:
            results.append(_refused(ref, f"no document {ref!r} in the corpus", f"找不到文件：{ref}"))
            continue
        path.unlink()
        sidecar_path(path).unlink(missing_ok=True)
        results.append(FileResult(ref, doc_id=path.name))
    if not any(r.ok for r in results):
        return results, None
    return results, build_index(settings, progress=progress)
