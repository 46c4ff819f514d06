"""Faults: a build killed with SIGKILL at any moment, a model that does not match the index, a corpus changed under
a running server. Each leaves a usable index or a clear message with the way back."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from qa.index import IndexUnavailable, load_index

pytestmark = pytest.mark.slow


def _copy_index(built_settings, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(built_settings.corpus_dir, corpus)
    shutil.copytree(built_settings.index_dir, index)
    return corpus, index


@pytest.mark.parametrize("delay", [0.5, 3.0, 7.0, 10.0])
def test_sigkill_during_a_build_leaves_the_previous_index_correct(built_settings, tmp_path, delay):
    corpus, index = _copy_index(built_settings, tmp_path)
    before = load_index(index)
    # a changed corpus forces real work: reading, chunking, embedding new text, writing a new version
    (corpus / "新通知.txt").write_text(
        "某市科协关于科普工作的通知\n一、目标\n到2026年建成科普基地50家。\n", encoding="utf-8"
    )
    env = {**os.environ, "POLICYQA_CORPUS_DIR": str(corpus), "POLICYQA_INDEX_DIR": str(index)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa", "build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = load_index(index)  # never raises: either the old version or the complete new one
    if after.manifest.built_at == before.manifest.built_at:
        assert [c.text for c in after.chunks] == [c.text for c in before.chunks]
    else:
        assert "新通知.txt" in after.manifest.files and after.manifest.chunks == len(after.chunks)
    if delay == 3.0:  # the next build finishes the job and clears what the killed one left behind
        from qa.build import build_index

        settings = built_settings.model_copy(update={"corpus_dir": corpus, "index_dir": index})
        build_index(settings, progress=False)
        assert "新通知.txt" in load_index(index).manifest.files
        assert not [p for p in index.iterdir() if p.name.startswith(".tmp-")]


def test_a_model_that_does_not_match_the_index_is_refused(built_settings, tmp_path):
    from qa.answer import PolicyQA

    _, index = _copy_index(built_settings, tmp_path)
    manifest_path = load_index(index).path / "manifest.json"
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    data["model"] = "some/other-model"
    manifest_path.write_text(json.dumps(data), encoding="utf-8")  # checksums cover the other files, not this one
    with pytest.raises(IndexUnavailable) as err:
        PolicyQA(built_settings.model_copy(update={"index_dir": index}))
    assert "policyqa build" in str(err.value) and "重建索引" in err.value.message_zh


def test_a_corpus_file_deleted_under_a_running_server(built_settings, tmp_path, assistant):
    from fastapi.testclient import TestClient

    from app import Service, create_app

    corpus, index = _copy_index(built_settings, tmp_path)
    settings = built_settings.model_copy(
        update={"corpus_dir": corpus, "index_dir": index, "feedback_db": tmp_path / "f.db", "rate_limit_per_minute": 0}
    )
    service = Service(settings)
    service.qa = assistant
    with TestClient(create_app(settings, service)) as client:
        assert client.get("/api/health").json()["stale"] is None
        (corpus / "湖南省科协2023年科普工作要点.txt").unlink()
        health = client.get("/api/health").json()
        assert health["stale"] == "corpus changed" and "policyqa build" in health["hint"]
        # answers keep their citations: the indexed text does not depend on the file still being there
        r = client.post("/api/ask", json={"question": "湖南流动科技馆要巡展几站？"})
        assert r.status_code == 200 and r.json()["answer"] == "不低于15站"
