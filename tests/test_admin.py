"""Admin upload and removal: off without a token, constant-time token check, upload limits, generated file names,
jobs with progress, and a running server that answers from the new index without a restart."""

import shutil
import time

import pytest
from fastapi.testclient import TestClient

from app import create_app
from qa import admin
from qa.settings import Settings

from .make_formats import write_docx, write_gbk

TOKEN = "s3cret-token-42"  # header values are ASCII
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _client(tmp_path, **kw) -> TestClient:
    settings = Settings(
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / "none",
        feedback_db=tmp_path / "fb.db",
        rate_limit_per_minute=0,
        **kw,
    )
    return TestClient(create_app(settings))


def test_admin_is_off_without_a_token(tmp_path):
    with _client(tmp_path) as client:
        assert client.get("/admin").status_code == 404
        assert client.get("/api/documents", headers=AUTH).status_code == 404
        assert client.post("/api/documents", headers=AUTH, files={"files": ("a.txt", b"x")}).status_code == 404


def test_wrong_or_missing_token_is_refused_and_compared_in_constant_time(tmp_path, monkeypatch):
    calls = []
    real = admin.hmac.compare_digest
    monkeypatch.setattr(admin.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    with _client(tmp_path, admin_token=TOKEN) as client:
        assert client.get("/admin").status_code == 200  # the page itself holds no data
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": "Basic x"}):
            r = client.get("/api/documents", headers=headers)
            assert r.status_code == 401 and r.json()["error"] == "管理口令不正确。"
        assert client.get("/api/documents", headers=AUTH).status_code == 200
    assert calls and all(isinstance(a, bytes) for a, _ in calls)


def test_uploads_over_the_size_limit_are_refused(tmp_path):
    with _client(tmp_path, admin_token=TOKEN, max_upload_bytes=100_000) as client:
        big = b"a" * 300_000
        r = client.post("/api/documents", headers=AUTH, files={"files": ("big.txt", big)})
        assert r.status_code == 413 and r.json()["error"] == "请求内容过大。"

        def chunks():  # no Content-Length: the bytes that arrive are counted
            for _ in range(30):
                yield b"x" * 10_000

        r = client.post(
            "/api/documents", headers={**AUTH, "Content-Type": "multipart/form-data; boundary=b"}, content=chunks()
        )
        assert r.status_code == 413
        # a question body keeps its own, much smaller limit
        assert (
            client.post(
                "/api/ask", content=b"{" + b" " * 70_000 + b"}", headers={"Content-Type": "application/json"}
            ).status_code
            == 413
        )


def test_unsupported_types_and_empty_files_are_refused_per_file(tmp_path):
    with _client(tmp_path, admin_token=TOKEN) as client:
        files = [("files", ("宏.exe", b"MZ")), ("files", ("空.txt", b"")), ("files", ("x.doc", b"\xd0\xcf"))]
        r = client.post("/api/documents", headers=AUTH, files=files)
        assert r.status_code == 400
        errors = [f["error"] for f in r.json()["files"]]
        assert "不支持的文件类型：.exe" in errors[0] and errors[1] == "文件内容为空" and ".doc" in errors[2]
        many = [("files", (f"{i}.txt", b"abc")) for i in range(25)]
        assert client.post("/api/documents", headers=AUTH, files=many).status_code == 400  # max_upload_files 20


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "..\\..\\win.ini.txt", "/abs/path.pdf", "正常.docx"])
def test_stored_names_are_generated_never_taken_from_the_upload(name):
    stored = admin.stored_name(b"content", name)
    assert stored.startswith("upload-") and "/" not in stored and "\\" not in stored and ".." not in stored
    assert stored == admin.stored_name(b"content", "other" + stored[-5:]) or stored.endswith(name[-4:].lower())


@pytest.fixture()
def live_admin(built_settings, tmp_path):
    shutil.copytree(built_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_settings.index_dir, tmp_path / "index")
    settings = built_settings.model_copy(
        update={
            "corpus_dir": tmp_path / "corpus",
            "index_dir": tmp_path / "index",
            "feedback_db": tmp_path / "fb.db",
            "rate_limit_per_minute": 0,
            "admin_token": TOKEN,
        }
    )
    settings = Settings(**{**settings.model_dump(), "admin_token": TOKEN})
    with TestClient(create_app(settings)) as client:
        yield client, settings


def _wait(client, job, timeout=120):
    stages = set()
    deadline = time.time() + timeout
    while job["status"] in ("queued", "running") and time.time() < deadline:
        stages.add(job["stage"])
        time.sleep(0.2)
        job = client.get(f"/api/jobs/{job['id']}", headers=AUTH).json()
    return job, stages


NOTICE = (
    "某市科学技术协会文件\n某科协发〔2026〕3号\n某市科协2026年青少年科技创新大赛实施方案\n"
    "一、组织机构\n大赛由市科协牵头，市教育局配合。\n二、参赛规模\n全市参赛学生不少于8000人，评选一等奖30项。\n"
    "某市科学技术协会\n2026年3月1日\n"
)


@pytest.mark.slow
def test_upload_indexes_in_a_job_and_the_server_answers_from_it_without_restart(live_admin, tmp_path):
    client, settings = live_admin
    before = client.get("/api/health").json()["documents"]
    docx = write_docx(NOTICE.replace("\n", "\n\n"), tmp_path / "大赛方案.docx")
    gbk = write_gbk(NOTICE.replace("青少年科技创新大赛", "科普讲解大赛").replace("3号", "4号"), tmp_path / "讲解.txt")
    files = [
        ("files", ("../../大赛方案.docx", docx.read_bytes())),
        ("files", ("讲解.txt", gbk.read_bytes())),
        ("files", ("坏的.pdf", b"%PDF-1.4 broken")),
    ]
    r = client.post("/api/documents", headers=AUTH, files=files)
    assert r.status_code == 202
    job, stages = _wait(client, r.json())
    assert job["status"] == "done", job
    ok = [f for f in job["files"] if f["ok"]]
    assert [f["file"] for f in ok] == ["../../大赛方案.docx", "讲解.txt"]
    assert job["files"][2]["ok"] is False and "PDF 文件已损坏" in job["files"][2]["error"]
    assert all(f["doc_id"].startswith("upload-") for f in ok)
    assert {p.name for p in settings.corpus_dir.iterdir() if p.name.startswith("upload-")} == {f["doc_id"] for f in ok}
    assert not list((settings.corpus_dir / ".incoming").iterdir())  # staging cleaned up
    assert not (tmp_path.parent / "大赛方案.docx").exists()
    assert "新增 2 个" in job["summary"] and stages & {"embedding", "writing", "reading", "queued"}

    assert client.get("/api/health").json()["documents"] == before + 2
    answer = client.post("/api/ask", json={"question": "某市青少年科技创新大赛参赛学生有多少人"}).json()
    top = answer["passages"][0]
    assert "8000人" in top["text"] and top["doc"]["doc_no"] == "某科协发〔2026〕3号"
    listed = client.get("/api/documents", headers=AUTH).json()
    assert any(d["title"].endswith("科普讲解大赛实施方案") and d["chunks"] > 0 for d in listed["documents"])

    removed, _ = _wait(client, client.delete(f"/api/documents/{ok[0]['doc_id']}", headers=AUTH).json())
    assert removed["status"] == "done" and removed["files"][0]["ok"] and "删除 1 个" in removed["summary"]
    answer = client.post("/api/ask", json={"question": "某市青少年科技创新大赛参赛学生有多少人"}).json()
    assert all("青少年科技创新大赛" not in p["doc"]["title"] for p in answer["passages"])
    gone, _ = _wait(client, client.delete("/api/documents/没有这个.txt", headers=AUTH).json())
    assert gone["files"][0]["ok"] is False and "找不到文件" in gone["files"][0]["error"]


@pytest.mark.slow
def test_a_replaced_version_is_listed_and_restored_through_the_api(live_admin, tmp_path):
    """Upload a revision under the same title and issuer: it replaces the document and the old one is listed;
    restoring it is a job after which the old text answers and the revision is the old version in turn. A version
    the corpus holds again is marked current; unknown ids are 404, and nothing works without the token."""
    client, settings = live_admin
    original = next(p for p in settings.corpus_dir.iterdir() if p.name.startswith("湖南"))
    text = original.read_text(encoding="utf-8")
    revised = text.replace("全省巡展不低于 15 站", "全省巡展不低于 20 站")
    assert revised != text
    question = {"question": "湖南流动科技馆要巡展几站"}
    assert client.get("/api/versions", headers=AUTH).json() == {"versions": []}
    count = client.get("/api/health").json()["documents"]

    r = client.post("/api/documents", headers=AUTH, files={"files": ("修订版.txt", revised.encode("utf-8"))})
    job, _ = _wait(client, r.json())
    assert job["status"] == "done", job
    assert client.get("/api/health").json()["documents"] == count  # replaced, not added beside it
    assert client.post("/api/ask", json=question).json()["answer"] == "不低于20站"
    [old] = client.get("/api/versions", headers=AUTH).json()["versions"]
    revision = job["files"][0]["doc_id"]
    assert (old["name"], old["original_name"], old["replaced_by"], old["current"]) == (
        original.name,
        original.name,
        revision,
        False,
    )

    assert client.post(f"/api/versions/{old['id']}/restore").status_code == 401
    missing = client.post("/api/versions/no-such-version/restore", headers=AUTH)
    assert missing.status_code == 404 and missing.json()["error"] == "没有这个版本。"
    r = client.post(f"/api/versions/{old['id']}/restore", headers=AUTH)
    assert r.status_code == 202
    job, _ = _wait(client, r.json())
    assert job["status"] == "done" and job["files"][0]["ok"], job

    answer = client.post("/api/ask", json=question).json()
    assert answer["answer"] == "不低于15站" and answer["passages"][0]["doc"]["file"] == original.name
    listed = {d["doc_id"] for d in client.get("/api/documents", headers=AUTH).json()["documents"]}
    assert original.name in listed and revision not in listed
    versions = {v["name"]: v for v in client.get("/api/versions", headers=AUTH).json()["versions"]}
    assert versions[original.name]["current"] is True  # restored: the archive copy is what the corpus holds
    assert versions[revision]["current"] is False and versions[revision]["original_name"] == "修订版.txt"
    assert versions[revision]["replaced_by"] == original.name
