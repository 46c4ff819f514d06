import json

import pytest
from fastapi.testclient import TestClient

from app import Service, create_app
from qa.chat import chat_turn, rate
from qa.schema import Answer, Chunk, DocMeta, Hit
from qa.settings import Settings
from qa.web import render_answer_html


def _hit(text="前文<script>alert(1)</script>答案句。后文", highlight_of="答案句。"):
    start = text.index(highlight_of)
    chunk = Chunk(0, "d", text, ["标题", "一、<b>节</b>"], (0, 10))
    meta = DocMeta(title="标题", issuer="某单位", date="2024-01-01", file="d.txt")
    return Hit(chunk, meta, 0.9, highlight=(start, start + len(highlight_of)))


def test_rendering_escapes_passage_text_and_marks_the_highlight():
    html = render_answer_html(Answer("q", [_hit()], answer="牵头单位：<i>区卫健局</i>"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>答案句。</mark>" in html
    assert "&lt;b&gt;节&lt;/b&gt;" in html and "&lt;i&gt;区卫健局&lt;/i&gt;" in html
    assert "标题 · 某单位 · 2024-01-01" in html


def test_rendering_offers_the_surrounding_section():
    html = render_answer_html(Answer("q", [_hit()]), surrounding=lambda h: "整节<全文>")
    assert "<details><summary>展开本节全文</summary>" in html and "整节&lt;全文&gt;" in html


def test_rendering_says_not_found_and_labels_the_closest_passages():
    assert "文件中没有找到相关内容" in render_answer_html(Answer("q", [], no_answer=True))
    html = render_answer_html(Answer("q", [_hit()], no_answer=True))
    assert "以下是最接近的段落，仅供参考" in html and "答：" not in html


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


@pytest.mark.slow
def test_chat_turns_keep_history_and_feedback_finds_its_answer(live):
    _, service = live
    messages, questions, answers = chat_turn(service, "老年人科学素质提升行动谁牵头？", [], [], [], 3)
    messages, questions, answers = chat_turn(service, "那农民那块呢？", messages, questions, answers, 3)
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert "区卫健局" in messages[1]["content"] and "区农业农村局" in messages[3]["content"]
    assert "<mark>" in messages[3]["content"] and "理解为" in messages[3]["content"]
    messages, questions, answers = chat_turn(service, "   ", messages, questions, answers, 3)
    assert messages[-1]["content"] == "请输入问题。" and answers[-1] is None
    assert rate(service, answers, 3, liked=False)  # the second assistant message
    rows = list(service.feedback.rows())
    assert rows[-1]["rating"] == "down" and rows[-1]["question"] == "那农民那块呢？"
    assert rate(service, answers, 5, liked=True) == ""  # the refused question has nothing to rate


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


def test_token_bucket_refills():
    from qa.guard import TokenBucket

    b = TokenBucket(per_minute=60, burst=2)
    assert b.take("a", now=0) == 0 and b.take("a", now=0) == 0
    assert b.take("a", now=0) == pytest.approx(1.0)
    assert b.take("b", now=0) == 0  # per client
    assert b.take("a", now=1.01) == 0


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
