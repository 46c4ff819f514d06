"""`make load`: start the server on 127.0.0.1, send real gold questions from concurrent clients for a bounded time,
report requests/s, latency percentiles and errors, stop the server. Traffic never leaves this machine."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from .evaluate import DEFAULT_GOLD, load_gold
from .settings import PROJECT_ROOT

MAX_REQUESTS = 20_000  # a hard stop whatever the duration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not become ready")


def client(base: str, questions: list[str], stop: float, seed: int, out: list, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    while time.time() < stop:
        q = rng.choice(questions)
        body = json.dumps({"question": q, "k": 5}).encode()
        req = urllib.request.Request(f"{base}/api/ask", data=body, headers={"Content-Type": "application/json"})
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            status = 0
        with lock:
            if len(out) >= MAX_REQUESTS:
                return
            out.append(((time.perf_counter() - t) * 1000, status))


def tree_memory_mb(pid: int) -> dict[str, float]:
    """Resident and proportional (shared pages split between sharers) memory of a process and its children."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    todo, rss, pss = [pid], 0.0, 0.0
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("Rss", "Pss"):
                    kb = float(value.split()[0]) / 1024
                    rss, pss = (rss + kb, pss) if key == "Rss" else (rss, pss + kb)
        except OSError:
            continue
    return {"rss_mb": round(rss), "pss_mb": round(pss)}


def settled_memory(pid: int, timeout: float = 120) -> dict[str, float]:
    """The server's memory once it stops growing (workers start one after another)."""
    last = tree_memory_mb(pid)
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(2)
        now = tree_memory_mb(pid)
        if abs(now["rss_mb"] - last["rss_mb"]) < 0.01 * max(1, last["rss_mb"]):
            return now
        last = now
    return last


def run(clients: int = 20, seconds: float = 30.0, workers: int = 1) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # one address sends all the traffic here, so the per-client rate limit is switched off for this run
    env = {**os.environ, "POLICYQA_RATE_LIMIT_PER_MINUTE": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "qa", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(base)
        memory = settled_memory(server.pid)  # every worker has loaded its model and index before the clock starts
        questions = [it.question for it in load_gold(DEFAULT_GOLD)]
        results: list[tuple[float, int]] = []
        lock = threading.Lock()
        start = time.time()
        threads = [
            threading.Thread(target=client, args=(base, questions, start + seconds, i, results, lock))
            for i in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    lat = np.array([r[0] for r in results if r[1] == 200])
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(results),
        "requests_per_s": round(len(results) / elapsed, 1),
        "errors": sum(r[1] != 200 for r in results),
        "p50_ms": round(float(np.percentile(lat, 50)), 1) if len(lat) else None,
        "p95_ms": round(float(np.percentile(lat, 95)), 1) if len(lat) else None,
        "p99_ms": round(float(np.percentile(lat, 99)), 1) if len(lat) else None,
        "workers": workers,
        **memory,
    }


if __name__ == "__main__":
    runs = [run(workers=n) for n in (1, 2)]
    out = PROJECT_ROOT / "bench" / "load.json"
    Path(out).write_text(json.dumps({"runs": runs}, indent=1), encoding="utf-8")
    print(json.dumps(runs, ensure_ascii=False, indent=1))
