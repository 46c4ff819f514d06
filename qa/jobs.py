"""Document jobs as transactions, kept in SQLite so they survive the process that runs them.

A job (upload or removal, from the admin API or the CLI) goes through phases recorded before each step:

    receiving → staged → checking → building → committing → done | failed

Files to add wait in ``corpus/.incoming/<job>/``; the build reads them there and writes a new index version
*without* making it current. Then the job records ``committing`` with that version — the commit point — moves the
staged files into ``corpus/`` (removed ones out to the job's folder) and switches the index to the version. So a
file enters or leaves ``corpus/`` only with the index version that reflects it, and a build that fails changes
neither.

Recovery (at start-up, and by a job worker before it claims a job, while it holds the build lock so no job can be
running anywhere): a job past its commit point is rolled forward (each step is idempotent); any other unfinished
job is rolled back — its staging folder and unswitched version removed — and marked failed. Nothing stays
``running`` and nothing stays staged.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from .build import BuildSummary, Change, NothingToIndex, build_index, build_lock
from .documents import FileResult, find_document, valid_name
from .index import current_path, prune_uncommitted, switch_version
from .ingest import IngestError, read_document
from .metadata import sidecar_path
from .ocr import ocr_context
from .schema import DocMeta
from .settings import Settings
from .store import Stores

log = logging.getLogger("policyqa.jobs")

STAGES_ZH = {
    "queued": "排队中",
    "checking": "检查文件",
    "reading": "读取文件",
    "ocr": "识别文字",
    "embedding": "计算向量",
    "writing": "写入索引",
    "committing": "提交更改",
    "done": "完成",
}
INTERRUPTED_ZH = "任务在服务中断时未完成，已撤销，文件和索引保持原样；请重新提交。"


class Status(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Phase(StrEnum):
    RECEIVING = "receiving"  # the upload's files are being written to staging
    STAGED = "staged"  # complete, waiting for the worker
    CHECKING = "checking"
    BUILDING = "building"
    COMMITTING = "committing"  # the commit point: from here on a job is finished, not undone
    FINISHED = "finished"


def crash_point(name: str) -> None:
    """The fault-injection hook of the kill -9 tests (tests/test_jobs.py): with POLICYQA_CRASH_AT=<name> the
    process kills itself here, as a power cut or the OOM killer would. Unset (always, in production) it does
    nothing."""
    if os.environ.get("POLICYQA_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class Job:
    id: str
    kind: str  # "upload" or "remove"
    status: str = Status.QUEUED.value
    stage: str = "queued"
    done: int = 0
    total: int = 0
    files: list[dict] = field(default_factory=list)  # one result per file, in the order sent
    summary: str = ""
    error_zh: str | None = None
    created: float = field(default_factory=time.time)
    phase: str = Phase.RECEIVING.value
    version: str = ""  # the index version the job commits
    owner: int = 0  # pid of the process that wrote the staged files / runs the job
    adds: dict[str, str] = field(default_factory=dict)  # corpus name → staged file (relative to the corpus)
    removes: list[str] = field(default_factory=list)  # corpus names
    replaced: dict[str, str] = field(default_factory=dict)  # corpus name removed → the name that replaces it

    def to_dict(self) -> dict:
        hidden = ("owner", "adds", "removes", "version", "phase", "replaced")
        public = {k: v for k, v in asdict(self).items() if k not in hidden}
        return {**public, "stage_zh": STAGES_ZH.get(self.stage, self.stage)}


@dataclass
class ArchivedVersion:
    """A document as it was before a job replaced or removed it; kept in ``corpus/.versions/<id>/`` to restore."""

    id: str
    name: str  # its corpus file name
    title: str
    issuer: str
    archived_at: float
    job_id: str
    replaced_by: str = ""  # the corpus name of the document that replaced it ("" when it was removed)

    def to_dict(self) -> dict:
        return asdict(self)


_COLUMNS = [f for f in Job.__dataclass_fields__]
_JSON = ("files", "adds", "removes", "replaced")


class JobStore:
    """Jobs in ``index/.jobs/jobs.db`` (WAL: readers never wait for the job writing its progress)."""

    def __init__(self, index_dir: Path):
        folder = index_dir / ".jobs"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "jobs.db"
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, kind TEXT, status TEXT, stage TEXT, "
                "done INTEGER, total INTEGER, files TEXT, summary TEXT, error_zh TEXT, created REAL, phase TEXT, "
                "version TEXT, owner INTEGER, adds TEXT, removes TEXT, replaced TEXT)"
            )
            if "replaced" not in {row[1] for row in db.execute("PRAGMA table_info(jobs)")}:  # older tables
                db.execute("ALTER TABLE jobs ADD COLUMN replaced TEXT DEFAULT '{}'")
            db.execute(
                "CREATE TABLE IF NOT EXISTS versions (id TEXT PRIMARY KEY, name TEXT, title TEXT, issuer TEXT, "
                "archived_at REAL, job_id TEXT, replaced_by TEXT)"
            )

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.execute("PRAGMA synchronous=FULL")  # a recorded phase survives a power cut, not only a kill
            yield db

    def save(self, job: Job) -> None:
        row = [json.dumps(getattr(job, c), ensure_ascii=False) if c in _JSON else getattr(job, c) for c in _COLUMNS]
        with self._db() as db:
            db.execute(
                f"INSERT OR REPLACE INTO jobs ({','.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})", row
            )

    def _job(self, row) -> Job:
        data = dict(zip(_COLUMNS, row))
        for c in _JSON:
            data[c] = json.loads(data[c])
        return Job(**data)

    def get(self, job_id: str) -> Job | None:
        with self._db() as db:
            row = db.execute(f"SELECT {','.join(_COLUMNS)} FROM jobs WHERE id=?", (job_id,)).fetchone()
        return self._job(row) if row else None

    def where(self, sql: str, *args) -> list[Job]:
        with self._db() as db:
            rows = db.execute(f"SELECT {','.join(_COLUMNS)} FROM jobs WHERE {sql} ORDER BY created", args).fetchall()
        return [self._job(r) for r in rows]

    def claim(self, job_id: str, pid: int) -> bool:
        """queued → running, for one process only."""
        with self._db() as db:
            cur = db.execute(
                "UPDATE jobs SET status=?, owner=? WHERE id=? AND status=? AND phase=?",
                (Status.RUNNING.value, pid, job_id, Status.QUEUED.value, Phase.STAGED.value),
            )
            return cur.rowcount == 1

    def archive(self, version: ArchivedVersion) -> None:
        with self._db() as db:
            db.execute(
                "INSERT OR IGNORE INTO versions (id, name, title, issuer, archived_at, job_id, replaced_by) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    version.id,
                    version.name,
                    version.title,
                    version.issuer,
                    version.archived_at,
                    version.job_id,
                    version.replaced_by,
                ),
            )

    def versions(self) -> list[ArchivedVersion]:
        with self._db() as db:
            rows = db.execute(
                "SELECT id, name, title, issuer, archived_at, job_id, replaced_by FROM versions ORDER BY archived_at"
            ).fetchall()
        return [ArchivedVersion(*r) for r in rows]

    def forget_old(self, keep: int = 500) -> None:
        with self._db() as db:
            db.execute(
                "DELETE FROM jobs WHERE status IN ('done','failed') AND id NOT IN "
                "(SELECT id FROM jobs ORDER BY created DESC LIMIT ?)",
                (keep,),
            )


def staging_root(settings: Settings) -> Path:
    """Uploads wait beside the corpus (same file system, so placing them is a rename), in a hidden folder."""
    root = settings.corpus_dir / ".incoming"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _result(upload_name: str, r: FileResult) -> dict:
    return {"file": upload_name, "doc_id": r.doc_id, "title": r.title, "ok": r.ok, "error": r.error_zh}


class Transactions:
    """Running and recovering jobs for one corpus and index."""

    def __init__(self, settings: Settings, store: JobStore | None = None):
        self.settings = settings
        self.store = store or JobStore(settings.index_dir)

    # creating jobs -------------------------------------------------------------------------------------------

    def begin(self, kind: str, files: list[dict] | None = None) -> tuple[Job, Path]:
        """A new job and its (empty) staging folder, recorded before any file is written there."""
        job = Job(uuid.uuid4().hex[:12], kind, files=files or [], owner=os.getpid())
        self.store.save(job)
        folder = staging_root(self.settings) / job.id
        folder.mkdir()
        return job, folder

    def stage(self, job: Job, adds: dict[str, Path], removes: list[str] = ()) -> Job:
        """The job's files are all in staging: it may run."""
        root = staging_root(self.settings)
        job.adds = {name: str(path.relative_to(root)) for name, path in adds.items()}
        job.removes = list(removes)
        job.phase, job.total = Phase.STAGED.value, len(adds) + len(removes)
        self.store.save(job)
        return job

    # running -------------------------------------------------------------------------------------------------

    def run(
        self,
        job: Job,
        progress: Callable[[str, int, int], None] | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> BuildSummary | None:
        """Check, build, commit. The caller holds the build lock and has claimed the job. ``on_commit`` runs
        before the job says done (the server loads the new version first, so 'done' means it answers from it).
        Returns the build's summary (None when nothing was built); the outcome is in ``job``."""
        root = staging_root(self.settings)
        summary = None
        report = progress or (lambda stage, done, total: None)
        job.status = Status.RUNNING.value
        try:
            job.phase, job.stage = Phase.CHECKING.value, "checking"
            self.store.save(job)
            crash_point("checking")
            change = Change()
            indexed = self._indexed_titles()
            for name, rel in job.adds.items():
                with ocr_context(self.settings, lambda _file, done, total: report("ocr", done, total)):
                    r, meta = self._check(name, root / rel)  # pages OCR'd here are cached for the build
                if r.ok:
                    change.add[name] = root / rel
                    old = indexed.get((meta.title, meta.issuer)) if meta.title else None
                    if old and old != name and old not in job.removes:  # a new version of an indexed document
                        job.removes.append(old)
                        job.replaced[old] = name
                self._set_result(job, name, r)
            if len(change.add) == 1:  # one file named with what it replaces (restore, add --replaces)
                for ref in job.removes:
                    job.replaced.setdefault(ref, next(iter(change.add)))
            for ref in job.removes:
                path = find_document(self.settings, ref)
                r = (
                    FileResult(ref, doc_id=path.name)
                    if path
                    else FileResult(ref, error="missing", error_zh=f"找不到文件：{ref}")
                )
                if path:
                    change.remove.add(path.name)
                self._set_result(job, ref, r)
            job.adds = {n: rel for n, rel in job.adds.items() if n in change.add}  # refused files never move
            job.removes = sorted(change.remove)
            if change.add or change.remove:
                job.phase = Phase.BUILDING.value
                self.store.save(job)
                summary = build_index(self.settings, progress=False, on_progress=report, change=change, switch=False)
                crash_point("built")
                current = current_path(self.settings.index_dir)
                job.version = summary.version or (current.name if current else "")
                job.summary = summary.line_zh()
                job.phase, job.stage = Phase.COMMITTING.value, "committing"
                self.store.save(job)  # the commit point
                crash_point("committing")
                self.commit(job)
                if on_commit:
                    on_commit()
            job.status, job.stage, job.phase = Status.DONE.value, "done", Phase.FINISHED.value
        except NothingToIndex as exc:
            self.roll_back(job, exc.message_zh)
            return None
        except Exception as exc:  # the job fails; corpus and index stay as they were
            if job.phase == Phase.COMMITTING.value:
                raise  # past the commit point: recovery finishes it (the next worker or the next start)
            log.exception("job %s (%s) failed", job.id, job.kind)
            self.roll_back(job, f"处理失败：{type(exc).__name__}")
            return None
        self.store.save(job)
        shutil.rmtree(root / job.id, ignore_errors=True)
        return summary

    def _check(self, name: str, path: Path) -> tuple[FileResult, DocMeta]:
        """Reads as a document (bounded parsing): an unreadable file never enters the corpus."""
        if why := valid_name(name):
            return FileResult(name, error=f"invalid name {name!r}", error_zh=why), DocMeta()
        try:
            doc = read_document(path, name)
        except IngestError as exc:
            return FileResult(name, error=exc.reason, error_zh=exc.reason_zh), DocMeta()
        return FileResult(name, doc_id=name, title=doc.meta.title), doc.meta

    def _indexed_titles(self) -> dict[tuple[str, str], str]:
        """(title, issuer) → corpus name of each indexed document: an upload with the same pair is its new version."""
        current = current_path(self.settings.index_dir)
        try:
            records = json.loads((current / "documents.json").read_text(encoding="utf-8")) if current else {}
        except (OSError, ValueError):
            return {}
        return {(r["meta"]["title"], r["meta"]["issuer"]): name for name, r in records.items() if r["meta"]["title"]}

    def _archive(self, job: Job, n: int, path: Path, replaced_by: str) -> None:
        """Keep a file leaving the corpus (removed, or replaced by a new version) where it can be restored from;
        recorded before it moves, under an id fixed by the job, so a repeated commit archives it once."""
        version_id = f"{job.id}-{n}"
        folder = self.settings.corpus_dir / ".versions" / version_id
        if (folder / path.name).exists():
            return
        meta = self._indexed_meta(path.name)
        self.store.archive(
            ArchivedVersion(
                version_id, path.name, meta.get("title", ""), meta.get("issuer", ""), time.time(), job.id, replaced_by
            )
        )
        folder.mkdir(parents=True, exist_ok=True)
        for src in (sidecar_path(path), path):
            if src.exists():
                os.replace(src, folder / src.name)

    def _indexed_meta(self, name: str) -> dict:
        current = current_path(self.settings.index_dir)
        try:
            records = json.loads((current / "documents.json").read_text(encoding="utf-8")) if current else {}
        except (OSError, ValueError):
            return {}
        return records.get(name, {}).get("meta", {})

    def _set_result(self, job: Job, name: str, r: FileResult) -> None:
        """Upload results go where the request listed the file (refused files keep their early reason)."""
        found = False
        for i, f in enumerate(job.files):
            if f.get("ok") is None and (f.get("stored") == name or f.get("file") == name):
                job.files[i] = {**_result(f["file"], r), "stored": name}
                found = True
        if not found:
            job.files.append({**_result(name, r), "stored": name})

    def commit(self, job: Job) -> None:
        """Move the files and switch the index: idempotent, so recovery may run it again after a crash anywhere
        inside it."""
        root, corpus = staging_root(self.settings), self.settings.corpus_dir
        for n, name in enumerate(job.removes):
            if (corpus / name).exists():
                self._archive(job, n, corpus / name, job.replaced.get(name, ""))
        for n, (name, rel) in enumerate(job.adds.items(), len(job.removes)):
            staged = root / rel
            if staged.exists() and (corpus / name).exists():  # same name, new content: the old one is kept
                self._archive(job, n, corpus / name, name)
            for src, dst in ((sidecar_path(staged), sidecar_path(corpus / name)), (staged, corpus / name)):
                if src.exists():
                    os.replace(src, dst)
        crash_point("moved")
        current = current_path(self.settings.index_dir)
        if job.version and (current is None or current.name != job.version):
            if (self.settings.index_dir / job.version).is_dir():
                switch_version(self.settings.index_dir, job.version, Stores(self.settings))
            else:  # cannot happen unless someone deleted it; a plain build then brings the index up to date
                log.error("version %s of job %s is gone; rebuilding", job.version, job.id)
                build_index(self.settings, progress=False)

    def roll_back(self, job: Job, why_zh: str) -> None:
        job.status, job.error_zh, job.phase = Status.FAILED.value, why_zh, Phase.FINISHED.value
        for f in job.files:  # nothing of a failed job entered the corpus, the files that read well included
            if f.get("ok") is not False:
                f["ok"], f["error"] = False, why_zh
        self.store.save(job)
        shutil.rmtree(staging_root(self.settings) / job.id, ignore_errors=True)
        prune_uncommitted(self.settings.index_dir, Stores(self.settings))

    # recovery ------------------------------------------------------------------------------------------------

    def recover(self, *, at_start: bool = False) -> list[Job]:
        """Finish or roll back every job no live process is running (call with the build lock held, or it is
        taken here). Returns the jobs it settled."""
        settled = []
        with build_lock(self.settings.index_dir):
            for job in self.store.where("status IN ('queued','running')"):
                receiving = job.phase == Phase.RECEIVING.value
                if receiving and _alive(job.owner) and not (at_start and job.owner == os.getpid()):
                    continue  # its files are still arriving
                if job.status == Status.QUEUED.value and not receiving:
                    continue  # complete and waiting: a worker runs it
                if job.phase == Phase.COMMITTING.value:
                    self.commit(job)
                    job.status, job.stage, job.phase = Status.DONE.value, "done", Phase.FINISHED.value
                    self.store.save(job)
                    shutil.rmtree(staging_root(self.settings) / job.id, ignore_errors=True)
                    log.warning("job %s was interrupted after its commit point: finished", job.id)
                else:
                    log.warning("job %s was interrupted in phase %s: rolled back", job.id, job.phase)
                    self.roll_back(job, INTERRUPTED_ZH)
                settled.append(job)
            self._clear_staging()
            prune_uncommitted(self.settings.index_dir, Stores(self.settings))
        return settled

    def _clear_staging(self) -> None:
        """Staging folders of no pending job (left by a crash) go; so do the older releases' ``.incoming-*``."""
        pending = {j.id for j in self.store.where("status IN ('queued','running')")}
        root = staging_root(self.settings)
        for p in root.iterdir():
            if p.name not in pending:
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        for p in self.settings.corpus_dir.glob(".incoming-*"):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)

    # synchronous use (CLI) ----------------------------------------------------------------------------------

    def apply(
        self, adds: list[tuple[str, Path]], removes: list[str], progress: Callable | None = None
    ) -> tuple[Job, list[FileResult], BuildSummary | None]:
        """Run one change now, as a job (so a crash is recovered like any other): copy ``adds`` (corpus name,
        source file) into staging, then check, build and commit."""
        with build_lock(self.settings.index_dir):
            self.recover()
            kind = "upload" if adds else "remove"
            job, folder = self.begin(
                kind, [{"file": n, "ok": None} for n, _ in adds] + [{"file": r, "ok": None} for r in removes]
            )
            staged = {}
            for pos, (name, source) in enumerate(adds):
                target = folder / str(pos) / name
                target.parent.mkdir()
                shutil.copyfile(source, target)
                if sidecar_path(source).exists():
                    shutil.copyfile(sidecar_path(source), sidecar_path(target))
                staged[name] = target
            crash_point("staged")
            self.stage(job, staged, removes)
            job.status = Status.RUNNING.value
            summary = self.run(job, progress)
        results = [
            FileResult(f["file"], doc_id=f.get("doc_id"), title=f.get("title") or "")
            if f.get("ok")
            else FileResult(f["file"], error=f.get("error") or "failed", error_zh=f.get("error") or job.error_zh)
            for f in job.files
        ]
        return job, results, summary


def restore(settings: Settings, version_id: str) -> tuple[Job, list[FileResult], BuildSummary | None] | None:
    """Bring an archived version back under its name, as a job; the version that replaced it (same title and
    issuer, or the same name) is archived in turn. None when there is no such version."""
    plan = restore_plan(settings, version_id)
    return Transactions(settings).apply(*plan) if plan else None


def restore_plan(settings: Settings, version_id: str) -> tuple[list[tuple[str, Path]], list[str]] | None:
    """(files to add, names to remove) that bring a version back, or None when there is no such version."""
    version = next((v for v in archived_versions(settings) if v.id == version_id), None)
    if version is None:
        return None
    current = version.replaced_by if version.replaced_by and version.replaced_by != version.name else None
    removes = [current] if current and (settings.corpus_dir / current).exists() else []
    return [(version.name, settings.corpus_dir / ".versions" / version_id / version.name)], removes


def archived_versions(settings: Settings) -> list[ArchivedVersion]:
    """Versions that can still be restored, oldest first."""
    store = JobStore(settings.index_dir)
    return [v for v in store.versions() if (settings.corpus_dir / ".versions" / v.id / v.name).exists()]


class Jobs:
    """The admin API's view: submit uploads and removals, read a job; a worker thread per server process runs
    queued jobs (any process's) one at a time, under the build lock."""

    POLL_S = 1.0
    SAVE_EVERY = 0.25

    def __init__(self, settings: Settings, on_change: Callable[[], None]):
        self.settings, self.on_change = settings, on_change
        self.tx = Transactions(settings)
        self._wake = threading.Event()
        self._worker_pid: int | None = None
        self._start_lock = threading.Lock()

    def _ensure_worker(self) -> None:
        """Start this process's job thread on first use: threads do not survive the fork of a preloaded server."""
        with self._start_lock:
            if self._worker_pid != os.getpid():
                threading.Thread(target=self._work, name="policyqa-jobs", daemon=True).start()
                self._worker_pid = os.getpid()

    def get(self, job_id: str) -> Job | None:
        self._ensure_worker()  # a restarted server runs jobs queued before it stopped
        if not (len(job_id) == 12 and all(c in "0123456789abcdef" for c in job_id)):
            return None
        return self.tx.store.get(job_id)

    def begin_upload(self, files: list[dict]) -> tuple[Job, Path]:
        return self.tx.begin("upload", files)

    def upload(self, job: Job, staged: dict[str, Path]) -> Job:
        self.tx.stage(job, staged)
        self._kick()
        return job

    def remove(self, doc_ids: list[str]) -> Job:
        job, _ = self.tx.begin("remove", [{"file": d, "ok": None} for d in doc_ids])
        self.tx.stage(job, {}, doc_ids)
        self._kick()
        return job

    def restore(self, version_id: str) -> Job | None:
        plan = restore_plan(self.settings, version_id)
        if plan is None:
            return None
        ((name, source),) = plan[0]
        job, folder = self.tx.begin("restore", [{"file": name, "ok": None}])
        (folder / name).write_bytes(source.read_bytes())
        if sidecar_path(source).exists():
            sidecar_path(folder / name).write_bytes(sidecar_path(source).read_bytes())
        self.tx.stage(job, {name: folder / name}, plan[1])
        self._kick()
        return job

    def discard(self, job: Job, why_zh: str) -> None:
        self.tx.roll_back(job, why_zh)

    def _kick(self) -> None:
        self.tx.store.forget_old()
        self._ensure_worker()
        self._wake.set()

    def _work(self) -> None:
        while True:
            self._wake.wait(self.POLL_S)
            self._wake.clear()
            try:
                self._run_queued()
            except Exception:  # never let the worker thread die; the job is recovered by the next pass
                log.exception("job worker pass failed")

    def _run_queued(self) -> None:
        while queued := self.tx.store.where("status='queued' AND phase=?", Phase.STAGED.value):
            with build_lock(self.settings.index_dir):
                self.tx.recover()  # under the lock, a job still 'running' belongs to a dead process
                job = self.tx.store.get(queued[0].id)
                if job is None or not self.tx.store.claim(job.id, os.getpid()):
                    continue
                job.status, job.owner = Status.RUNNING.value, os.getpid()
                self.tx.run(job, self._progress(job), on_commit=self.on_change)

    def _progress(self, job: Job) -> Callable[[str, int, int], None]:
        last = [0.0]

        def report(stage: str, done: int, total: int) -> None:
            changed = stage != job.stage
            job.stage, job.done, job.total = stage, done, total
            if changed or time.monotonic() - last[0] >= self.SAVE_EVERY:
                self.tx.store.save(job)
                last[0] = time.monotonic()

        return report
