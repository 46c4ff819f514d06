"""Index files: round trip, atomic switch, stale and corrupt detection. No model needed except where marked."""

import numpy as np
import pytest

from qa.build import stale_reason
from qa.index import DocRecord, IndexUnavailable, Manifest, current_path, load_index, write_index
from qa.schema import Chunk, DocMeta
from qa.settings import Settings

from .conftest import copy_corpus


def _tiny_index(index_dir, n=4, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    chunks = [Chunk(i, "d", f"第{i}段", ["标题", f"{i}.节"], (i * 10, i * 10 + 3)) for i in range(n)]
    manifest = Manifest(
        model="m", dim=dim, chunker={}, files={"d.txt": "x"}, built_at="t", build_seconds=0.0, documents=1, chunks=n
    )
    record = DocRecord(DocMeta(title="标题", file="d.txt"), "sha", "2026-01-01T00:00:00", "2026-01-01T00:00:00")
    write_index(index_dir, manifest, vecs, chunks, {"d": record})
    return vecs, chunks


def test_round_trip_matches_brute_force(tmp_path):
    vecs, chunks = _tiny_index(tmp_path / "index", n=20)
    index = load_index(tmp_path / "index")
    assert [c.text for c in index.chunks] == [c.text for c in chunks]
    assert index.chunks[3].span == (30, 33) and index.chunks[3].section_path == ["标题", "3.节"]
    q = vecs[5:6] + 0.1
    got = index.search(q, 5)
    expected = np.argsort(-(vecs @ q[0]))[:5]
    assert [i for i, _ in got] == list(expected)
    assert np.allclose([s for _, s in got], (vecs @ q[0])[expected], atol=1e-5)


def test_new_build_replaces_old_and_prunes_it(tmp_path):
    _tiny_index(tmp_path / "index", n=3)
    first = current_path(tmp_path / "index")
    _tiny_index(tmp_path / "index", n=5, seed=1)
    assert current_path(tmp_path / "index") != first
    assert not first.exists()
    assert len(load_index(tmp_path / "index").chunks) == 5


def test_unfinished_build_leaves_previous_index_in_use(tmp_path):
    _tiny_index(tmp_path / "index", n=3)
    (tmp_path / "index" / ".tmp-crashed").mkdir()
    (tmp_path / "index" / ".tmp-crashed" / "vectors.faiss").write_bytes(b"half")
    assert len(load_index(tmp_path / "index").chunks) == 3


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexUnavailable) as err:
        load_index(tmp_path / "nothing")
    assert "policyqa build" in str(err.value) and "重建索引" in err.value.message_zh


@pytest.mark.parametrize("victim", ["vectors.faiss", "chunks.jsonl", "documents.json", "manifest.json"])
def test_truncated_file_is_detected(tmp_path, victim):
    _tiny_index(tmp_path / "index")
    path = current_path(tmp_path / "index") / victim
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(IndexUnavailable, match="damaged"):
        load_index(tmp_path / "index")


@pytest.mark.slow
def test_stale_when_corpus_or_settings_change(built_settings, tmp_path):
    assert stale_reason(built_settings) is None
    corpus = copy_corpus(tmp_path)
    moved = built_settings.model_copy(update={"corpus_dir": corpus})
    assert stale_reason(moved) is None
    (corpus / "广东省科协2024年科普工作要点.txt").write_text("改过的内容。\n", encoding="utf-8")
    assert stale_reason(moved) == "corpus changed"
    (corpus / "新文件.txt").write_text("新增。\n", encoding="utf-8")
    assert stale_reason(moved) == "corpus changed"
    assert stale_reason(built_settings.model_copy(update={"chunk_size": 123})) == "chunker settings changed"
    assert "model changed" in stale_reason(built_settings.model_copy(update={"model": "other-model"}))
    assert stale_reason(Settings(index_dir=tmp_path / "none")) == "no index has been built"


@pytest.mark.slow
def test_unchanged_rebuild_reuses_every_vector(built_settings, tmp_path):
    import shutil

    from qa.build import build_index

    index_dir = tmp_path / "index"
    shutil.copytree(built_settings.index_dir, index_dir)
    settings = built_settings.model_copy(update={"index_dir": index_dir})
    assert not build_index(settings, progress=False).rebuilt
    summary = build_index(settings, force=True, progress=False)
    assert summary.rebuilt and summary.embedded == 0 and summary.chunks > 100


@pytest.mark.slow
def test_vectors_are_reused_only_for_the_same_embedded_text(tmp_path):
    from qa.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "短文.txt").write_text(
        "某某方案\n一、目标\n到2025年比例达到16%。\n二、任务\n开展智慧助老服务。\n", encoding="utf-8"
    )
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embed_context="none")
    first = build_index(settings, progress=False)
    assert first.embedded == first.chunks > 0
    with_path = settings.model_copy(update={"embed_context": "path"})
    assert build_index(with_path, progress=False).embedded == first.chunks  # other text → new vectors
    back = build_index(settings, progress=False)
    assert back.embedded == first.chunks  # only the previous index is a cache, and it was built with paths


def test_large_indexes_switch_to_hnsw_with_near_exact_recall():
    from qa.store import vector_index

    rng = np.random.default_rng(1)
    centers = rng.normal(size=(50, 32))
    vecs = (centers[rng.integers(0, 50, 3000)] + 0.3 * rng.normal(size=(3000, 32))).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    assert not hasattr(vector_index(vecs, 32, ann_threshold=5000), "hnsw")
    hnsw = vector_index(vecs, 32, ann_threshold=1000)
    assert hasattr(hnsw, "hnsw")
    queries = vecs[:100] + 0.05
    exact = np.argsort(-(queries @ vecs.T), axis=1)[:, :10]
    _, got = hnsw.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, got)])
    assert recall >= 0.95
