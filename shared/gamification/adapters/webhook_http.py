"""POST a webhook without letting its URL reach inside: the SSRF guard at delivery time.

The host is resolved here, every address it resolves to is judged (``domain.webhooks.
address_problem``: private, loopback, link-local incl. the metadata service, CGNAT, reserved),
and the connection is made to the address that was judged, so a DNS answer that changes between
the check and the connect (rebinding) cannot slip through. TLS still verifies the certificate
against the host name. Redirects are never followed (http.client does not), and at most
``MAX_STORED_RESPONSE_BYTES`` of the answer is read.

**``timeout`` is a deadline for the whole attempt**, not per socket operation: the DNS lookup,
the connect, the TLS handshake, sending, and reading the status, the headers and the clipped
body all share it. Each socket operation gets the time left as its timeout and none starts once
it is spent, so an endpoint trickling a byte at a time cannot stretch an attempt past it (with a
per-operation timeout, one byte every 0.1 s kept an attempt with ``timeout=1`` busy 4.5 s). The
lookup (``getaddrinfo`` has no timeout of its own) runs in a daemon thread that is waited on for
the time left and abandoned after it. Past the deadline the attempt raises ``TimeoutError``, a
failure like any other timeout (retried, and it opens the endpoint's breaker).
``allow_private`` is the local stack's (its receiver is on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from gamification.domain.webhooks import (
    MAX_STORED_RESPONSE_BYTES,
    DeliveryRefusedError,
    Posted,
    address_problem,
)

_T = TypeVar("_T")

Resolver = Callable[[str, int], Sequence[str]]
"""``(host, port)`` → the addresses ``host`` resolves to (may block; the poster bounds it)."""


def system_resolver(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ConnectionError(f"cannot resolve {host}: {error}") from error
    return [str(info[4][0]) for info in found]


class _Deadline:
    """The attempt's end on a monotonic clock; ``left()`` raises once it has passed."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._seconds = seconds
        self._at = clock() + seconds

    def left(self) -> float:
        left = self._at - self._clock()
        if left <= 0:
            raise TimeoutError(f"the attempt's {self._seconds:g} s deadline passed")
        return left


class _DeadlineReader(io.RawIOBase):
    """The socket's reads, each with the time left as its timeout (none once it is spent)."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # holds the socket open like http.client
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._raw.readinto(buffer) or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """What ``http.client.HTTPResponse`` needs of a socket: ``makefile``, deadline-bound."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb") -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) to ``address`` while TLS (SNI, certificate) and ``Host`` name ``host``; the
    connect, the handshake and every send get only the deadline's time left."""

    def __init__(
        self, host: str, address: str, port: int, deadline: _Deadline, *, tls: bool
    ) -> None:
        super().__init__(host, port)
        self._address = address
        self._deadline = deadline
        self._tls = ssl.create_default_context() if tls else None

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self._deadline.left())
        if self._tls is not None:
            try:
                # The handshake's reads and writes share one timeout (CPython's _ssl).
                sock.settimeout(self._deadline.left())
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        self.sock = sock

    def send(self, data: Any) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError("the poster sends bytes only")
        if self.sock is None:
            self.connect()
        view = memoryview(data).cast("B")
        while view:  # not sendall: an SSL sendall gives each of its writes a fresh timeout
            self.sock.settimeout(self._deadline.left())
            view = view[self.sock.send(view) :]


class SafePoster:
    def __init__(
        self,
        *,
        allow_private: bool = False,
        allow_http: bool = False,
        resolver: Resolver = system_resolver,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``resolver`` and ``clock``: the tests' slow DNS and time (the system's otherwise)."""
        self._allow_private = allow_private
        self._allow_http = allow_http
        self._resolver = resolver
        self._clock = clock

    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> Posted:
        """POST once; the whole attempt ends within ``timeout`` seconds or raises
        ``TimeoutError``. ``latency_ms`` covers the whole attempt, the lookup included."""
        started = self._clock()
        deadline = _Deadline(timeout, self._clock)
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        if not secure and not (self._allow_http and parts.scheme == "http"):
            raise DeliveryRefusedError(f"the url's scheme {parts.scheme!r} is not allowed")
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        address = self._vetted_address(host, port, deadline)
        connection = _PinnedConnection(host, address, port, deadline, tls=secure)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            sock = cast(socket.socket, _DeadlineSocket(connection.sock, deadline))
            response = http.client.HTTPResponse(sock, method="POST")
            try:
                response.begin()
                text = response.read(MAX_STORED_RESPONSE_BYTES).decode(errors="replace")
            finally:
                response.close()
            return Posted(response.status, text, int((self._clock() - started) * 1000))
        finally:
            connection.close()

    def _vetted_address(self, host: str, port: int, deadline: _Deadline) -> str:
        """The first address of ``host``, after refusing any it resolves to that is inside."""
        addresses = _within(deadline, lambda: self._resolver(host, port), f"resolving {host}")
        if not addresses:
            raise ConnectionError(f"cannot resolve {host}: no address")
        if not self._allow_private:
            for address in addresses:
                problem = address_problem(address)
                if problem:
                    raise DeliveryRefusedError(f"{host} resolves to {address}, {problem}")
        return addresses[0]


def _within(deadline: _Deadline, work: Callable[[], _T], what: str) -> _T:
    """``work()`` in a daemon thread, waited on for the deadline's time left: a lookup that
    hangs is abandoned (its thread ends when the system resolver gives up), never waited out."""
    outcome: list[_T] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the caller below
            failure.append(error)
        finally:
            done.set()

    threading.Thread(target=run, name="webhook-dns", daemon=True).start()
    if not done.wait(deadline.left()):
        raise TimeoutError(f"{what} took longer than the attempt's deadline")
    if failure:
        raise failure[0]
    return outcome[0]
