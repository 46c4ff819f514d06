"""Document jobs as transactions: kill -9 at four moments of an upload and of a removal, restart, and corpus/,
`policyqa list`, the index and the job's status agree; nothing stays running or staged."""

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from qa.build import stale_reason
from qa.cli import main
from qa.index import current_path, load_index
from qa.ingest import corpus_files
from qa.jobs import JobStore, Transactions

pytestmark = pytest.mark.slow

NEW = "某市科协关于开展科普月活动的通知\n一、活动时间\n2026年5月举办全市科普月活动，共安排科普讲座40场。\n"
MOMENTS = ["staged", "built", "committing", "moved"]  # files staged / version written / commit point / files moved


def _copy(built_settings, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(built_settings.corpus_dir, corpus, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(built_settings.index_dir, index, ignore=shutil.ignore_patterns(".jobs", ".build.lock"))
    return built_settings.model_copy(update={"corpus_dir": corpus, "index_dir": index})


def _killed(settings, args: list[str], moment: str) -> None:
    env = {
        **os.environ,
        "POLICYQA_CORPUS_DIR": str(settings.corpus_dir),
        "POLICYQA_INDEX_DIR": str(settings.index_dir),
        "POLICYQA_CRASH_AT": moment,
    }
    proc = subprocess.run([sys.executable, "-m", "qa", *args], env=env, capture_output=True, timeout=600)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]  # it died at the moment, by SIGKILL


def _restart(settings) -> None:
    """Start the server on the same folders, as after a crash (start-up settles unfinished jobs)."""
    from app import create_app

    server = settings.model_copy(update={"feedback_db": settings.index_dir.parent / "fb.db"})
    with TestClient(create_app(server)) as client:
        assert client.get("/widget.js").status_code == 200


def _agree(settings) -> set[str]:
    """corpus/, the index, `policyqa list` and the job table tell one story; returns the corpus's files."""
    files = {p.name for p in corpus_files(settings.corpus_dir)}
    index = load_index(settings.index_dir)
    assert set(index.manifest.files) == files and set(index.records) == files
    assert stale_reason(settings) is None
    out = CliRunner().invoke(main, ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir), "list"])
    listed = {line.split("\t")[0] for line in out.output.splitlines()[1:] if "\t" in line}
    assert listed == files, out.output
    jobs = JobStore(settings.index_dir).where("1=1")
    assert jobs and all(j.status in ("done", "failed") for j in jobs)
    assert not list((settings.corpus_dir / ".incoming").iterdir())  # nothing left staged
    versions = [p.name for p in settings.index_dir.iterdir() if p.name.startswith(("v-", ".tmp-"))]
    assert versions == [current_path(settings.index_dir).name]  # no unswitched version left behind
    return files


@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_9_during_an_upload(built_settings, tmp_path, moment):
    settings = _copy(built_settings, tmp_path)
    before = {p.name for p in corpus_files(settings.corpus_dir)}
    new = tmp_path / "科普月通知.txt"
    new.write_text(NEW, encoding="utf-8")
    _killed(settings, ["add", str(new)], moment)
    _restart(settings)
    files = _agree(settings)
    job = JobStore(settings.index_dir).where("1=1")[-1]
    if moment in ("committing", "moved"):  # past the commit point: finished
        assert files == before | {new.name} and job.status == "done"
    else:  # before it: rolled back, as if never asked
        assert files == before and job.status == "failed" and "已撤销" in job.error_zh


@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_9_during_a_removal(built_settings, tmp_path, moment):
    settings = _copy(built_settings, tmp_path)
    before = {p.name for p in corpus_files(settings.corpus_dir)}
    gone = sorted(before)[0]
    _killed(settings, ["remove", gone], moment)
    _restart(settings)
    files = _agree(settings)
    job = JobStore(settings.index_dir).where("1=1")[-1]
    if moment in ("committing", "moved"):
        assert files == before - {gone} and job.status == "done"
    else:
        assert files == before and job.status == "failed"


def test_a_failed_build_leaves_corpus_and_index_as_they_were(built_settings, tmp_path, monkeypatch):
    settings = _copy(built_settings, tmp_path)
    before = {p.name for p in corpus_files(settings.corpus_dir)}
    version = current_path(settings.index_dir).name
    new = tmp_path / "新.txt"
    new.write_text(NEW, encoding="utf-8")

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("qa.build.write_index", broken)
    job, results, summary = Transactions(settings).apply([(new.name, new)], [])
    assert job.status == "failed" and summary is None and not results[0].ok
    assert {p.name for p in corpus_files(settings.corpus_dir)} == before
    assert current_path(settings.index_dir).name == version
    _agree(settings)


def test_removing_the_last_document_is_refused_with_a_reason(built_settings, tmp_path):
    settings = _copy(built_settings, tmp_path)
    names = [p.name for p in corpus_files(settings.corpus_dir)]
    job, results, _ = Transactions(settings).apply([], names)
    assert not any(r.ok for r in results)
    assert job.status == "failed" and "没有可以读取的文件" in job.error_zh
    assert {p.name for p in corpus_files(settings.corpus_dir)} == set(names)
