"""Several server workers: they share one index, report each other's admin jobs, and all switch to a new index
version without a restart (a real `policyqa serve --workers 2` on 127.0.0.1)."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from qa.load import free_port, wait_ready

pytestmark = pytest.mark.slow
TOKEN = "workers-token-7"


def _call(base, path, body=None, method=None, headers=None):
    req = urllib.request.Request(f"{base}{path}", data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, json.loads(r.read()), r.headers["X-Worker"]


def _ask(base, question):
    body = json.dumps({"question": question, "k": 3}).encode()
    _, answer, worker = _call(base, "/api/ask", body, headers={"Content-Type": "application/json"})
    return answer, worker


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "policyqa-test-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'
    return head.encode() + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_two_workers_share_jobs_and_switch_to_a_new_index(built_settings, tmp_path):
    shutil.copytree(built_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_settings.index_dir, tmp_path / "index")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "POLICYQA_CORPUS_DIR": str(tmp_path / "corpus"),
        "POLICYQA_INDEX_DIR": str(tmp_path / "index"),
        "POLICYQA_ADMIN_TOKEN": TOKEN,
        "POLICYQA_RATE_LIMIT_PER_MINUTE": "0",
        "POLICYQA_FEEDBACK_DB": str(tmp_path / "fb.db"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "qa", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(base)
        time.sleep(8)  # the second worker loads its model
        question = "某区2026年科普讲解员培训要办多少期"
        assert all("讲解员培训" not in p["text"] for p in _ask(base, question)[0]["passages"])
        notice = "某区科协2026年科普讲解员培训方案\n一、培训安排\n全年举办科普讲解员培训不少于6期，每期50人。\n"
        body, ctype = _multipart("培训.txt", notice.encode("gb18030"))
        auth = {"Authorization": f"Bearer {TOKEN}"}
        status, job, _ = _call(base, "/api/documents", body, headers={**auth, "Content-Type": ctype})
        assert status == 202
        pollers = set()
        deadline = time.time() + 120
        while job["status"] in ("queued", "running") and time.time() < deadline:
            status, job, worker = _call(base, f"/api/jobs/{job['id']}", headers=auth)  # any worker may answer
            assert status == 200
            pollers.add(worker)
            time.sleep(0.1)
        assert job["status"] == "done" and job["files"][0]["ok"]
        workers = set()
        for _ in range(60):  # until both workers have answered, each from the new index
            answer, worker = _ask(base, question)
            assert "不少于6期" in answer["passages"][0]["text"], worker
            workers.add(worker)
            if len(workers) == 2:
                break
        assert len(workers) == 2, "only one worker answered"
        print(f"job polled on {len(pollers)} worker(s); answered by {sorted(workers)}")
    finally:
        server.terminate()
        server.wait(timeout=30)
