"""👍 / 👎 on answers, kept in SQLite so that wrong answers can become gold questions (export as JSONL)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

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
)
"""


class FeedbackStore:
    """One SQLite file; a connection per call keeps it safe across server threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, rating: str, answer: dict, comment: str | None = None) -> int:
        """Store a rating of an answer (the JSON of `policyqa ask --json`); returns its id."""
        if rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            rating,
            str(answer.get("question", "")),
            answer.get("answer"),
            int(bool(answer.get("no_answer"))),
            json.dumps(answer.get("passages", []), ensure_ascii=False),
            comment,
        )
        with self._lock, self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, no_answer, passages, comment) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid)

    def rows(self) -> Iterator[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            for r in db.execute("SELECT * FROM feedback ORDER BY id"):
                d = dict(r)
                d["passages"] = json.loads(d["passages"])
                d["no_answer"] = bool(d["no_answer"])
                yield d

    def export_jsonl(self) -> Iterator[str]:
        for row in self.rows():
            yield json.dumps(row, ensure_ascii=False) + "\n"
