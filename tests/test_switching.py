"""Index versions switched while questions are being answered: no question fails, every answer comes from one complete
version, and an old version (its files, its Milvus collection) goes only when nobody can search it any more.

With FAISS always; with Milvus Lite (in one process: Lite allows one); and against a real Milvus server process
started by the ``milvus`` package, with two server workers and CLI builds connected to it at once.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qa import leases
from qa.build import build_index
from qa.index import current_path, prune_unused, read_manifest
from qa.leases import Lease, leased_versions
from qa.load import free_port, wait_ready
from qa.service import Service
from qa.settings import Settings
from qa.store import Stores

pytestmark = pytest.mark.slow

# made-up pilot areas, one per switch: each build adds a notice only this area's question finds
AREAS = ["青禾", "松石", "云杉", "白鹭", "赤枫", "玉泉", "金沙", "银杏"]
STANDING = ["老年人那块谁牵头？", "农民科学素质提升是哪个部门牵头的", "科普讲解员培训要办多少期"]


def batch_file(k: int) -> str:
    return f"数字乡村试点第{k}批.txt"


def batch_notice(k: int) -> str:
    return (
        f"某市数字乡村第{k}批试点名单的通知\n一、试点范围\n第{k}批数字乡村试点设在{AREAS[k]}片区，共{k + 3}个行政村。\n"
        f"二、工作要求\n{AREAS[k]}片区各试点村须于年底前建成村级数字服务站。\n"
    )


def batch_question(k: int) -> str:
    return f"{AREAS[k]}片区数字乡村试点有几个村"


@dataclass
class Run:
    """What happened while versions switched under questions."""

    documents: dict[str, set[str]] = field(default_factory=dict)  # version → its document files
    answers: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (version or worker, question, files)
    errors: list[str] = field(default_factory=list)
    switches: int = 0


def record_version(index_dir: Path, run: Run) -> str:
    """The document files of the version CURRENT names (read while it is CURRENT, so before anything prunes it)."""
    version = current_path(index_dir)
    run.documents[version.name] = set(json.loads((version / "documents.json").read_text(encoding="utf-8")))
    return version.name


def add_batch(settings: Settings, k: int) -> None:
    (settings.corpus_dir / batch_file(k)).write_text(batch_notice(k), encoding="utf-8")


def check_complete(run: Run) -> None:
    """Every answer cites only documents of the version it was answered from, and a batch notice's question is
    answered by that notice whenever the version holds it (so the dense hits and the chunk list were one version's)."""
    for version, question, files in run.answers:
        assert version in run.documents, f"answered from a version never made current: {version}"
        assert set(files) <= run.documents[version], (version, question, files)
        for k in range(len(AREAS)):
            if question == batch_question(k) and batch_file(k) in run.documents[version]:
                assert files[:1] == [batch_file(k)], (version, question, files)


def versions_on_disk(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.iterdir() if p.name.startswith("v-")}


def copy_index(built: Settings, root: Path, **update) -> Settings:
    shutil.copytree(built.corpus_dir, root / "corpus")
    # the copy is a deployment of its own: the source's leases are those of the processes serving it (other tests
    # of this session), and copied here they would keep this copy's old versions from ever being pruned
    shutil.copytree(built.index_dir, root / "index", ignore=shutil.ignore_patterns(".leases"))
    return built.model_copy(
        update={"corpus_dir": root / "corpus", "index_dir": root / "index", "feedback_db": root / "fb.db", **update}
    )


def switch_under_questions(settings: Settings, switches: int, threads: int = 3) -> Run:
    """``threads`` threads ask continuously through one Service (as a worker's requests do) while this thread adds
    a notice and builds ``switches`` times; returns what every answer was and which errors were raised."""
    service = Service(settings)
    service.load()
    run = Run()
    record_version(settings.index_dir, run)
    stop = threading.Event()
    lock = threading.Lock()

    def ask(n: int) -> None:
        questions = [*STANDING, *(batch_question(k) for k in range(1, switches + 1))]
        while not stop.is_set():
            question = questions[n % len(questions)]
            n += 1
            try:
                qa = service.assistant()
                answer = qa.ask(question, 3)
                files = [h.meta.file for h in answer.passages]
                with lock:
                    run.answers.append((qa.index.path.name, question, files))
            except Exception as exc:  # any error is what this test is about
                with lock:
                    run.errors.append(f"{question}: {exc!r}")

    workers = [threading.Thread(target=ask, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    try:
        time.sleep(1.0)
        for k in range(1, switches + 1):
            add_batch(settings, k)
            assert build_index(settings, progress=False).rebuilt
            record_version(settings.index_dir, run)
            run.switches += 1
            time.sleep(1.0)  # questions on the new version before the next switch
    finally:
        stop.set()
        for t in workers:
            t.join(timeout=60)
    final = current_path(settings.index_dir).name
    assert service.assistant().index.path.name == final
    workers = None  # no request runs any more: only the version the service holds is in use
    gc.collect()
    leases._registry.renew_all()  # what the renewal thread does every RENEW_SECONDS: lets go of released versions
    return run


def report(name: str, run: Run) -> None:
    versions = {v for v, _, _ in run.answers}
    print(
        f"{name}: {run.switches} switches, {len(run.answers)} questions answered from {len(versions)} versions "
        f"by concurrent threads, {len(run.errors)} errors"
    )


def test_faiss_versions_switch_under_concurrent_questions(built_settings, tmp_path):
    settings = copy_index(built_settings, tmp_path)
    run = switch_under_questions(settings, switches=3)
    report("faiss", run)
    assert run.errors == []
    assert len({v for v, _, _ in run.answers}) >= 2, "no answer was given across a switch"
    check_complete(run)
    assert versions_on_disk(settings.index_dir) == {current_path(settings.index_dir).name}


def test_milvus_lite_versions_switch_under_concurrent_questions(built_settings, tmp_path):
    pytest.importorskip("milvus_lite", reason="Milvus Lite is not installed (pip install 'policyqa[milvus]')")
    settings = copy_index(built_settings, tmp_path, vector_store="milvus", milvus_collection="switch")
    assert build_index(settings, progress=False).embedded == 0  # into Milvus: vectors re-used
    run = switch_under_questions(settings, switches=3)
    report("milvus lite", run)
    assert run.errors == []
    assert len({v for v, _, _ in run.answers}) >= 2, "no answer was given across a switch"
    check_complete(run)
    current = current_path(settings.index_dir)
    assert versions_on_disk(settings.index_dir) == {current.name}
    client = Stores(settings).open("milvus", current, read_manifest(settings.index_dir).dim).client
    assert [c for c in client.list_collections() if c.startswith("switch_")] == [
        json.loads((current / "milvus.json").read_text())["collection"]
    ]


def test_a_request_keeps_its_version_until_it_returns(built_settings, tmp_path):
    """An answer in progress (a reference to the old assistant) outlives two builds: its version is still on disk
    and answers; once it returns and the lease is renewed, the version goes."""
    settings = copy_index(built_settings, tmp_path)
    service = Service(settings)
    service.load()
    in_flight = service.assistant()
    old = in_flight.index.path
    for k in (1, 2):
        add_batch(settings, k)
        build_index(settings, progress=False)
        assert service.assistant().index.path == current_path(settings.index_dir)
    assert old.is_dir() and old.name in leased_versions(settings.index_dir)
    assert in_flight.ask(STANDING[0], 3).passages
    del in_flight
    gc.collect()
    leases._registry.renew_all()
    assert not old.exists()
    assert versions_on_disk(settings.index_dir) == {current_path(settings.index_dir).name}


def test_a_release_written_by_any_renewal_is_pruned_and_retried_while_a_build_runs(tmp_path):
    """A version can leave the lease in the renewal a new load makes (not the renewal thread's), and the prune can
    find a build holding the lock: either way the renewal thread prunes afterwards, instead of forgetting it."""
    calls = []
    lease = Lease(tmp_path, on_release=lambda: calls.append(1) or len(calls) > 1)  # first a build holds the lock
    try:
        with lease.holding("v-old"):
            pass
        lease.renew()  # the new version's load renews: v-old leaves the lease here
        leases._registry.renew_all()
        assert len(calls) >= 1  # the release is not lost to the load's renewal
        leases._registry.renew_all()
        assert len(calls) >= 2  # pruning was refused (a build ran): tried again
        done = len(calls)
        leases._registry.renew_all()
        assert len(calls) == done  # pruned: nothing more to do
    finally:
        lease.close()


def test_leases_of_other_processes(built_settings, tmp_path):
    """A live process's lease keeps a version; a dead process's lease, or one not renewed in time, keeps nothing."""
    settings = copy_index(built_settings, tmp_path)
    old = current_path(settings.index_dir)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        folder = settings.index_dir / leases.LEASE_DIR
        folder.mkdir()
        record = {"host": leases.HOST, "pid": holder.pid, "versions": [old.name], "renewed": time.time()}
        (folder / "other.json").write_text(json.dumps(record))
        add_batch(settings, 1)
        build_index(settings, progress=False)
        assert old.is_dir(), "a version another live process leases was pruned"
        assert prune_unused(settings.index_dir, Stores(settings)) and old.is_dir()
        stale = {**record, "renewed": time.time() - leases.LEASE_SECONDS - 1}
        (folder / "other.json").write_text(json.dumps(stale))
        assert old.name not in leased_versions(settings.index_dir)
        (folder / "other.json").write_text(json.dumps(record))
        assert old.name in leased_versions(settings.index_dir)
    finally:
        holder.kill()
        holder.wait()
    assert old.name not in leased_versions(settings.index_dir)  # its process is gone
    assert prune_unused(settings.index_dir, Stores(settings)) and not old.exists()


def test_a_version_leased_before_the_switch_is_not_pruned(built_settings, tmp_path):
    """The ordering Service relies on: a lease written while the version is CURRENT is seen by the build that
    switches away from it."""
    settings = copy_index(built_settings, tmp_path)
    version = current_path(settings.index_dir)
    lease = Lease(settings.index_dir)
    with lease.holding(version.name):
        add_batch(settings, 1)
        build_index(settings, progress=False)
        assert version.is_dir()
    lease.renew()
    assert prune_unused(settings.index_dir, Stores(settings)) and not version.exists()
    lease.close()


# --- a real Milvus server: two workers and CLI builds connected to it at once ------------------------------------


@pytest.fixture(scope="module")
def milvus_server(tmp_path_factory):
    """A Milvus standalone server process from the ``milvus`` package (its binaries ship in the wheel; nothing is
    downloaded), on free ports, stopped at the end of the module whatever happens."""
    milvus = pytest.importorskip("milvus", reason="the milvus package (a local Milvus server) is not installed")
    server = milvus.MilvusServer(wait_for_started=False)
    server.set_base_dir(str(tmp_path_factory.mktemp("milvus-server")))
    t0 = time.perf_counter()
    try:
        server.start()
        server.wait_started(timeout=90_000)
    except (OSError, RuntimeError, TimeoutError) as exc:
        server.stop()
        pytest.skip(f"the milvus package cannot start a server on this machine: {exc}")
    print(f"Milvus server {milvus.__version__} up in {time.perf_counter() - t0:.1f}s on port {server.listen_port}")
    yield f"http://127.0.0.1:{server.listen_port}"
    server.stop()


def _http(base: str, path: str, body: dict | None = None) -> tuple[int, dict, str]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base}{path}", data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read()), r.headers.get("X-Worker", "")
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode(errors="replace")}, exc.headers.get("X-Worker", "")


def test_two_workers_and_cli_builds_on_one_milvus_server(built_settings, milvus_server, tmp_path):
    t0 = time.perf_counter()
    phases: list[tuple[str, float]] = []

    def phase(name: str) -> None:
        phases.append((name, time.perf_counter()))

    settings = copy_index(
        built_settings, tmp_path, vector_store="milvus", milvus_uri=milvus_server, milvus_collection="served"
    )
    assert build_index(settings, progress=False).embedded == 0
    phase("index into the server")
    env = {
        **os.environ,
        "POLICYQA_CORPUS_DIR": str(settings.corpus_dir),
        "POLICYQA_INDEX_DIR": str(settings.index_dir),
        "POLICYQA_VECTOR_STORE": "milvus",
        "POLICYQA_MILVUS_URI": milvus_server,
        "POLICYQA_MILVUS_COLLECTION": "served",
        "POLICYQA_RATE_LIMIT_PER_MINUTE": "0",
        "POLICYQA_FEEDBACK_DB": str(tmp_path / "fb.db"),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "qa", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run = Run()
    record_version(settings.index_dir, run)
    seen: dict[str, set[str]] = {}  # worker → index versions its /api/health named
    stop = threading.Event()
    lock = threading.Lock()
    # Two switches, each by a CLI process connected to the same server while the workers search it: `build` adding a
    # notice (a new collection with its vectors) and `remove` taking it out again (a new collection without it). Only
    # the first embeds, so only it loads the model (~15 s of a CLI process on two busy cores); a second build would
    # double that without testing anything the removal does not. With the askers pausing 0.15 s (not 0.05 s) the
    # workers leave the CLI processes a core: at load average 2-5 this test's own time went from 101 s (two builds,
    # 2,549 questions) to 73 s (638 questions, still answered throughout both switches).
    cli = [["build"], ["remove", batch_file(1)]]
    answered_at: list[float] = []
    during: dict[str, int] = {}  # CLI command → questions answered while its process ran

    def ask(n: int) -> None:
        questions = [*STANDING, batch_question(1)]
        while not stop.is_set():
            question = questions[n % len(questions)]
            n += 1
            try:
                status, body, worker = _http(base, "/api/ask", {"question": question, "k": 3})
            except Exception as exc:  # a dropped connection is an error too
                with lock:
                    run.errors.append(f"{question}: {exc!r}")
                continue
            with lock:
                if status != 200:
                    run.errors.append(f"{question}: {status} {body}")
                else:
                    run.answers.append((worker, question, [p["doc"]["file"] for p in body["passages"]]))
                    answered_at.append(time.perf_counter())
            time.sleep(0.15)  # a steady stream, leaving the CLI build some of the two cores

    def watch() -> None:
        """Which version each worker serves (its /api/health names it), to see both workers switch."""
        while not stop.is_set():
            try:
                status, health, worker = _http(base, "/api/health")
            except Exception as exc:
                with lock:
                    run.errors.append(f"health: {exc!r}")
                continue
            with lock:
                if status != 200:
                    run.errors.append(f"health: {status} {health}")
                else:
                    seen.setdefault(worker, set()).add(health["index_version"])
            time.sleep(0.2)

    askers = [threading.Thread(target=ask, args=(i,)) for i in range(3)] + [threading.Thread(target=watch)]
    try:
        wait_ready(base, timeout=120)
        phase("server ready")
        for t in askers:
            t.start()
        deadline = time.time() + 60
        while len(seen) < 2 and time.time() < deadline:  # both workers up and answering
            time.sleep(0.5)
        assert len(seen) == 2, f"only {len(seen)} worker answered"
        phase("both workers answering")
        add_batch(settings, 1)
        for command in cli:
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "qa", *command], env=env, capture_output=True, text=True, timeout=180
            )
            assert done.returncode == 0, done.stderr[-2000:]
            record_version(settings.index_dir, run)
            run.switches += 1
            phase(f"CLI {command[0]}")
            during[command[0]] = sum(started <= t <= phases[-1][1] for t in list(answered_at))
        final = current_path(settings.index_dir).name
        deadline = time.time() + 60
        while not all(final in v for v in seen.values()) and time.time() < deadline:
            time.sleep(0.5)
        phase("both workers on the final version")
    finally:
        stop.set()
        for t in askers:
            t.join(timeout=90)
        phase("askers stopped")
        server.terminate()
        server.wait(timeout=60)
        phase("server stopped")
    versions = set().union(*seen.values())
    print(
        f"milvus server: {run.switches} CLI switches, {len(run.answers)} questions answered by "
        f"{len(seen)} workers over {len(versions)} versions ({during} while the CLI processes ran), "
        f"{len(run.errors)} errors, {time.perf_counter() - t0:.0f}s"
    )
    assert run.errors == []
    assert all(n >= 10 for n in during.values()), f"too few questions while the CLI processes ran: {during}"
    assert all(final in v for v in seen.values()), f"a worker never reached {final}: {seen}"
    assert len(versions) >= 2
    # over HTTP the answer does not name its version: it must cite documents of one version that was current
    for worker, question, files in run.answers:
        assert any(set(files) <= docs for docs in run.documents.values()), (worker, question, files)
    assert any(q == batch_question(1) and f[:1] == [batch_file(1)] for _, q, f in run.answers), (
        "no worker served the build"
    )
    assert batch_file(1) in run.documents[sorted(run.documents)[1]] and len(run.documents) == 3
    # the workers are gone: their leases are void, and everything but the current version is dropped from the server
    assert prune_unused(settings.index_dir, Stores(settings))
    current = current_path(settings.index_dir)
    client = Stores(settings).open("milvus", current, read_manifest(settings.index_dir).dim).client
    served = sorted(c for c in client.list_collections() if c.startswith("served_"))
    assert served == [json.loads((current / "milvus.json").read_text())["collection"]]
    assert versions_on_disk(settings.index_dir) == {current.name}
    phase("pruned and checked")
    print(" · ".join(f"{name} {at - before:.1f}s" for (name, at), before in zip(phases, [t0] + [a for _, a in phases])))
