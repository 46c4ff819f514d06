"""Slow clients bounded in the built-in server: a deadline for a request's headers and a cap on open connections.

uvicorn has a keep-alive timeout but no deadline for headers (any byte received resets its timer), so a client
that drips a header line every few seconds holds a connection for ever; a thousand of them hold a thousand sockets.
This protocol (uvicorn's h11 one, extended) closes a connection whose request headers are not complete within
``header_timeout_s`` of its start (or of the end of its previous response, on a kept-alive connection), and refuses
connections beyond ``max_connections`` per server process at once. Measured by ``make load`` (qa/load.py).
"""

from __future__ import annotations

from typing import ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn_worker import UvicornWorker

from .settings import Settings


class BoundedH11Protocol(H11Protocol):
    header_timeout_s: float | None = None  # read from the settings on first use (gunicorn imports this by name)
    max_connections: int | None = None

    @classmethod
    def _limits(cls) -> tuple[float, int]:
        if cls.header_timeout_s is None or cls.max_connections is None:
            settings = Settings()
            cls.header_timeout_s, cls.max_connections = settings.header_timeout_s, settings.max_connections
        return cls.header_timeout_s, cls.max_connections

    def connection_made(self, transport) -> None:
        timeout, most = self._limits()
        self._header_deadline = None
        super().connection_made(transport)
        if len(self.connections) > most:
            transport.abort()  # refused at once: no response is owed to a connection that was never served
            return
        self._arm(timeout)

    def _arm(self, timeout: float) -> None:
        self._header_deadline = self.loop.call_later(timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # the headers are in: the request is the app's now

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._disarm()
            self._arm(self._limits()[0])  # the next request on this connection gets its own deadline

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)


# uvicorn believes X-Forwarded-For from 127.0.0.1 by default (proxy_headers, FORWARDED_ALLOW_IPS) and overwrites
# the socket address with it, so on loopback every forged value was a new client to the rate limiter; who the client
# is behind a proxy is the limiter's call (qa/limits.py, ``trusted_proxies``), so the servers we start leave it alone
SERVER_KWARGS: dict = {"http": BoundedH11Protocol, "proxy_headers": False}


class BoundedUvicornWorker(UvicornWorker):
    """gunicorn's worker for ``serve --workers N``, with the same protocol and no proxy-header rewriting."""

    CONFIG_KWARGS: ClassVar[dict] = {
        **UvicornWorker.CONFIG_KWARGS,
        **SERVER_KWARGS,
        "http": "qa.slowclients:BoundedH11Protocol",  # by name: gunicorn's worker imports it
    }
