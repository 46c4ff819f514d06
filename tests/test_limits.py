"""Rate limits that hold: the socket address is the client unless a configured proxy vouches for another, forged
X-Forwarded-For changes nothing, every route that does work (Gradio's too) spends a budget, budgets are separate,
the admin with the token is not stopped by the public budget, and the limiter's memory is bounded."""

import random
import time

import pytest
from fastapi.testclient import TestClient

from app import create_app
from qa.limits import Budget, Rate, TokenBucket, classify, client_key, parse_networks
from qa.settings import Settings

TOKEN = "admin-token-123"


def test_token_bucket_refills_per_client():
    b = TokenBucket(Rate(per_minute=60, burst=2))
    assert b.take("a", now=0) == 0 and b.take("a", now=0) == 0
    assert b.take("a", now=0) == pytest.approx(1.0)
    assert b.take("b", now=0) == 0  # per client
    assert b.take("a", now=1.01) == 0


def test_the_table_stays_bounded_however_many_addresses_are_forged():
    b = TokenBucket(Rate(per_minute=60, burst=5), max_keys=1000)
    for i in range(50_000):
        b.take(f"forged-{i}", now=i * 0.001)
    assert len(b) == 1000
    # a client seen recently is still remembered: its spent budget is not forgotten by the churn of others
    for _ in range(5):
        b.take("real", now=100.0)
    for i in range(500):
        b.take(f"more-{i}", now=100.0)
    assert b.take("real", now=100.0) > 0


TRUSTED = parse_networks(["10.0.0.0/8"])


def test_client_is_the_socket_address_unless_a_trusted_proxy_sends_it():
    assert client_key("203.0.113.9", ["1.2.3.4"], ()) == "203.0.113.9"  # no proxy configured: header ignored
    assert client_key("203.0.113.9", ["1.2.3.4"], TRUSTED) == "203.0.113.9"  # the peer is no trusted proxy
    # proxy 10.0.0.2 appended the address it saw; what the client wrote to the left is not believed
    assert client_key("10.0.0.2", ["6.6.6.6, 198.51.100.7"], TRUSTED) == "198.51.100.7"
    assert client_key("10.0.0.2", ["6.6.6.6", "198.51.100.7, 10.0.0.5"], TRUSTED) == "198.51.100.7"  # two proxies
    assert client_key("10.0.0.2", ["garbage"], TRUSTED) == "10.0.0.2"  # nonsense: the proxy itself is the client
    assert client_key("10.0.0.2", [], TRUSTED) == "10.0.0.2"


def test_an_ipv6_client_is_its_64_network():
    a = client_key("2001:db8:1:2:aaaa::1", [], ())
    assert a == client_key("2001:db8:1:2:bbbb::9", [], ()) != client_key("2001:db8:1:3::1", [], ())
    assert client_key("::ffff:192.0.2.1", [], ()) == "192.0.2.1"


def test_every_route_that_does_work_has_a_budget():
    assert classify("POST", "/api/ask") is Budget.ASK
    assert classify("POST", "/gradio_api/queue/join") is Budget.ASK  # the chat page's questions
    assert classify("POST", "/gradio_api/call/turn") is Budget.ASK  # gradio_client
    assert classify("POST", "/gradio_api/run/turn") is Budget.ASK
    assert classify("POST", "/api/feedback") is Budget.FEEDBACK
    assert classify("GET", "/api/jobs/abc") is Budget.ADMIN_ATTEMPT
    assert classify("GET", "/api/health") is Budget.OTHER
    assert classify("GET", "/widget.js") is None and classify("GET", "/gradio_api/queue/data") is None


def _app(tmp_path, **kw):
    settings = Settings(
        corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "none", feedback_db=tmp_path / "f.db", **kw
    )
    return TestClient(create_app(settings), client=("203.0.113.9", 5555))


def test_200_questions_in_10_s_with_forged_headers_are_mostly_refused(tmp_path):
    """Defaults; each request carries a different X-Forwarded-For (garbage and real-looking), as in the probe."""
    settings = Settings()
    with _app(tmp_path) as client:
        t0, codes = time.monotonic(), []
        for i in range(200):
            forged = random.choice([f"198.51.{i % 256}.{i // 256}", f"garbage-{i}", "::1, 127.0.0.1"])
            codes.append(client.post("/api/ask", json={"question": "谁牵头"}, headers={"X-Forwarded-For": forged}))
        elapsed = time.monotonic() - t0
    passed = sum(r.status_code != 429 for r in codes)
    allowed = settings.rate_limit_burst + settings.rate_limit_per_minute / 60 * elapsed + 1
    assert elapsed < 10 and passed <= allowed, (passed, elapsed)
    assert passed >= settings.rate_limit_burst  # one person asking quickly is never refused
    refused = next(r for r in codes if r.status_code == 429)
    assert refused.json() == {"error": "请求太频繁，请稍后再试。", "code": "rate_limited"}
    assert int(refused.headers["retry-after"]) >= 1


def test_behind_a_trusted_proxy_each_real_client_has_its_own_budget(tmp_path):
    kw = {"trusted_proxies": ["203.0.113.0/24"], "rate_limit_per_minute": 6, "rate_limit_burst": 3}
    with _app(tmp_path, **kw) as client:

        def ask(xff):
            return client.post("/api/ask", json={"question": "谁牵头"}, headers={"X-Forwarded-For": xff}).status_code

        assert [ask("198.51.100.1") for _ in range(4)][-1] == 429
        assert ask("198.51.100.2") != 429  # another office behind the same proxy
        assert ask("6.6.6.6, 198.51.100.1") == 429  # a forged left part does not buy a new budget


def test_the_chat_page_and_the_api_share_the_question_budget(tmp_path):
    """The chat page asks through /api/ask; a POST to Gradio's own API spends the same budget."""
    with _app(tmp_path, rate_limit_per_minute=6, rate_limit_burst=3) as client:
        codes = [client.post("/gradio_api/queue/join", json={}).status_code for _ in range(3)]
        assert 429 not in codes
        assert client.post("/api/ask", json={"question": "谁牵头"}).status_code == 429
        assert client.post("/gradio_api/queue/join", json={}).status_code == 429


def test_budgets_are_separate_and_the_admin_token_is_not_held_by_the_public_one(tmp_path):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    kw = {"rate_limit_per_minute": 6, "rate_limit_burst": 3, "admin_token": TOKEN}
    with _app(tmp_path, **kw) as client:
        for _ in range(4):
            client.post("/api/ask", json={"question": "谁牵头"})
        assert client.post("/api/ask", json={"question": "谁牵头"}).status_code == 429
        answer = {"question": "q", "answer": None, "no_answer": True, "passages": []}
        assert client.post("/api/feedback", json={"rating": "up", "answer": answer}).status_code == 201
        # the admin page polls a job every 0.5 s: two minutes of polling in a burst, all answered
        polls = [client.get("/api/jobs/0123456789ab", headers=auth).status_code for _ in range(240)]
        assert set(polls) == {404}
        # without the token, guessing is slowed down
        guesses = [client.get("/api/documents", headers={"Authorization": "Bearer x"}).status_code for _ in range(15)]
        assert guesses[0] == 401 and guesses[-1] == 429


@pytest.mark.parametrize("workers", [1, 2])
def test_the_real_server_on_loopback_does_not_believe_forged_headers(tmp_path, workers):
    """The issue's probe against `policyqa serve` itself, not the app in a test client: uvicorn trusts
    X-Forwarded-For from 127.0.0.1 by default and rewrote the socket address before the limiter saw it, so every
    forged value was a new client. 100 questions, each with a different forged address; the limit is per worker."""
    import os
    import subprocess
    import sys

    import httpx

    from qa.load import free_port

    port = free_port()
    env = {
        **os.environ,
        "POLICYQA_CORPUS_DIR": str(tmp_path / "corpus"),
        "POLICYQA_INDEX_DIR": str(tmp_path / "none"),  # no index: an allowed question is a quick 503
        "POLICYQA_FEEDBACK_DB": str(tmp_path / "fb.db"),
    }
    cmd = [sys.executable, "-m", "qa", "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, settings = f"http://127.0.0.1:{port}", Settings()
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                httpx.get(f"{base}/widget.js", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        t0, codes = time.monotonic(), []
        with httpx.Client(timeout=30) as client:
            for i in range(100):
                forged = random.choice([f"198.51.{i % 256}.{i // 256}", f"garbage-{i}", f"10.0.0.{i}, 127.0.0.1"])
                r = client.post(f"{base}/api/ask", json={"question": "谁牵头"}, headers={"X-Forwarded-For": forged})
                codes.append(r.status_code)
        elapsed = time.monotonic() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
    passed = sum(c != 429 for c in codes)
    allowed = workers * (settings.rate_limit_burst + settings.rate_limit_per_minute / 60 * elapsed + 1)
    assert passed <= allowed and 429 in codes, (passed, elapsed, workers)
