"""What staff tell us and what the documents do not cover, kept in SQLite: every reply under an id (so 👍/👎 lands on
the reply it was given for, even after the page cleared its conversation), ratings with reasons and a comment, and
the questions answered 没有找到 or 可能相关. Exported as JSON lines so that wrong answers can become gold questions."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

REASONS = ("答案不对", "出处不对", "文件里有但没找到", "其他")
KEEP_REPLIES = 20_000  # older replies are forgotten; their feedback keeps its own copy of question and answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT,
    no_answer INTEGER NOT NULL,
    passages TEXT NOT NULL,
    comment TEXT
);
CREATE TABLE IF NOT EXISTS replies (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    confidence TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS replies_confidence ON replies (confidence, created_at);
"""
# columns added after the first release: an older feedback.db gains them on open
LATER_COLUMNS = {"reply_id": "TEXT", "reasons": "TEXT NOT NULL DEFAULT '[]'", "confidence": "TEXT"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class UnknownReply(LookupError):
    """Feedback names a reply id this store never gave out (or has forgotten)."""


class FeedbackStore:
    """One SQLite file; a connection per call keeps it safe across server threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._local = threading.local()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")  # kept by the file: readers never wait for the writer
            db.executescript(SCHEMA)
            have = {r[1] for r in db.execute("PRAGMA table_info(feedback)")}
            for name, kind in LATER_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {kind}")

    def _connect(self) -> sqlite3.Connection:
        """One connection per thread, kept (opening one cost more than the insert). WAL with synchronous=NORMAL:
        a reply is logged on every question, and a full fsync per insert cost 26 ms (as much as answering); a power
        cut may lose the last moments of the log, never corrupt it."""
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():  # not across a fork of a preloaded server
            db = sqlite3.connect(self.path, timeout=10)
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @staticmethod
    def new_reply_id() -> str:
        return secrets.token_hex(8)

    def log_reply(self, answer: dict, rid: str | None = None) -> str:
        """Keep a reply (the JSON of `policyqa ask --json`) under its id, which the page sends back with 👍/👎."""
        rid = rid or self.new_reply_id()
        row = (
            rid,
            _now(),
            str(answer.get("question", "")),
            _confidence(answer),
            json.dumps(answer, ensure_ascii=False),
        )
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO replies (id, created_at, question, confidence, body) VALUES (?, ?, ?, ?, ?)", row)
            if secrets.randbelow(200) == 0:  # now and then, not on every reply
                db.execute("DELETE FROM replies WHERE rowid <= (SELECT MAX(rowid) FROM replies) - ?", (KEEP_REPLIES,))
        return rid

    def reply(self, reply_id: str) -> dict | None:
        with self._connect() as db:
            row = db.execute("SELECT body FROM replies WHERE id = ?", (reply_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def record(
        self,
        rating: str,
        answer: dict | None = None,
        comment: str | None = None,
        *,
        reply_id: str | None = None,
        reasons: list[str] | None = None,
    ) -> int:
        """Store a rating of a reply, named by its id (preferred) or given whole; returns the feedback id."""
        if rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        if reply_id is not None:
            answer = self.reply(reply_id)
            if answer is None:
                raise UnknownReply(reply_id)
        if answer is None:
            raise ValueError("feedback needs a reply id or the answer")
        row = (
            _now(),
            rating,
            str(answer.get("question", "")),
            answer.get("answer"),
            int(bool(answer.get("no_answer"))),
            json.dumps(answer.get("passages", []), ensure_ascii=False),
            comment or None,
            reply_id,
            json.dumps([r for r in reasons or [] if r in REASONS], ensure_ascii=False),
            _confidence(answer),
        )
        with self._lock, self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, no_answer, passages, comment, reply_id,"
                " reasons, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid)

    def rows(self, *, newest_first: bool = False, limit: int | None = None) -> Iterator[dict]:
        order = "DESC" if newest_first else "ASC"
        with self._connect() as db:
            cur = db.cursor()
            cur.row_factory = sqlite3.Row
            sql = f"SELECT * FROM feedback ORDER BY id {order}" + (" LIMIT ?" if limit else "")
            for r in cur.execute(sql, (limit,) if limit else ()):
                d = dict(r)
                d["passages"] = json.loads(d["passages"])
                d["reasons"] = json.loads(d.get("reasons") or "[]")
                d["no_answer"] = bool(d["no_answer"])
                yield d

    def uncovered(self, limit: int | None = None) -> Iterator[dict]:
        """Questions answered 没有找到 (none) or 可能相关 (low), newest first: what the documents do not cover."""
        with self._connect() as db:
            sql = (
                "SELECT id, created_at, question, confidence, body FROM replies WHERE confidence IN ('none', 'low') "
                "ORDER BY rowid DESC" + (" LIMIT ?" if limit else "")
            )
            for rid, created, question, confidence, body in db.execute(sql, (limit,) if limit else ()):
                first = (json.loads(body).get("passages") or [{}])[0]
                yield {
                    "reply_id": rid,
                    "created_at": created,
                    "question": question,
                    "confidence": confidence,
                    "nearest": (first.get("doc") or {}).get("title", ""),
                }

    def export_jsonl(self) -> Iterator[str]:
        for row in self.rows():
            yield json.dumps(row, ensure_ascii=False) + "\n"


def _confidence(answer: dict) -> str:
    """The reply's confidence; a reply from before the field existed is "none" exactly when it had no answer."""
    value = answer.get("confidence")
    if value in ("high", "low", "none"):
        return value
    return "none" if answer.get("no_answer") else "high"
