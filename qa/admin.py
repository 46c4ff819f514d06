"""Document administration behind a token: the token check and what an upload must be before it is staged.
The jobs that apply uploads and removals are qa/jobs.py."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from .formats import unsupported


def token_matches(configured: str | None, given: str | None) -> bool:
    """Constant-time comparison (no timing hint of how much of a guess was right); no token configured → no match."""
    if not configured or not given:
        return False
    return hmac.compare_digest(configured.encode("utf-8"), given.encode("utf-8"))


def bearer(header: str | None) -> str | None:
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def stored_name(data: bytes, upload_name: str) -> str:
    """The corpus file name of an upload: made from its content, never from the name the client sent (only the
    lower-cased type suffix is kept). The same content uploaded twice is one document."""
    suffix = Path(upload_name.replace("\\", "/")).suffix.lower()
    return f"upload-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"


def upload_problem(upload_name: str, size: int, limit: int) -> str | None:
    """Why an upload is refused before it is read, in Chinese, or None."""
    if why := unsupported(Path((upload_name or "").replace("\\", "/")).suffix):
        return why
    if size > limit:
        return f"文件太大（超过 {limit // (1024 * 1024)} MB 的上限）"
    if size == 0:
        return "文件内容为空"
    return None
