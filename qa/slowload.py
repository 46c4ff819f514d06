"""`make load`, second part: 1,000 slow clients dripping request headers (one header line a second, never the
blank line that ends them) against the server, while one honest client keeps asking. Measured twice: with the
server as `policyqa serve` runs it (qa/slowclients.py: header deadline, connection cap) and with stock uvicorn,
for comparison. Bounded: each run stops after ``seconds``; everything stays on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from .load import free_port, tree_memory_mb, wait_ready
from .settings import PROJECT_ROOT


def _drip(port: int, n: int, seconds: float, closed_after: list[float]) -> int:
    """Open ``n`` connections, send a header line on each every second; record when the server closes each."""
    socks, opened = {}, time.monotonic()
    for i in range(n):
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
            s.setblocking(False)
            socks[i] = s
        except OSError:
            closed_after.append(0.0)
            s.close()
    deadline = opened + seconds
    while socks and time.monotonic() < deadline:
        time.sleep(1.0)
        for i, s in list(socks.items()):
            try:
                if s.recv(4096) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                pass  # nothing from the server: the connection is still held
            except OSError:
                closed_after.append(time.monotonic() - opened)
                s.close()
                del socks[i]
                continue
            try:
                s.send(f"X-Slow-{int(time.monotonic())}: 1\r\n".encode())
            except OSError:
                closed_after.append(time.monotonic() - opened)
                s.close()
                del socks[i]
    for s in socks.values():
        s.close()
    return len(socks)  # still open at the end


def _honest(base: str, stop: float, out: list) -> None:
    while time.time() < stop:
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}/widget.js", timeout=10) as r:
                r.read()
                out.append(((time.perf_counter() - t) * 1000, r.status))
        except OSError:
            out.append(((time.perf_counter() - t) * 1000, 0))
        time.sleep(0.2)


def run(bounded: bool, connections: int = 1000, seconds: float = 30.0) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "POLICYQA_RATE_LIMIT_PER_MINUTE": "0"}
    if bounded:
        cmd = [sys.executable, "-m", "qa", "serve", "--port", str(port)]
    else:
        cmd = [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--port", str(port)]
        cmd += ["--log-level", "warning"]
    server = subprocess.Popen(cmd, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(base)
        honest: list[tuple[float, int]] = []
        stop = time.time() + seconds
        t = threading.Thread(target=_honest, args=(base, stop, honest))
        t.start()
        closed: list[float] = []
        held = _drip(port, connections, seconds, closed)
        t.join()
        memory = tree_memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ok = np.array([ms for ms, status in honest if status == 200])
    return {
        "server": "policyqa serve (header deadline, connection cap)" if bounded else "stock uvicorn",
        "slow_connections": connections,
        "seconds": seconds,
        "still_open_at_end": held,
        "closed_by_server": len(closed),
        "closed_after_s_median": round(float(np.median(closed)), 1) if closed else None,
        "closed_after_s_max": round(float(max(closed)), 1) if closed else None,
        "honest_requests": len(honest),
        "honest_errors": sum(status != 200 for _, status in honest),
        "honest_p95_ms": round(float(np.percentile(ok, 95)), 1) if len(ok) else None,
        **memory,
    }


if __name__ == "__main__":
    runs = [run(bounded=True), run(bounded=False)]
    out = PROJECT_ROOT / "bench" / "slow_clients.json"
    Path(out).write_text(json.dumps({"runs": runs}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(runs, ensure_ascii=False, indent=1))
