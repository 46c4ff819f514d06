"""Adding, updating and removing documents: only the changed file is embedded, the index equals a full rebuild,
and `policyqa add / remove / list` report per file."""

import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from qa.build import build_index
from qa.cli import main
from qa.documents import add_files, remove_documents, valid_name
from qa.index import load_index

from .conftest import CORPUS
from .make_formats import write_docx

pytestmark = pytest.mark.slow

QUESTIONS = ["湖南流动科技馆要巡展几站？", "老年人科学素质提升行动谁牵头？", "广东科普教育基地要搞到多少家"]


def _copy(built_settings, tmp_path):
    shutil.copytree(built_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_settings.index_dir, tmp_path / "index")
    return built_settings.model_copy(update={"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index"})


def assert_same_index(a, b):
    """Two indexes hold the same documents, chunks (ids, text, paths, spans, fields), vectors and keyword index."""
    assert list(a.records) == list(b.records)
    assert [r.meta for r in a.records.values()] == [r.meta for r in b.records.values()]
    assert [r.terms for r in a.records.values()] == [r.terms for r in b.records.values()]
    assert [c.to_dict() for c in a.chunks] == [c.to_dict() for c in b.chunks]
    assert np.allclose(a.vector_matrix(), b.vector_matrix(), atol=2e-5)
    assert a.lexical.tokenizer.terms == b.lexical.tokenizer.terms
    for q in QUESTIONS:
        assert np.allclose(a.lexical.word_scores(q), b.lexical.word_scores(q), atol=1e-5)
        assert np.allclose(a.lexical.bigram_scores(q), b.lexical.bigram_scores(q), atol=1e-5)


def test_add_update_remove_equal_a_full_rebuild(built_settings, tmp_path):
    settings = _copy(built_settings, tmp_path / "live")
    hunan = next(p for p in CORPUS.iterdir() if p.name.startswith("湖南"))
    before = load_index(settings.index_dir)
    hunan_chunks = sum(c.doc_id == hunan.name for c in before.chunks)

    results, summary = remove_documents(settings, [hunan.name], progress=False)
    assert results[0].ok and summary.removed == [hunan.name] and summary.embedded == 0
    assert summary.chunks == len(before.chunks) - hunan_chunks

    docx = write_docx(hunan.read_text(encoding="utf-8"), tmp_path / "湖南省科协2023年科普工作要点.docx")
    results, summary = add_files(settings, [docx], progress=False)
    assert results[0].ok and "湖南省科协2023年科普工作要点" in results[0].title.replace(" ", "")
    assert summary.added == [docx.name] and 0 < summary.embedded <= 20  # only the new document's chunks

    guangdong = next(p for p in settings.corpus_dir.iterdir() if p.name.startswith("广东"))
    with guangdong.open("a", encoding="utf-8") as f:
        f.write("\n九、其他\n各地市科协要在年底前报送全年科普工作总结。\n")
    summary = build_index(settings, progress=False)
    assert summary.updated == [guangdong.name] and summary.embedded <= 2  # the changed tail, not the document

    live = load_index(settings.index_dir)
    fresh = settings.model_copy(update={"index_dir": tmp_path / "fresh"})
    full = build_index(fresh, progress=False)
    assert full.embedded == full.chunks  # nothing to re-use: a true full rebuild
    assert_same_index(live, load_index(fresh.index_dir))


def test_added_dates_survive_updates_and_list_shows_them(built_settings, tmp_path):
    settings = _copy(built_settings, tmp_path)
    first = load_index(settings.index_dir).records
    hubei = next(n for n in first if n.startswith("湖北"))
    with (settings.corpus_dir / hubei).open("a", encoding="utf-8") as f:
        f.write("\n附：联系人：科普部。\n")
    build_index(settings, progress=False)
    after = load_index(settings.index_dir).records
    assert after[hubei].added_at == first[hubei].added_at and after[hubei].sha256 != first[hubei].sha256
    args = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    out = CliRunner().invoke(main, [*args, "list"]).output
    rows = [line.split("\t") for line in out.splitlines() if line.endswith(("Z", "+00:00"))]
    assert len(rows) == 5 and all(len(r) == 8 and r[5].isdigit() and int(r[5]) > 0 for r in rows)


def test_cli_add_refuses_broken_files_and_keeps_them_out_of_the_corpus(built_settings, tmp_path):
    settings = _copy(built_settings, tmp_path)
    broken = tmp_path / "坏的.pdf"
    broken.write_bytes(b"%PDF-1.4 broken")
    good = tmp_path / "通知.txt"
    good.write_text("某市科协关于开展科普月活动的通知\n一、活动时间\n2026年5月举办科普月活动。\n", encoding="utf-8")
    args = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    result = CliRunner().invoke(main, [*args, "add", str(broken), str(good)])
    assert result.exit_code == 1  # one file failed: scripts must notice
    assert "坏的.pdf：PDF 文件已损坏" in result.output and "✓ 通知.txt" in result.output
    assert not (settings.corpus_dir / "坏的.pdf").exists() and (settings.corpus_dir / "通知.txt").exists()
    assert "通知.txt" in load_index(settings.index_dir).records
    result = CliRunner().invoke(main, [*args, "remove", "通知", "没有这个文件"])
    assert "✓ 通知" in result.output and "找不到文件：没有这个文件" in result.output
    assert "通知.txt" not in load_index(settings.index_dir).records


@pytest.mark.parametrize("name", ["../evil.txt", ".hidden.txt", "a/b.txt", "x.exe", "x.txt.meta.json", "README.md"])
def test_unsafe_or_unsupported_names_are_refused(name):
    assert valid_name(name)
