"""The local gateway over a real socket, calling a throwaway handler loaded like Lambda loads it."""

from __future__ import annotations

import http.client
import json
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from gamification.local.apigateway import Request, Response, Router, json_response
from gamification.local.handlers import Invoker, load_handler
from gamification.local.http_gateway import Gateway, HttpGateway
from gamification.resources import Route
from tests.fixtures.raw_http import closed_by_server, exchange, send_part

ECHO = """
    import json

    from aws_lambda_powertools import Logger

    import helper  # a sibling module: the function's folder is on the path, as on Lambda

    logger = Logger(service="echo")


    @logger.inject_lambda_context
    def lambda_handler(event, context):
        if event["path"].endswith("/boom"):
            raise RuntimeError("boom")
        body = {"event": event, "function": context.function_name, "tag": helper.TAG,
                "remaining_ms": context.get_remaining_time_in_millis()}
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                "body": json.dumps(body)}
"""

ROUTES = (
    Route("GET", "/v1/users/{user_id}", "echo"),
    Route("POST", "/v1/internal/activities", "echo", auth="service"),
    Route("GET", "/v1/health", "echo", auth="none"),
    Route("GET", "/v1/health/boom", "echo", auth="none"),
)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpGateway]:
    functions = tmp_path_factory.mktemp("functions")
    folder = functions / "echo"
    folder.mkdir()
    (folder / "handler.py").write_text(textwrap.dedent(ECHO))
    (folder / "helper.py").write_text("TAG = 'from-helper'\n")
    invoker = Invoker(loader=partial(load_handler, directory=Path(functions)))

    def control(request: Request) -> Response:
        return json_response(200, {"local": request.path})

    server = HttpGateway(Gateway(invoker.invoke, Router(ROUTES)), port=0, control=control).start()
    yield server
    server.stop()


def _call(
    server: HttpGateway, method: str, path: str, token: str | None = None, body: str = ""
) -> tuple[int, dict[str, str], Any]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    payload = json.loads(response.read() or b"null")
    connection.close()
    return response.status, dict(response.getheaders()), payload


def test_a_request_reaches_the_handler_as_a_proxy_event(gateway: HttpGateway) -> None:
    status, _, body = _call(gateway, "GET", "/v1/users/bob?x=1", token="dev:alice")
    assert status == 200
    assert body["tag"] == "from-helper"
    assert body["function"] == "gamify-local-echo"
    assert body["remaining_ms"] > 0
    event = body["event"]
    assert event["pathParameters"] == {"user_id": "bob"}
    assert event["queryStringParameters"] == {"x": "1"}
    assert event["requestContext"]["authorizer"]["claims"]["sub"] == "alice"


def test_the_service_route_carries_the_iam_identity_and_the_body(gateway: HttpGateway) -> None:
    status, _, body = _call(
        gateway, "POST", "/v1/internal/activities", token="dev-service", body='{"a": 1}'
    )
    assert status == 200
    assert body["event"]["body"] == '{"a": 1}'
    assert body["event"]["requestContext"]["identity"]["userArn"].endswith("/local")


@pytest.mark.parametrize(
    ("method", "path", "token", "status", "code"),
    [
        ("GET", "/v1/users/bob", None, 401, "unauthorized"),
        ("POST", "/v1/internal/activities", "dev:alice", 403, "forbidden"),
        ("GET", "/v1/nowhere", None, 404, "not_found"),
        ("DELETE", "/v1/users/bob", "dev:alice", 405, "method_not_allowed"),
        ("GET", "/v1/health/boom", None, 502, "function_error"),
    ],
)
def test_errors_use_the_api_error_model(
    gateway: HttpGateway, method: str, path: str, token: str | None, status: int, code: str
) -> None:
    got, headers, body = _call(gateway, method, path, token=token)
    assert got == status
    assert body["error"]["code"] == code
    assert set(body["error"]) == {"code", "message", "details"}
    if status == 405:
        assert headers["Allow"] == "GET"


def test_local_paths_go_to_the_control_endpoints(gateway: HttpGateway) -> None:
    status, _, body = _call(gateway, "POST", "/local/jobs/x")
    assert (status, body) == (200, {"local": "/local/jobs/x"})


def _raw(server: HttpGateway, request: bytes) -> tuple[int, Any]:
    status, body = exchange(server.url, request, timeout=10)
    return status, json.loads(body or b"null")


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: abc\r\n",
        b"Content-Length: -1\r\n",
        b"Content-Length: 1\r\nContent-Length: 2\r\n",
        b"Content-Length: \xc2\xb2\r\n",  # a superscript two: a digit to str.isdigit, not to HTTP
        b"Transfer-Encoding: chunked\r\n",
    ],
)
def test_malformed_framing_is_a_400_in_the_error_model(
    gateway: HttpGateway, framing: bytes
) -> None:
    status, body = _raw(gateway, b"POST /v1/health HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n")
    assert status == 400
    assert body["error"]["code"] == "bad_request"


def test_a_malformed_request_line_is_a_400_in_the_error_model(gateway: HttpGateway) -> None:
    status, body = _raw(gateway, b"GET\r\n\r\n")
    assert status == 400
    assert set(body["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "BREW", "get", "PROPFIND"])
def test_any_method_is_answered_in_the_error_model(gateway: HttpGateway, method: str) -> None:
    status, body = _raw(gateway, f"{method} /v1/health HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == 405
    assert body["error"]["code"] == "method_not_allowed"


def test_a_burst_of_50_connections_is_answered_in_full(gateway: HttpGateway) -> None:
    """Fifty clients connect at once (the old backlog of 5 reset some); every one is served."""
    barrier = threading.Barrier(50)

    def one(_: int) -> int:
        barrier.wait(timeout=10)
        return _call(gateway, "GET", "/v1/health")[0]

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(one, range(50)))
    assert statuses == [200] * 50


@pytest.fixture
def impatient() -> Iterator[HttpGateway]:
    """A gateway that gives each request half a second to arrive."""

    def health(name: str, event: dict[str, Any]) -> dict[str, Any]:
        return {"statusCode": 200, "body": "{}"}

    server = HttpGateway(Gateway(health, Router(ROUTES)), port=0, read_timeout=0.5).start()
    yield server
    server.stop()


def test_a_stalled_client_is_dropped_while_others_are_answered(impatient: HttpGateway) -> None:
    in_headers = send_part(impatient.url, b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
    in_body = send_part(
        impatient.url, b"POST /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"
    )
    with in_headers, in_body:
        assert _raw(impatient, b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 200
        assert closed_by_server(in_headers, within=5)
        assert closed_by_server(in_body, within=5)


def test_a_client_sending_a_byte_at_a_time_is_dropped_too(impatient: HttpGateway) -> None:
    """Each byte arrives well within the timeout; the request as a whole does not."""
    with send_part(impatient.url, b"GET /v1/health HTTP/1.1\r\nX-Slow: ") as sock:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                sock.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                break
            if closed_by_server(sock, within=0.1):
                break
        assert time.monotonic() < deadline, "still connected after 5 s of trickling"


def test_a_repeated_authorization_header_is_a_400_naming_it(gateway: HttpGateway) -> None:
    status, body = _raw(
        gateway,
        b"GET /v1/users/bob HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: Bearer dev:alice\r\nAuthorization: Bearer dev:bob:admin\r\n\r\n",
    )
    assert status == 400
    assert body["error"]["message"].startswith("Authorization")
    assert body["error"]["details"][0]["field"] == "header.Authorization"
