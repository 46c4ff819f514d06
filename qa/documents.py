"""Adding and removing documents. The corpus folder is the source of truth; a change moves files into it (or out)
together with the index version that reflects them, as a job (qa/jobs.py), and only the changed files are embedded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .build import BuildSummary, Progress
from .formats import unsupported
from .ingest import corpus_files
from .metadata import SIDECAR_SUFFIX
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


def add_files(
    settings: Settings, paths: list[Path], *, progress: bool = True, on_progress: Progress | None = None
) -> tuple[list[FileResult], BuildSummary | None]:
    """Add each readable file to the corpus under its own name (replacing an older version) together with the
    index version that holds it, as one job (qa/jobs.py). Returns a result per file and the job's summary line."""
    from .jobs import Transactions

    _, results, summary = Transactions(settings).apply([(p.name, p) for p in paths], [], on_progress)
    return results, summary


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
    """Take documents (and their sidecars) out of the corpus together with the index version without them, as one
    job; nothing is re-embedded."""
    from .jobs import Transactions

    _, results, summary = Transactions(settings).apply([], refs)
    return results, summary
