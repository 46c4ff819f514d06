import json

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app import Service, create_app
from qa.settings import Settings


@pytest.fixture()
def offline(tmp_path):
    settings = Settings(
        index_dir=tmp_path / "none", feedback_db=tmp_path / "fb.db", cors_origins=["https://ok.example"]
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_api_without_index_answers_503_in_chinese(offline):
    r = offline.post("/api/ask", json={"question": "谁牵头？"})
    assert r.status_code == 503 and "重建索引" in r.json()["error"]
    assert offline.get("/api/health").status_code == 503


def test_widget_and_demo_are_served(offline):
    js = offline.get("/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in js.text and "innerHTML" not in js.text  # text is never inserted as HTML
    assert "localStorage" not in js.text and "document.cookie" not in js.text
    demo = offline.get("/widget-demo")
    assert demo.status_code == 200 and 'src="/widget.js"' in demo.text


def test_cors_allows_only_listed_origins(offline):
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = offline.options("/api/ask", headers={"Origin": "https://ok.example", **pre})
    assert ok.headers.get("access-control-allow-origin") == "https://ok.example"
    bad = offline.options("/api/ask", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers


def test_no_cors_by_default(tmp_path):
    with TestClient(create_app(Settings(index_dir=tmp_path / "none", feedback_db=tmp_path / "f.db"))) as client:
        r = client.post("/api/ask", json={"question": "x"}, headers={"Origin": "https://any.example"})
        assert "access-control-allow-origin" not in r.headers


def test_feedback_is_stored_and_exported(offline, tmp_path):
    answer = {"question": "谁牵头", "answer": "牵头单位：区卫健局", "no_answer": False, "passages": []}
    r = offline.post("/api/feedback", json={"rating": "down", "answer": answer, "comment": "不对"})
    assert r.status_code == 201
    assert offline.post("/api/feedback", json={"rating": "meh", "answer": answer}).status_code == 422
    from click.testing import CliRunner

    from qa.cli import main

    out = tmp_path / "fb.jsonl"
    result = CliRunner(env={"POLICYQA_FEEDBACK_DB": str(tmp_path / "fb.db")}).invoke(
        main, ["feedback", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    row = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert row["rating"] == "down" and row["question"] == "谁牵头" and row["comment"] == "不对" and row["created_at"]


@pytest.fixture(scope="module")
def live(web_service):
    with TestClient(create_app(web_service.settings, web_service)) as client:
        yield client, web_service


@pytest.mark.slow
def test_api_ask_and_health(live):
    client, _ = live
    r = client.post("/api/ask", json={"question": "湖南流动科技馆要巡展几站？", "k": 2})
    assert r.status_code == 200
    body = r.json()
    assert body["answer"] == "不低于15站" and len(body["passages"]) == 2 and body["passages"][0]["highlight"]
    follow = client.post("/api/ask", json={"question": "那广东呢", "history": ["湖南流动科技馆要巡展几站？"]}).json()
    assert follow["understood_as"].startswith("广东") and follow["answer"] == "15站以上"
    assert client.post("/api/ask", json={"question": "  "}).status_code == 400
    assert client.post("/api/ask", json={"question": "x", "k": "many"}).status_code == 422
    assert client.post("/api/ask", json={"question": "x", "bogus": 1}).status_code == 422
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["chunks"] > 100
    assert client.get("/").status_code == 200
    assert client.get("/docs").status_code == 200


BAD_QUESTIONS = [
    "",
    "   \t ",
    "老年人" * 300,  # longer than the limit
    "谁牵头\x00\x07\x1b[31m",  # control characters
    "老年人 elderly 谁牵头 Ⅳ ① ｱｲｳ",  # mixed scripts
    "🙂🙂 老年人那块谁牵头？🚀",
    "？？？！！！。。。",  # only punctuation
    "<script>alert(1)</script>谁牵头",
    "'; DROP TABLE feedback; -- 谁牵头",
    "\\ud800 谁牵头",  # a lone surrogate, sent as a JSON escape (a client cannot encode it raw)
]


@pytest.mark.slow
@pytest.mark.parametrize("question", BAD_QUESTIONS)
def test_bad_questions_get_a_chinese_message_or_an_answer_never_a_500(live, question):
    client, _ = live
    body = json.dumps({"question": question}, ensure_ascii=False).replace("\\\\ud800", "\\ud800")
    r = client.post("/api/ask", content=body.encode("utf-8"), headers={"content-type": "application/json"})
    assert r.status_code in (200, 400, 422), r.text  # 422: the lone surrogate is not a string pydantic accepts
    body = r.json()
    if r.status_code != 200:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"])
    else:
        assert "<script>" not in json.dumps(body.get("answer") or "")


@pytest.mark.slow
def test_malformed_requests_get_json_4xx(live):
    client, _ = live
    assert (
        client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    )
    assert client.post("/api/ask", json={"question": 3}).status_code == 422
    assert client.post("/api/ask", json={"question": "x", "history": "not a list"}).status_code == 422
    big = client.post("/api/ask", content=b"{" + b" " * 70_000 + b"}", headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["error"]


def test_rate_limit_answers_429_with_retry_after(tmp_path):
    settings = Settings(
        index_dir=tmp_path / "none", feedback_db=tmp_path / "f.db", rate_limit_per_minute=2, rate_limit_burst=2
    )
    with TestClient(create_app(settings)) as client:
        codes = [client.post("/api/ask", json={"question": "谁牵头"}).status_code for _ in range(3)]
        assert codes[:2] == [503, 503] and codes[2] == 429  # no index here: the limit still applies
        r = client.post("/api/ask", json={"question": "谁牵头"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and "频繁" in r.json()["error"]
        assert client.get("/api/health").status_code == 503  # other paths are not limited


def test_security_headers_and_no_stack_traces(tmp_path):
    settings = Settings(index_dir=tmp_path / "none", feedback_db=tmp_path / "f.db")
    service = Service(settings)

    class Broken:
        def ask(self, *a, **k):
            raise RuntimeError("secret internal detail")

    service.qa = Broken()
    with TestClient(create_app(settings, service), raise_server_exceptions=False) as client:
        r = client.post("/api/ask", json={"question": "谁牵头"})
        assert r.status_code == 500 and "secret" not in r.text and "Traceback" not in r.text
        assert r.json()["error"]
        page = client.get("/widget-demo")
        assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "SAMEORIGIN"


@pytest.fixture(scope="module")
def staffed(web_service, tmp_path_factory):
    """The app over the shared assistant with admin on and a feedback store of its own."""
    from qa.service import Service

    settings = web_service.settings.model_copy(
        update={"admin_token": SecretStr("t0ken-admin"), "feedback_db": tmp_path_factory.mktemp("staff") / "fb.db"}
    )
    service = Service(settings)
    service.qa = web_service.qa
    with TestClient(create_app(settings, service)) as client:
        yield client


ADMIN = {"Authorization": "Bearer t0ken-admin"}


@pytest.mark.slow
def test_feedback_lands_on_the_reply_named_by_its_id(staffed):
    first = staffed.post("/api/ask", json={"question": "老年人科学素质提升行动谁牵头？"}).json()
    second = staffed.post("/api/ask", json={"question": "湖南流动科技馆要巡展几站？"}).json()
    assert first["reply_id"] != second["reply_id"]
    r = staffed.post(
        "/api/feedback",
        json={"reply_id": first["reply_id"], "rating": "down", "reasons": ["出处不对", "其他"], "comment": "不是这份"},
    )
    assert r.status_code == 201
    rows = staffed.get("/api/admin/feedback", headers=ADMIN).json()["feedback"]
    assert rows[0]["question"] == "老年人科学素质提升行动谁牵头？" and rows[0]["reply_id"] == first["reply_id"]
    assert rows[0]["reasons"] == ["出处不对", "其他"] and rows[0]["comment"] == "不是这份"
    unknown = staffed.post("/api/feedback", json={"reply_id": "0" * 16, "rating": "up"})
    assert unknown.status_code == 404 and "重新提问" in unknown.json()["error"]
    bad = staffed.post("/api/feedback", json={"reply_id": first["reply_id"], "rating": "down", "reasons": ["随便"]})
    assert bad.status_code == 422
    assert staffed.post("/api/feedback", json={"rating": "up"}).status_code == 422  # names no reply
    export = staffed.get("/api/admin/feedback?format=jsonl", headers=ADMIN)
    assert export.status_code == 200 and json.loads(export.text.splitlines()[0])["reply_id"] == first["reply_id"]
    for limit in ("18419321579502069279197495296", "0"):  # past SQLite's integers, or none: refused, not a 500
        for path in ("/api/admin/feedback", "/api/admin/uncovered"):
            assert staffed.get(f"{path}?limit={limit}", headers=ADMIN).status_code == 422


@pytest.mark.slow
def test_questions_not_found_are_listed_for_admins_newest_first(staffed):
    staffed.post("/api/ask", json={"question": "广东省科协现在的主席是谁"})
    staffed.post("/api/ask", json={"question": "湖南流动科技馆要巡展几站？"})  # answered: not listed
    staffed.post("/api/ask", json={"question": "今年的公务员考试几月报名"})
    assert staffed.get("/api/admin/uncovered").status_code == 401
    listed = staffed.get("/api/admin/uncovered", headers=ADMIN).json()["questions"]
    questions = [q["question"] for q in listed]
    assert questions[:2] == ["今年的公务员考试几月报名", "广东省科协现在的主席是谁"]
    assert "湖南流动科技馆要巡展几站？" not in questions and {q["confidence"] for q in listed} <= {"none", "low"}


@pytest.mark.slow
def test_examples_come_from_the_index_and_are_answered(live):
    client, service = live
    questions = client.get("/api/examples").json()["questions"]
    assert 2 <= len(questions) <= 4
    titles = {r.meta.title for r in service.qa.index.records.values()}
    tasks = [c.fields.get("重点任务", "") for c in service.qa.index.chunks if c.kind == "table_row"]
    for q in questions:  # each is built from a title or a table row of the index
        assert any(t and t in q for t in titles) or any(q.removesuffix("谁牵头？") in t for t in tasks), q
        body = client.post("/api/ask", json={"question": q}).json()
        assert body["confidence"] == "high", q


@pytest.mark.slow
def test_source_viewer_shows_the_whole_document_at_the_passage(live):
    client, _ = live
    body = client.post("/api/ask", json={"question": "湖南流动科技馆要巡展几站？"}).json()
    p = body["passages"][0]
    (a, b), (h0, h1) = p["span"], p["highlight"]
    page = client.get(f"/doc/{p['doc']['file']}", params={"at": f"{a}-{b}", "hl": f"{h0}-{h1}"})
    assert page.status_code == 200 and '<mark id="passage"' in page.text
    assert p["doc"]["title"] in page.text and p["doc"]["doc_no"] in page.text and "下载原文件" in page.text
    assert len(page.text) > 5 * len(p["text"])  # the whole document, not the passage
    marked = page.text.split('<mark id="passage" tabindex="-1">')[1].split("</mark>")[0]
    assert "<strong>" in marked and "15" in marked.split("<strong>")[1].split("</strong>")[0]
    original = client.get(f"/doc/{p['doc']['file']}/file")
    assert original.status_code == 200 and "attachment" in original.headers["content-disposition"]
    assert client.get("/doc/..%2F..%2Fpyproject.toml").status_code == 404
    assert client.get("/doc/no-such-file.txt").status_code == 404
