"""``SafePoster`` against a real HTTP server on 127.0.0.1: refused unless the local stack allows
private addresses, no redirect followed, at most 1 KB of the answer read, a timeout honoured."""

from __future__ import annotations

import contextlib
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
