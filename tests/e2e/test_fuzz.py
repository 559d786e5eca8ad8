"""Hostile input over real HTTP against the local stack: never a 5xx, always the error model.

Two halves share one stack: Schemathesis with all its checks (positive and negative data, the
document's every operation), and a table of hand-written hostile requests Schemathesis would not
think of (nesting, huge numbers, invalid UTF-8, each refused Unicode category, oversized bodies,
odd methods, broken framing). Bounded: about 30 s of requests on a laptop.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from gamification.api.openapi import openapi_document
from tests.e2e.stack import StackProcess
from tests.fixtures.raw_http import exchange

pytestmark = pytest.mark.e2e

ALICE = "Bearer dev:fuzz-alice"
ADMIN = "Bearer dev:fuzz-admin:admin"
SERVICE = "Bearer dev-service"

CONFIG = schemathesis.Config.from_dict(
    {
        "auth": {
            "openapi": {
                "cognito": {"api_key": "Bearer dev:fuzz:admin"},
                "iam": {"api_key": SERVICE},
            }
        },
        "checks": {
            # 400: schema-valid, refused by a rule no schema states (the back-dating window, a
            # user who never played). Nothing schema-valid may get a 422.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
            }
        },
    }
)
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)


def in_the_error_model(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every refusal is ``{"error": {"code", "message", "details"}}``."""
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert set(body) == {"error"}, body
        assert {"code", "message", "details"} == set(body["error"]), body
    return None


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_broken_promise(
    case: schemathesis.Case[Any], stack: StackProcess
) -> None:
    case.call_and_validate(base_url=stack.url, additional_checks=[in_the_error_model])


# -- the hand-written table -------------------------------------------------------------------

JSON_ROUTES = [
    ("POST", "/v1/activities", ALICE),
    ("POST", "/v1/activities/batch", ALICE),
    ("POST", "/v1/internal/activities", SERVICE),
    ("PUT", "/v1/me/settings", ALICE),
    ("POST", "/v1/me/notifications/read", ALICE),
    ("PUT", "/v1/admin/badges/fuzz", ADMIN),
]
REFUSED_EXAMPLES = {  # one character of each refused category (domain/text.py)
    "Cc": "\x1b",
    "Cf": "\u202e",
    "Cs": "\ud800",
    "Zl": "\u2028",
    "Zp": "\u2029",
    "Zs": "\u00a0",
}
BODIES: list[tuple[str, bytes]] = [
    ("990 open brackets", b"[" * 990),
    ("nested objects", b'{"a":' * 300 + b"1" + b"}" * 300),
    ("4301-digit number", b'{"type": ' + b"9" * 4301 + b"}"),
    ("huge exponent", b'{"type": "post_read", "object_id": 1e999999}'),
    ("NaN", b'{"type": NaN}'),
    ("invalid UTF-8", b'{"type": "\xff\xfe"}'),
    ("truncated", b'{"type": "post_'),
    ("not an object", b"[1, 2, 3]"),
    ("33 KiB", json.dumps({"object_id": "x" * 33 * 1024}).encode()),
    ("empty object", b"{}"),
    *[
        (
            f"{category} in ids and names",
            json.dumps(
                {
                    "type": "post_read",
                    "object_id": f"post{char}1",
                    "display_name": f"Ann{char}",
                    "user_id": f"u{char}",
                    "ids": [f"n{char}"],
                }
            ).encode(),
        )
        for category, char in REFUSED_EXAMPLES.items()
    ],
]


def _send(stack: StackProcess, raw: bytes) -> tuple[int, bytes]:
    return exchange(stack.url, raw)


def _request(method: str, target: str, token: str | None, body: bytes = b"") -> bytes:
    head = f"{method} {target} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n"
    if token:
        head += f"Authorization: {token}\r\n"
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _assert_answered(status: int, payload: bytes, what: str) -> None:
    assert status < 500, f"{what}: {status} {payload[:300]!r}"
    if status >= 400:
        error = json.loads(payload)["error"]
        assert {"code", "message", "details"} == set(error), what


def test_the_examples_cover_every_refused_category() -> None:
    assert {unicodedata.category(c) for c in REFUSED_EXAMPLES.values()} == set(REFUSED_EXAMPLES)


def test_hostile_bodies_on_every_json_route(stack: StackProcess) -> None:
    for method, path, token in JSON_ROUTES:
        for name, body in BODIES:
            status, payload = _send(stack, _request(method, path, token, body))
            _assert_answered(status, payload, f"{method} {path} with {name}")
            assert status != 200 or name == "empty object", f"{method} {path} took {name}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"TRACE /v1/me HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"POST /v1/activities HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        (b"POST /v1/activities HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        (b"GET /v1/users/%ff HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev:a\r\n\r\n", 404),
        (b"GET /v1/leaderboard?limit=" + b"9" * 5000 + b" HTTP/1.1\r\nHost: x\r\n"
         b"Authorization: Bearer dev:a\r\n\r\n", 422),
        (b"GET /v1/leaderboard?period=%00 HTTP/1.1\r\nHost: x\r\n"
         b"Authorization: Bearer dev:a\r\n\r\n", 422),
        (b"GET /v1/me/notifications?cursor=%ff%fe HTTP/1.1\r\nHost: x\r\n"
         b"Authorization: Bearer dev:a\r\n\r\n", 422),
        (b"GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev:\xff\r\n\r\n", 401),
        (b"GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 70000 + b"\r\n\r\n", 431),
    ],
)  # fmt: skip
def test_odd_methods_framing_paths_queries_and_headers(
    stack: StackProcess, raw: bytes, expected: int
) -> None:
    status, payload = _send(stack, raw)
    _assert_answered(status, payload, raw[:60].decode(errors="replace"))
    assert status == expected, payload[:300]


def test_a_body_over_the_gateway_limit_is_a_413(stack: StackProcess) -> None:
    """Answered from the headers alone, before a byte of the body is read."""
    head = _request("POST", "/v1/activities", ALICE).replace(
        b"Content-Length: 0", f"Content-Length: {11 * 1024 * 1024}".encode()
    )
    status, payload = _send(stack, head)
    _assert_answered(status, payload, "11 MiB")
    assert status == 413


def test_a_burst_of_50_connections_is_answered_in_full(stack: StackProcess) -> None:
    barrier = threading.Barrier(50)

    def one(_: int) -> int:
        barrier.wait(timeout=10)
        return _send(stack, _request("GET", "/v1/health", None))[0]

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert list(pool.map(one, range(50))) == [200] * 50
