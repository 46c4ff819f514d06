"""Ask a running server instead of loading the model and index in a new process.

A CLI question as a new process otherwise pays for importing the runtimes and loading the index (seconds); a server
that already holds them answers in milliseconds. It is used only when it serves the very index this command would
load (same version folder of ``index/CURRENT``), so both paths give the same answer. Standard library only: this
module runs before anything heavy is imported.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROBE_TIMEOUT_S = 0.5  # a refused connection returns at once; this bounds a server that hangs
ASK_TIMEOUT_S = 30.0


@dataclass
class Route:
    """Where a command's questions go: ``url`` of a server serving the same index, or None (load locally) and why."""

    url: str | None
    reason: str

    def describe(self) -> str:
        return f"via server {self.url}" if self.url else f"loaded locally ({self.reason})"


def local_version(index_dir: Path) -> str | None:
    """The name of the index version ``index_dir/CURRENT`` points at (read directly: qa.index imports numpy)."""
    try:
        return (Path(index_dir) / "CURRENT").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _get_json(url: str, timeout: float) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))


def find_server(url: str, index_dir: Path) -> Route:
    """A route to ``url`` when its /api/health names the index version this folder holds; else why not."""
    version = local_version(index_dir)
    if version is None:
        return Route(None, "no local index to compare with")
    try:
        health = _get_json(url.rstrip("/") + "/api/health", PROBE_TIMEOUT_S)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Route(None, f"no server at {url}: {reason}")
    served = health.get("index_version")
    if served != version:
        return Route(None, f"server at {url} serves index {served}, this folder holds {version}")
    return Route(url.rstrip("/"), "same index")


class RemoteError(RuntimeError):
    """The server refused the question; ``message_zh`` is its Chinese message for users."""

    def __init__(self, status: int, message_zh: str):
        super().__init__(f"server answered {status}: {message_zh}")
        self.status, self.message_zh = status, message_zh


def ask(url: str, question: str, k: int | None) -> dict:
    """The JSON shape of `policyqa ask --json`, from the server's POST /api/ask."""
    body = json.dumps({"question": question, **({"k": k} if k else {})}, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(
        url + "/api/ask", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=ASK_TIMEOUT_S) as resp:
            return json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read().decode("utf-8")).get("error") or str(exc)
        except ValueError:
            message = str(exc)
        raise RemoteError(exc.code, message) from exc
