"""Versions: a document uploaded with the title and issuer of an indexed one replaces it; the old version is kept,
listed and restorable (which archives the newer one in turn); the same file name with new content is a new
version too. Corpus and index agree after every step."""

import shutil

import pytest
from click.testing import CliRunner

from qa.build import stale_reason
from qa.cli import main
from qa.index import load_index
from qa.ingest import corpus_files
from qa.jobs import Transactions, archived_versions, restore

pytestmark = pytest.mark.slow


def _copy(built_settings, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(built_settings.corpus_dir, corpus, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(built_settings.index_dir, index, ignore=shutil.ignore_patterns(".jobs", ".build.lock"))
    return built_settings.model_copy(update={"corpus_dir": corpus, "index_dir": index})


def _files(settings) -> set[str]:
    names = {p.name for p in corpus_files(settings.corpus_dir)}
    assert set(load_index(settings.index_dir).records) == names and stale_reason(settings) is None
    return names


def test_same_title_and_issuer_replaces_keeps_and_restores(built_settings, tmp_path):
    settings = _copy(built_settings, tmp_path)
    old = next(p for p in corpus_files(settings.corpus_dir) if p.name.startswith("湖南"))
    meta = load_index(settings.index_dir).records[old.name].meta
    new = tmp_path / "湖南要点-修订版.txt"
    new.write_text(old.read_text(encoding="utf-8").replace("不低于15站", "不低于20站"), encoding="utf-8")

    job, results, _ = Transactions(settings).apply([(new.name, new)], [])
    assert job.status == "done" and results[0].ok
    files = _files(settings)
    assert new.name in files and old.name not in files
    record = load_index(settings.index_dir).records[new.name]
    assert (record.meta.title, record.meta.issuer) == (meta.title, meta.issuer)
    [kept] = archived_versions(settings)
    assert (kept.name, kept.replaced_by, kept.title) == (old.name, new.name, meta.title)

    args = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    listed = CliRunner().invoke(main, [*args, "versions"]).output
    assert kept.id in listed and old.name in listed

    job, _, _ = restore(settings, kept.id)
    assert job.status == "done"
    files = _files(settings)
    assert old.name in files and new.name not in files
    assert (settings.corpus_dir / old.name).read_text(encoding="utf-8") == old.read_text(encoding="utf-8")
    newer = [v for v in archived_versions(settings) if v.name == new.name]
    assert newer and newer[0].replaced_by == old.name  # the revision is kept in turn
    assert restore(settings, "no-such-version") is None


def test_same_name_new_content_keeps_the_old_file(built_settings, tmp_path):
    settings = _copy(built_settings, tmp_path)
    doc = sorted(corpus_files(settings.corpus_dir))[0]
    before = doc.read_bytes()
    edited = tmp_path / doc.name
    edited.write_text(doc.read_text(encoding="utf-8") + "\n附：联系人：科普部。\n", encoding="utf-8")
    job, _, _ = Transactions(settings).apply([(doc.name, edited)], [])
    assert job.status == "done" and _files(settings) >= {doc.name}
    [kept] = archived_versions(settings)
    assert kept.name == doc.name and (settings.corpus_dir / ".versions" / kept.id / doc.name).read_bytes() == before
