"""The feedback store: replies under ids, ratings with reasons tied to them, the uncovered questions, old files."""

import sqlite3

import pytest

from qa.feedback import FeedbackStore, UnknownReply


def _reply(question, confidence="high", answer="牵头单位：区卫健局"):
    passages = [{"text": "段落", "doc": {"title": "某文件"}, "section_path": []}]
    return {
        "question": question,
        "answer": answer,
        "no_answer": confidence == "none",
        "confidence": confidence,
        "passages": passages,
    }


def test_feedback_is_tied_to_the_reply_id_not_to_a_position(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    ids = [store.log_reply(_reply(q)) for q in ("第一问", "第二问", "第三问")]
    store.record("down", reply_id=ids[1], reasons=["答案不对", "不存在的原因"], comment="数字错了")
    row = next(store.rows())
    assert row["question"] == "第二问" and row["reply_id"] == ids[1]
    assert row["reasons"] == ["答案不对"] and row["comment"] == "数字错了"
    with pytest.raises(UnknownReply):
        store.record("up", reply_id="ffffffffffffffff")


def test_uncovered_lists_not_found_and_maybe_newest_first(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    store.log_reply(_reply("答得上", "high"))
    store.log_reply(_reply("找不到", "none", None))
    store.log_reply(_reply("可能相关", "low", None))
    listed = list(store.uncovered())
    assert [r["question"] for r in listed] == ["可能相关", "找不到"]
    assert [r["confidence"] for r in listed] == ["low", "none"] and listed[0]["nearest"] == "某文件"


def test_an_older_feedback_file_gains_the_new_columns(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, rating TEXT NOT "
            "NULL, question TEXT NOT NULL, answer TEXT, no_answer INTEGER NOT NULL, passages TEXT NOT NULL, "
            "comment TEXT)"
        )
        db.execute("INSERT INTO feedback VALUES (1, 't', 'up', '旧问题', NULL, 0, '[]', NULL)")
    store = FeedbackStore(path)
    store.record("down", _reply("新问题"), reasons=["其他"])
    rows = list(store.rows(newest_first=True))
    assert [r["question"] for r in rows] == ["新问题", "旧问题"] and rows[1]["reasons"] == []
