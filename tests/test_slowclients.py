"""Slow clients: the built-in server closes a connection that has not sent its request headers in time, refuses
connections above the cap, and keeps answering an honest client meanwhile (the 1,000-client figures: make load)."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request

from qa.load import free_port


def _wait_up(base: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/widget.js", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("server did not start")


def _held(s: socket.socket) -> bool:
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_dripped_headers_are_cut_off_and_excess_connections_refused(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "POLICYQA_INDEX_DIR": str(tmp_path / "none"),
        "POLICYQA_CORPUS_DIR": str(tmp_path / "corpus"),
        "POLICYQA_FEEDBACK_DB": str(tmp_path / "fb.db"),
        "POLICYQA_HEADER_TIMEOUT_S": "2",
        "POLICYQA_MAX_CONNECTIONS": "40",
    }
    cmd = [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--port", str(port)]
    cmd += ["--http", "qa.slowclients:BoundedH11Protocol", "--log-level", "warning"]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socks = []
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_up(base)
        for _ in range(60):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        time.sleep(0.5)
        assert sum(_held(s) for s in socks) <= 40  # above the cap: refused at once
        for _ in range(6):  # keep dripping for 3 s, past the 2 s deadline
            for s in socks:
                with contextlib.suppress(OSError):
                    s.send(b"X-Slow: 1\r\n")
            time.sleep(0.5)
        assert not any(_held(s) for s in socks)
        with urllib.request.urlopen(f"{base}/widget.js", timeout=10) as r:
            assert r.status == 200  # an honest client is served meanwhile
    finally:
        for s in socks:
            s.close()
        server.terminate()
        server.wait(timeout=30)
