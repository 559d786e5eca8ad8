"""``SafePoster`` against a real HTTP server on 127.0.0.1: refused unless the local stack allows
private addresses, no redirect followed, at most 1 KB of the answer read, the timeout a deadline
for the whole attempt (lookup, connect, TLS, send, answer)."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gamification.adapters.webhook_http import SafePoster
from gamification.domain.webhooks import DeliveryRefusedError


class _Handler(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Handler.received.append((self.path, body))
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.5)
        answer = b"x" * 5000
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        # The poster reads 1 KB and hangs up (or timed out): what is tested.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(answer)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_loopback_is_refused_outside_the_local_stack(server: str) -> None:
    with pytest.raises(DeliveryRefusedError, match="loopback"):
        SafePoster(allow_http=True).post(f"{server}/hook", {}, b"{}", 5)
    with pytest.raises(DeliveryRefusedError, match="scheme"):
        SafePoster().post(f"{server}/hook", {}, b"{}", 5)


def test_the_local_stack_posts_and_keeps_at_most_1_kb_of_the_answer(server: str) -> None:
    posted = SafePoster(allow_private=True, allow_http=True).post(
        f"{server}/hook?x=1", {"Content-Type": "application/json"}, b'{"a":1}', 5
    )

    assert posted.status == 200
    assert len(posted.body) == 1024
    assert ("/hook?x=1", b'{"a":1}') in _Handler.received


def test_a_redirect_is_answered_not_followed(server: str) -> None:
    posted = SafePoster(allow_private=True, allow_http=True).post(f"{server}/redirect", {}, b"", 5)
    assert posted.status == 302


def test_a_slow_endpoint_times_out(server: str) -> None:
    with pytest.raises(TimeoutError):
        SafePoster(allow_private=True, allow_http=True).post(f"{server}/slow", {}, b"", 0.5)


# The whole attempt is one deadline: servers that trickle a byte at a time (each socket read
# returns well within any per-operation timeout), a slow DNS lookup, a receiver that never
# reads. Each must end the attempt within the deadline; asserted with a small deadline and a
# wide margin (under 2x), and by counting what the server got to send before the poster left.

DEADLINE = 0.5
TRICKLE = 0.05
"""One byte per 50 ms: ≈ 10 bytes fit in the deadline; the old per-read timeout took them all."""


class _Trickler(socketserver.BaseRequestHandler):
    """Reads the request, writes ``prefix`` at once, then ``trickled`` one byte per ``TRICKLE``
    (at most 200 bytes, 10 s: a stuck test still ends). Counts the trickled bytes it sent."""

    prefix = b""
    trickled = b""
    reads_request = True
    sent: list[int] = []

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        if self.reads_request:
            with contextlib.suppress(OSError):
                sock.recv(65536)
        count = 0
        try:
            sock.sendall(self.prefix)
            for byte in self.trickled[:200]:
                time.sleep(TRICKLE)
                sock.sendall(bytes([byte]))
                count += 1
        except OSError:
            pass
        finally:
            type(self).sent.append(count)


class _Silent(socketserver.BaseRequestHandler):
    """Accepts and never reads."""

    def handle(self) -> None:
        time.sleep(3)


def _trickling(prefix: bytes, trickled: bytes, *, reads_request: bool = True) -> type[_Trickler]:
    return type(
        "Handler",
        (_Trickler,),
        {"prefix": prefix, "trickled": trickled, "reads_request": reads_request, "sent": []},
    )


@contextlib.contextmanager
def _raw_server(handler: type[socketserver.BaseRequestHandler]) -> Iterator[int]:
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


def _timed_out(url: str, poster: SafePoster | None = None, body: bytes = b"{}") -> float:
    poster = poster or SafePoster(allow_private=True, allow_http=True)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        poster.post(url, {}, body, DEADLINE)
    return time.monotonic() - started


def _wait_for(sent: list[int]) -> int:
    """The server's count once its handler has noticed the poster hung up."""
    for _ in range(100):
        if sent:
            return sent[0]
        time.sleep(0.05)
    raise AssertionError("the server never noticed the hang-up")


@pytest.mark.parametrize(
    ("prefix", "trickled"),
    [
        pytest.param(b"", b"HTTP/1.1 200 OK\r\n" * 20, id="status line"),
        pytest.param(b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"y" * 190, id="headers"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", b"z" * 200, id="body"),
    ],
)
def test_a_trickling_answer_ends_the_attempt_at_its_deadline(
    prefix: bytes, trickled: bytes
) -> None:
    handler = _trickling(prefix, trickled)
    with _raw_server(handler) as port:
        elapsed = _timed_out(f"http://127.0.0.1:{port}/hook")
        sent = _wait_for(handler.sent)

    assert elapsed < 2 * DEADLINE
    # Bytes the server got out before the poster left: about DEADLINE / TRICKLE (10), far from
    # the 200 it would trickle to a poster that only times out a silent read.
    assert sent < 2 * DEADLINE / TRICKLE


def test_a_trickling_tls_handshake_ends_the_attempt_at_its_deadline() -> None:
    # A TLS record header announcing 16 KB of handshake, then its bytes one at a time: the
    # handshake never completes, each of its reads returns within any per-read timeout.
    # (CPython gives a whole handshake one timeout; this guards that it is the time left.)
    handler = _trickling(b"\x16\x03\x03\x40\x00", b"\x02" * 200)
    with _raw_server(handler) as port:
        elapsed = _timed_out(f"https://127.0.0.1:{port}/hook", SafePoster(allow_private=True))
        sent = _wait_for(handler.sent)

    assert elapsed < 2 * DEADLINE
    assert sent < 2 * DEADLINE / TRICKLE


def test_a_receiver_that_never_reads_ends_the_attempt_at_its_deadline() -> None:
    # 16 MB is more than the socket buffers take: the send itself blocks. (A plain socket's
    # sendall has one timeout for the whole call; this guards that the sends keep a deadline.)
    with _raw_server(_Silent) as port:
        elapsed = _timed_out(f"http://127.0.0.1:{port}/hook", body=b"x" * (16 << 20))

    assert elapsed < 2 * DEADLINE


class _SlowResolver:
    def __init__(self, seconds: float, addresses: list[str]) -> None:
        self.seconds = seconds
        self.addresses = addresses
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        time.sleep(self.seconds)
        return self.addresses


def test_a_slow_dns_lookup_ends_the_attempt_at_its_deadline(server: str) -> None:
    resolver = _SlowResolver(3.0, ["127.0.0.1"])
    poster = SafePoster(allow_private=True, allow_http=True, resolver=resolver)
    port = server.rsplit(":", 1)[1]
    received = len(_Handler.received)

    elapsed = _timed_out(f"http://hooks.example.com:{port}/hook", poster)

    assert elapsed < 2 * DEADLINE
    assert resolver.asked == [("hooks.example.com", int(port))]
    assert len(_Handler.received) == received  # nothing was sent


def test_the_lookup_and_a_trickling_answer_share_one_deadline() -> None:
    # 0.3 s of lookup leaves 0.2 s for the rest: ≈ 4 bytes, not another 10.
    handler = _trickling(b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"y" * 190)
    resolver = _SlowResolver(0.3, ["127.0.0.1"])
    with _raw_server(handler) as port:
        poster = SafePoster(allow_private=True, allow_http=True, resolver=resolver)
        elapsed = _timed_out(f"http://hooks.example.com:{port}/hook", poster)
        sent = _wait_for(handler.sent)

    assert elapsed < 2 * DEADLINE
    assert sent < DEADLINE / TRICKLE


def test_the_connection_goes_to_the_address_that_was_checked(server: str) -> None:
    # The name is resolved once, through the injected resolver, and the socket goes to that
    # address while Host names the host: a second answer (rebinding) is never asked for.
    resolver = _SlowResolver(0, ["127.0.0.1"])
    port = server.rsplit(":", 1)[1]
    url = f"http://hooks.example.com:{port}/pinned"
    posted = SafePoster(allow_private=True, allow_http=True, resolver=resolver).post(
        url, {}, b"{}", 5
    )

    assert posted.status == 200
    assert resolver.asked == [("hooks.example.com", int(port))]
    assert ("/pinned", b"{}") in _Handler.received
    with pytest.raises(DeliveryRefusedError, match="private"):
        SafePoster(allow_http=True, resolver=_SlowResolver(0, ["93.184.216.34", "10.1.2.3"])).post(
            url, {}, b"{}", 5
        )
