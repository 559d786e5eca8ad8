"""The Python client (``clients/python``): its generated half is current with docs/openapi.json
(``python -m gamification.local.python_client`` rewrites it), and its transport retries only
what is safe to repeat, quotes ids whole and reports the API's errors as they were written."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from gamification.local.python_client import DOCUMENT, OUTPUT, python_module
from gamify_client import ApiError, GamifyClient
from gamify_client.transport import Transport


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return loaded


def test_the_checked_in_client_is_current(document: dict[str, Any]) -> None:
    assert OUTPUT.read_text(encoding="utf-8") == python_module(document), (
        "clients/python/src/gamify_client/api.py is stale: run `make openapi`"
    )


def test_a_changed_document_makes_it_stale(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    changed["components"]["schemas"]["CohortEntryOut"]["properties"]["streak"] = {"type": "integer"}

    assert python_module(changed) != OUTPUT.read_text(encoding="utf-8")
    assert "    streak: NotRequired[int]\n" in python_module(changed)


def test_every_route_has_a_typed_method(document: dict[str, Any]) -> None:
    text = python_module(document)
    operations = [op for ops in document["paths"].values() for op in ops.values()]

    assert text.count("\n    def ") == len(operations) + 1  # and __init__
    assert (
        "    def get_leaderboard(self, *, period: Period | None = None, "
        "limit: int | None = None, offset: int | None = None) -> LeaderboardOut:"
    ) in text
    assert "    def report_activity(self, body: ActivityIn) -> AcceptedOut:" in text
    assert "    def get_user_profile(self, user_id: str) -> " in text


class _Script(BaseHTTPRequestHandler):
    """Answers each request with the next scripted ``(status, headers, body)``; records it."""

    script: ClassVar[list[tuple[int, dict[str, str], Any]]] = []
    seen: ClassVar[list[tuple[str, str, str | None, Any]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = json.loads(self.rfile.read(length)) if length else None
        self.seen.append((self.command, self.path, self.headers.get("Authorization"), sent))
        status, headers, body = self.script.pop(0)
        raw = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Length": str(len(raw)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Script.script, _Script.seen = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Script)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_read_is_retried_after_a_503_honouring_retry_after(server: str) -> None:
    _Script.script = [
        (503, {"Retry-After": "2"}, {"error": {"code": "unavailable", "message": "later"}}),
        (200, {}, {"status": "ok"}),
    ]
    slept: list[float] = []
    transport = Transport(server, "Bearer dev:alice", sleep=slept.append)

    assert transport.call("GET", "/v1/health") == {"status": "ok"}
    assert slept == [2.0]
    assert [(m, p, a) for m, p, a, _ in _Script.seen] == [
        ("GET", "/v1/health", "Bearer dev:alice"),
    ] * 2


def test_a_post_that_is_not_idempotent_is_not_retried(server: str) -> None:
    _Script.script = [(503, {}, {"error": {"code": "unavailable", "message": "later"}})]
    client = GamifyClient(server, "Bearer dev:admin:admin")

    with pytest.raises(ApiError) as raised:
        client.rotate_webhook_secret("hook")
    assert raised.value.status == 503
    assert len(_Script.seen) == 1


def test_ids_are_quoted_whole_and_queries_skip_what_was_not_given(server: str) -> None:
    _Script.script = [(200, {}, {"entries": []})]
    client = GamifyClient(server, lambda: "Bearer fresh")

    client.get_leaderboard_around("team/a:b c", period="weekly")
    ((method, path, authorization, _),) = _Script.seen
    assert (method, path, authorization) == (
        "GET",
        "/v1/leaderboard/around/team%2Fa%3Ab%20c?period=weekly",
        "Bearer fresh",
    )


def test_an_error_carries_the_apis_code_and_field_details(server: str) -> None:
    details = [{"field": "body.type", "message": "unknown event type"}]
    _Script.script = [
        (422, {}, {"error": {"code": "validation_error", "message": "bad", "details": details}})
    ]
    client = GamifyClient(server, "Bearer dev:alice")

    with pytest.raises(ApiError) as raised:
        client.report_activity({"type": "post_read", "object_id": "p"})
    assert (raised.value.status, raised.value.code, raised.value.details) == (
        422,
        "validation_error",
        details,
    )
    assert _Script.seen[0][3] == {"type": "post_read", "object_id": "p"}
