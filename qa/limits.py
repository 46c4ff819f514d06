"""Rate limits that hold: who a client is (the socket address, or the right-most untrusted X-Forwarded-For entry
behind a configured proxy), which budget a request spends (questions, feedback, admin, other work), and a limiter
whose memory is bounded however many addresses a client forges.

One ASGI middleware sits in front of the whole app — the JSON API, the admin API and Gradio's own endpoints — so a
question costs the same budget however it arrives (widget, API, chat page, gradio_client).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from .errors import error_response

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Budget(StrEnum):
    """Separate allowances: asking fast does not stop a person giving feedback, nor an admin polling a job."""

    ASK = "ask"  # questions: /api/ask and the chat page's Gradio events
    FEEDBACK = "feedback"
    ADMIN = "admin"  # requests that carry the valid admin token
    ADMIN_ATTEMPT = "admin_attempt"  # admin requests without it: slows down guessing the token
    OTHER = "other"  # health (hashes the corpus), the OpenAPI schema and docs


@dataclass(frozen=True)
class Rate:
    per_minute: float
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


class TokenBucket:
    """``per_minute`` requests per key with bursts up to ``burst``; thread-safe. The table keeps at most
    ``max_keys`` clients, least recently seen first out, so forged or rotating addresses cost bounded memory (an
    evicted client starts again with a full bucket, which is the most it could have had after being idle)."""

    def __init__(self, rate: Rate, max_keys: int = 10_000):
        self.rate, self.max_keys = rate, max(1, max_keys)
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds to wait before the next request would be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._state.pop(key, (float(self.rate.burst), now))
            tokens = min(float(self.rate.burst), tokens + (now - last) * self.rate.per_second)
            allowed = tokens >= 1
            self._state[key] = (tokens - 1 if allowed else tokens, now)
            while len(self._state) > self.max_keys:
                self._state.popitem(last=False)
            return 0.0 if allowed else (1 - tokens) / self.rate.per_second

    def __len__(self) -> int:
        return len(self._state)


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Proxy addresses or networks ("10.0.0.1", "10.0.0.0/8", "::1")."""
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _key(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """An IPv6 client owns at least a /64 and can rotate addresses inside it freely, so the /64 is the client."""
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped:
            return str(addr.ipv4_mapped)
        return str(ipaddress.IPv6Network((addr, 64), strict=False))
    return str(addr)


def client_key(peer: str | None, forwarded_for: list[str], trusted: tuple[IPNetwork, ...]) -> str:
    """Who is asking. The socket address, unless it is a trusted proxy: then X-Forwarded-For is read from the right
    (each proxy appends the address it was connected from) and the first entry that is not a trusted proxy is the
    client. Entries left of it were written by the client itself and are never believed. A trusted proxy that
    passes on garbage is itself the client — better one shared budget than one per forged value."""
    addr = _address(peer or "")
    if addr is None:
        return peer or "unknown"
    if not trusted or not any(addr in net for net in trusted):
        return _key(addr)
    hops = [h for header in forwarded_for for h in header.split(",")]
    for hop in reversed(hops):
        hop_addr = _address(hop)
        if hop_addr is None:
            return _key(addr)
        if not any(hop_addr in net for net in trusted):
            return _key(hop_addr)
        addr = hop_addr
    return _key(addr)


Classifier = Callable[[str, str], Budget | None]


def classify(method: str, path: str) -> Budget | None:
    """The budget a request spends, or None for the cheap ones (static files, pages, Gradio's event stream)."""
    if path == "/api/ask":
        return Budget.ASK
    if path == "/api/feedback":
        return Budget.FEEDBACK
    if path.startswith(("/api/documents", "/api/jobs", "/api/versions", "/api/admin/", "/admin")):
        return Budget.ADMIN_ATTEMPT  # becomes ADMIN when the request carries the valid token
    # the chat page asks through /api/ask; Gradio's own POST endpoints under /gradio_api (queue/join, run/…,
    # call/…, upload) cost as much as a question; its GETs stream results back or serve files
    if method == "POST" and path.startswith(("/gradio_api/", "/run/", "/call/", "/queue/")):
        return Budget.ASK
    if path in ("/api/health", "/api/examples", "/openapi.json", "/docs", "/redoc") or path.startswith("/doc/"):
        return Budget.OTHER  # the source viewer reads a whole document
    return None


class RateLimitMiddleware:
    """Pure ASGI (no buffering of bodies, works under Gradio's streaming responses). ``is_admin`` tells whether a
    request's Authorization header carries the valid admin token."""

    def __init__(
        self,
        app,
        *,
        rates: dict[Budget, Rate],
        trusted_proxies: Iterable[str] = (),
        is_admin: Callable[[str | None], bool] = lambda _: False,
        max_clients: int = 10_000,
        classifier: Classifier = classify,
    ):
        self.app, self.is_admin, self.classifier = app, is_admin, classifier
        self.trusted = parse_networks(trusted_proxies)
        self.buckets = {b: TokenBucket(r, max_clients) for b, r in rates.items() if r.per_minute > 0}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.buckets:
            return await self.app(scope, receive, send)
        budget = self.classifier(scope["method"], scope["path"])
        if budget is None:
            return await self.app(scope, receive, send)
        headers = scope.get("headers") or []
        key = client_key(
            (scope.get("client") or (None,))[0],
            [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"],
            self.trusted,
        )
        if budget is Budget.ADMIN_ATTEMPT:
            auth = next((v.decode("latin-1") for k, v in headers if k == b"authorization"), None)
            if self.is_admin(auth):
                budget, key = Budget.ADMIN, "admin"  # one admin budget, wherever the admin works from
        bucket = self.buckets.get(budget)
        wait = bucket.take(key) if bucket is not None else 0.0
        if wait > 0:
            response = error_response(429, "rate_limited", headers={"Retry-After": str(math.ceil(wait))})
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)
