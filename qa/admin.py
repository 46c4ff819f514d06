"""Document administration behind a token: uploads and removals run as jobs, one at a time, with progress.

A job changes the corpus folder and builds the index incrementally (qa.documents); the server then picks up the new
index version on its next request (Service.assistant in qa/service.py), without a restart. Job state is written to
``index/.jobs/`` so that, with several server workers, any of them can report a job another one runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import queue
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .build import build_index
from .documents import FileResult, place_file, remove_documents
from .formats import unsupported
from .ocr import ocr_context
from .settings import Settings

log = logging.getLogger("policyqa.admin")

STAGES_ZH = {
    "queued": "排队中", "reading": "读取文件", "ocr": "识别文字", "embedding": "计算向量", "writing": "写入索引"
}


def token_matches(configured: str | None, given: str | None) -> bool:
    """Constant-time comparison (no timing hint of how much of a guess was right); no token configured → no match."""
    if not configured or not given:
        return False
    return hmac.compare_digest(configured.encode("utf-8"), given.encode("utf-8"))


def bearer(header: str | None) -> str | None:
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def stored_name(data: bytes, upload_name: str) -> str:
    """The corpus file name of an upload: made from its content, never from the name the client sent (only the
    lower-cased type suffix is kept). The same content uploaded twice is one document."""
    suffix = Path(upload_name.replace("\\", "/")).suffix.lower()
    return f"upload-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"


def upload_problem(upload_name: str, size: int, limit: int) -> str | None:
    """Why an upload is refused before it is read, in Chinese, or None."""
    if why := unsupported(Path((upload_name or "").replace("\\", "/")).suffix):
        return why
    if size > limit:
        return f"文件太大（超过 {limit // (1024 * 1024)} MB 的上限）"
    if size == 0:
        return "文件内容为空"
    return None


@dataclass
class Job:
    id: str
    kind: str  # "upload" or "remove"
    status: str = "queued"  # queued → running → done | failed
    stage: str = "queued"
    done: int = 0
    total: int = 0
    files: list[dict] = field(default_factory=list)  # one FileResult-like dict per file, in the order sent
    summary: str = ""
    error_zh: str | None = None
    created: float = field(default_factory=time.time)

    def to_dict(self) -> dict:
        return {**asdict(self), "stage_zh": STAGES_ZH.get(self.stage, self.stage)}


def _result(upload_name: str, r: FileResult) -> dict:
    return {"file": upload_name, "doc_id": r.doc_id, "title": r.title, "ok": r.ok, "error": r.error_zh}


JOB_ID_RE = re.compile(r"^[0-9a-f]{12}$")


class Jobs:
    """A worker thread per server process runs that process's jobs in order (builds across processes are
    serialised by the build lock). Each job's state is saved as JSON for every process to read."""

    KEEP = 200
    SAVE_EVERY = 0.25  # seconds between progress writes

    def __init__(self, settings: Settings, on_change: Callable[[], None]):
        self.settings, self.on_change = settings, on_change
        self.folder = settings.index_dir / ".jobs"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue[tuple[Job, Callable[[Job], None]]] = queue.Queue()
        self._worker_pid: int | None = None
        self._start_lock = threading.Lock()

    def _ensure_worker(self) -> None:
        """Start this process's job thread on first use: threads do not survive the fork of a preloaded server."""
        with self._start_lock:
            if self._worker_pid != os.getpid():
                self._queue = queue.Queue()
                threading.Thread(target=self._work, args=(self._queue,), name="policyqa-jobs", daemon=True).start()
                self._worker_pid = os.getpid()

    def get(self, job_id: str) -> Job | None:
        if not JOB_ID_RE.match(job_id):
            return None
        try:
            data = json.loads((self.folder / f"{job_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        data.pop("stage_zh", None)
        return Job(**data)

    def save(self, job: Job) -> None:
        tmp = self.folder / f".{job.id}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(job.to_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / f"{job.id}.json")

    def submit(self, kind: str, run: Callable[[Job], None], files: list[dict] | None = None) -> Job:
        job = Job(uuid.uuid4().hex[:12], kind, files=files or [])
        self.save(job)
        old = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)[: -self.KEEP]
        for path in old:
            path.unlink(missing_ok=True)
        self._ensure_worker()
        self._queue.put((job, run))
        return job

    def _work(self, jobs: queue.Queue) -> None:
        while True:
            job, run = jobs.get()
            job.status = "running"
            self.save(job)
            try:
                run(job)
                self.on_change()  # this process answers from the new index before the job says it is done
                job.status, job.stage = "done", "done"
            except Exception as exc:  # the job fails; the server and the previous index stay up
                log.exception("job %s (%s) failed", job.id, job.kind)
                job.status, job.error_zh = "failed", f"处理失败：{type(exc).__name__}"
            self.save(job)

    def progress(self, job: Job) -> Callable[[str, int, int], None]:
        last = [0.0]

        def report(stage: str, done: int, total: int) -> None:
            changed = stage != job.stage
            job.stage, job.done, job.total = stage, done, total
            if changed or time.monotonic() - last[0] >= self.SAVE_EVERY:
                self.save(job)
                last[0] = time.monotonic()

        return report

    def upload(self, staging: Path, staged: list[tuple[int, Path, str]], early: list[dict]) -> Job:
        """Index staged files: (position in the request, staged path, stored name), all inside ``staging``, which
        is removed afterwards. ``early`` holds every file's result so far, in request order; refused files already
        carry their reason."""

        def run(job: Job) -> None:
            report = self.progress(job)
            try:
                placed = 0
                for pos, path, name in staged:
                    with ocr_context(self.settings, lambda _f, d, t: report("ocr", d, t)):
                        r = place_file(self.settings, path, name)
                    job.files[pos] = _result(job.files[pos]["file"], r)
                    placed += r.ok
                self.save(job)
                if placed:
                    summary = build_index(self.settings, progress=False, on_progress=report)
                    job.summary = summary.line_zh()
            finally:
                shutil.rmtree(staging, ignore_errors=True)

        return self.submit("upload", run, early)

    def remove(self, doc_ids: list[str]) -> Job:
        def run(job: Job) -> None:
            results, summary = remove_documents(self.settings, doc_ids, progress=False)
            job.files = [_result(ref, r) for ref, r in zip(doc_ids, results)]
            job.summary = summary.line_zh() if summary else ""

        return self.submit("remove", run, [{"file": d, "ok": None} for d in doc_ids])
