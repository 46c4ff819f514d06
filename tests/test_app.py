import pytest
from fastapi.testclient import TestClient

from app import Service, create_app
from qa.schema import Answer, Chunk, DocMeta, Hit
from qa.web import render_answer_html


def test_rendering_escapes_passage_text_and_marks_the_highlight():
    text = "前文<script>alert(1)</script>答案句。后文"
    start = text.index("答案句")
    chunk = Chunk(0, "d", text, ["标题", "一、<b>节</b>"], (0, 10))
    meta = DocMeta(title="标题", issuer="某单位", date="2024-01-01", file="d.txt")
    hit = Hit(chunk, meta, 0.9, highlight=(start, start + 4))
    html = render_answer_html(Answer("q", [hit], answer="牵头单位：<i>区卫健局</i>"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>答案句。</mark>" in html
    assert "&lt;b&gt;节&lt;/b&gt;" in html and "&lt;i&gt;区卫健局&lt;/i&gt;" in html
    assert "标题 · 某单位 · 2024-01-01" in html


def test_rendering_says_not_found():
    assert "文件中没有找到相关内容" in render_answer_html(Answer("q", [], no_answer=True))


def test_api_without_index_answers_503_in_chinese(tmp_path):
    from qa.settings import Settings

    with TestClient(create_app(Settings(index_dir=tmp_path / "none"))) as client:
        r = client.post("/api/ask", json={"question": "谁牵头？"})
        assert r.status_code == 503 and "重建索引" in r.json()["error"]
        assert client.get("/api/health").status_code == 503


@pytest.mark.slow
def test_api_ask_and_health(assistant):
    service = Service(assistant.settings)
    service.qa = assistant
    with TestClient(create_app(assistant.settings, service)) as client:
        r = client.post("/api/ask", json={"question": "湖南流动科技馆要巡展几站？", "k": 2})
        assert r.status_code == 200
        body = r.json()
        assert len(body["passages"]) == 2 and body["passages"][0]["doc"]["title"]
        assert client.post("/api/ask", json={"question": "  "}).status_code == 400
        assert client.post("/api/ask", json={"question": "x", "k": "many"}).status_code == 422
        assert client.post("/api/ask", json={"question": "x", "bogus": 1}).status_code == 422
        health = client.get("/api/health").json()
        assert health["status"] == "ok" and health["chunks"] > 100
        assert client.get("/").status_code == 200
        assert client.get("/docs").status_code == 200
