"""Which index versions are still in use, so that a build (or a worker that has moved on) never removes one that a
request or another worker can still read.

A build switches ``index/CURRENT`` in one rename; every worker process moves to the new version on its next request,
and requests already running finish on the version they started with. For FAISS that is almost free (a loaded
version lives in memory and in memory-mapped pages), but a version's Milvus collection is searched *live*: dropping it
while one request on one worker still uses it is an error for that user. So versions are removed only when nobody
holds a lease on them.

How a lease works, and why this design:

- Each serving process writes one small file ``index/.leases/<host>-<pid>-<n>.json`` naming the versions it may still
  search: the one it is loading, the one it serves and any older one that a running request still holds. "Still
  holds" is Python's own reference count: the lease tracks the loaded ``Index`` objects through weak references, and a
  request keeps the assistant (and so its index) alive until it returns. No route has to remember to release anything,
  and a reference cycle can only make a lease last longer, never shorter.
- A process renews its file every ``RENEW_SECONDS`` from a daemon thread. A file older than ``LEASE_SECONDS``, or
  written on this host by a process that no longer exists (``kill -9``), holds nothing: a crashed worker cannot pin a
  version for ever, and a live but idle worker keeps its version however long it idles.
- Ordering makes it race-free without a lock on the readers' side: a reader writes its lease for the version CURRENT
  names *before* loading it and then reads CURRENT again (``Service`` does this). A pruner reads leases only after the
  version stopped being CURRENT. So either the reader's second look saw the version still CURRENT — then its lease
  was written before the switch and the pruner sees it — or it saw the new CURRENT and loads that one instead.
- Pruning runs under the build lock (``.build.lock``, the one `policyqa build` takes): at the end of every build, and
  in a serving process when it lets go of a version (if no build is running; otherwise that build prunes).

A Milvus collection alias (``alter_alias``) was considered and not used: an alias flips what *every* worker searches
at one instant, while each worker's chunk list and keyword index still belong to the version it loaded (dense hits are
positions in that chunk list), so a flip would mix two versions in one answer. One collection per version, named in
the version folder, keeps the dense and keyword sides of an answer from the same complete version.
"""

from __future__ import annotations

import atexit
import fcntl
import itertools
import json
import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("policyqa.leases")

LEASE_DIR = ".leases"
BUILD_LOCK = ".build.lock"  # the file qa/build.py's build_lock takes: one builder or pruner at a time
LEASE_SECONDS = 60.0  # a lease not renewed for this long is void (its process hangs or is gone)
RENEW_SECONDS = 10.0  # well inside LEASE_SECONDS: a busy machine may delay a renewal by seconds
HOST = socket.gethostname()
_numbers = itertools.count(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


class Lease:
    """One process's lease on the versions of one index folder it may still search.

    ``hold(version)`` before loading a version (written at once); ``track(index)`` once loaded, so that the version
    stays leased exactly as long as the loaded ``Index`` object is alive in this process. ``on_release`` is called
    (from the renewal thread) after a version left the lease, to prune it if nobody else holds it; it returns False
    when it could not (a build held the lock) and is then called again at the next renewal. A release is remembered
    whichever renewal wrote it — the one of a new load too — so none is lost between renewals."""

    def __init__(self, index_dir: Path, on_release: Callable[[], bool] | None = None):
        self.index_dir = Path(index_dir)
        self.on_release = on_release
        self._held: dict[str, int] = {}  # versions being loaded
        self._loaded: dict[int, tuple[weakref.ref, str]] = {}  # id → (weak reference to a loaded Index, version)
        self._lock = threading.Lock()
        self._writing = threading.Lock()  # a request thread and the renewal thread never write the file at once
        self._written: set[str] = set()
        self.released = False  # a version left the lease and on_release has not yet pruned after it
        self._name = f"{HOST}-{os.getpid()}-{next(_numbers)}.json"
        self._finalizer = weakref.finalize(self, _unlink, self.file)  # a lease dropped unclosed holds nothing
        _registry.add(self)

    @property
    def file(self) -> Path:
        return self.index_dir / LEASE_DIR / self._name

    def versions(self) -> set[str]:
        with self._lock:
            return set(self._held) | {name for ref, name in self._loaded.values() if ref() is not None}

    @contextmanager
    def holding(self, version: str) -> Iterator[None]:
        """Lease ``version`` while it is being loaded (the lease is on disk before this returns)."""
        with self._lock:
            self._held[version] = self._held.get(version, 0) + 1
        self.renew()
        try:
            yield
        finally:
            with self._lock:
                self._held[version] -= 1
                if not self._held[version]:
                    del self._held[version]

    def track(self, index) -> None:
        """Keep ``index.path.name`` leased for as long as ``index`` is referenced in this process."""
        key = id(index)

        def forget(_ref, key=key) -> None:  # the Index was collected: its id may be reused
            self._loaded.pop(key, None)

        with self._lock:
            self._loaded[key] = (weakref.ref(index, forget), index.path.name)

    def renew(self) -> bool:
        """Rewrite the lease file (whole, by rename: a reader never sees half of it); True if a version left the
        lease since the last renewal."""
        with self._writing:
            versions = self.versions()
            folder = self.file.parent
            folder.mkdir(exist_ok=True)  # not parents: a removed index folder is not recreated
            record = {"host": HOST, "pid": os.getpid(), "versions": sorted(versions), "renewed": time.time()}
            tmp = folder / f".{self._name}.tmp"
            tmp.write_text(json.dumps(record), encoding="utf-8")
            os.replace(tmp, self.file)
            released = bool(self._written - versions)
            self._written = versions
            self.released = self.released or released
            return released

    def take_release(self) -> bool:
        """Whether a version left the lease since the last call (cleared: the caller prunes after it)."""
        with self._writing:
            released, self.released = self.released, False
            return released

    def mark_released(self) -> None:
        with self._writing:
            self.released = True

    def close(self) -> None:
        self._finalizer()
        _registry.discard(self)

    def _after_fork(self) -> None:
        """A forked child is another process: its own file, its own pid (the parent keeps its lease)."""
        self._lock, self._writing = threading.Lock(), threading.Lock()
        self._finalizer.detach()  # the parent's file is the parent's
        self._name = f"{HOST}-{os.getpid()}-{next(_numbers)}.json"
        self._finalizer = weakref.finalize(self, _unlink, self.file)
        self._written = set()


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def leased_versions(index_dir: Path, now: float | None = None) -> set[str]:
    """Every version named by a valid lease; void lease files are removed on the way."""
    now = time.time() if now is None else now
    held: set[str] = set()
    folder = Path(index_dir) / LEASE_DIR
    if not folder.is_dir():
        return held
    for path in folder.glob("*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            renewed, pid, host = float(record["renewed"]), int(record["pid"]), str(record["host"])
            versions = [str(v) for v in record["versions"]]
        except FileNotFoundError:
            continue  # its process closed it meanwhile
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("unreadable lease %s ignored", path.name)  # never written by this module: it renames whole
            continue
        if now - renewed > LEASE_SECONDS or (host == HOST and not _alive(pid)):
            path.unlink(missing_ok=True)
            continue
        held.update(versions)
    return held


@contextmanager
def pruning_lock(index_dir: Path, *, wait: bool) -> Iterator[bool]:
    """The build lock, so that pruning never races a build; ``wait=False`` yields False if a build holds it."""
    path = Path(index_dir) / BUILD_LOCK
    with path.open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class _Registry:
    """Every live lease of this process, renewed by one daemon thread (started on first use and again in a forked
    child, where the parent's thread does not exist)."""

    def __init__(self):
        self._leases: weakref.WeakSet[Lease] = weakref.WeakSet()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._guard = threading.Lock()
        # one renewal at a time: two at once (the renewal thread and an explicit call) could each see the other's
        # prune holding the lock and give up on a release the other's prune read too early to see
        self._renewing = threading.Lock()

    def add(self, lease: Lease) -> None:
        with self._guard:
            self._leases.add(lease)
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="policyqa-leases", daemon=True)
                self._thread.start()

    def discard(self, lease: Lease) -> None:
        self._leases.discard(lease)

    def renew_all(self) -> None:
        with self._renewing:
            self._renew_each()

    def _renew_each(self) -> None:
        for lease in list(self._leases):
            try:
                lease.renew()
                if lease.on_release and lease.take_release() and not lease.on_release():
                    lease.mark_released()  # a build held the lock: again at the next renewal
            except Exception as exc:  # a full disk or a dropped Milvus connection must not end the renewals
                log.warning("lease %s not renewed: %s", lease.file, exc)

    def _run(self) -> None:
        while True:
            time.sleep(RENEW_SECONDS)
            if self._pid != os.getpid():
                return
            self.renew_all()

    def after_fork(self) -> None:
        self._guard, self._renewing = threading.Lock(), threading.Lock()
        self._thread = None
        leases = list(self._leases)
        for lease in leases:
            lease._after_fork()
        if leases:
            self.add(leases[0])  # starts this process's renewal thread
            self.renew_all()

    def close_all(self) -> None:
        if self._pid == os.getpid():
            for lease in list(self._leases):
                lease.close()


_registry = _Registry()
os.register_at_fork(after_in_child=_registry.after_fork)
atexit.register(_registry.close_all)
