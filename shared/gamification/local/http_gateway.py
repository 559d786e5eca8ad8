"""The local API Gateway: an HTTP server that turns each request into a proxy event.

``Gateway.handle`` is the whole gateway (match, authorize, build the event, invoke, translate);
``serve`` puts it behind ``http.server`` on 127.0.0.1. Paths under ``/local/`` go to the local
control endpoints instead (jobs on demand, Redis outage), which exist only here.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gamification.api.cors import CorsPolicy
from gamification.local.apigateway import (
    MAX_BODY_BYTES,
    NotMatched,
    Request,
    Response,
    Router,
    error,
    from_result,
    proxy_event,
)
from gamification.local.auth import Refused, authorize

log = logging.getLogger("gamify.local")

Invoke = Callable[[str, dict[str, Any]], Any]
LocalControl = Callable[[Request], Response]

LOCAL_PREFIX = "/local/"
READ_TIMEOUT_SECONDS = 10.0
"""How long a client has to send one whole request (request line to the last body byte), and to
read an answer: a slow or stalled client is dropped instead of holding a worker thread. Also how
long an idle keep-alive connection stays open."""


class Gateway:
    def __init__(
        self, invoke: Invoke, router: Router | None = None, cors: CorsPolicy | None = None
    ) -> None:
        self._invoke = invoke
        self._router = router or Router()
        self._cors = cors if cors is not None else CorsPolicy.from_env()

    def handle(self, request: Request) -> Response:
        matched = self._router.match(request.method, request.path)
        if isinstance(matched, NotMatched):
            if request.method == "OPTIONS" and matched.status == 405:
                return self._preflight(request, matched.allowed)
            return self._gateway_answer(request, _not_matched(request, matched))
        if len(request.header_values("authorization")) > 1:
            # Which one would API Gateway use? Neither guess is safe for credentials.
            twice = error(
                400,
                "bad_request",
                "Authorization: send the header once",
                [{"field": "header.Authorization", "message": "repeated", "type": "header"}],
            )
            return self._gateway_answer(request, twice)
        grant = authorize(matched.route, request.header("authorization"))
        if isinstance(grant, Refused):
            return self._gateway_answer(request, error(grant.status, grant.code, grant.message))
        event = proxy_event(request, matched, grant)
        try:
            result = self._invoke(matched.route.function, event)
        except Exception as exc:
            # API Gateway answers 502 when the integration fails; the traceback is the "log".
            log.exception("function %s failed", matched.route.function)
            failed = error(502, "function_error", f"{matched.route.function} failed: {exc!r}")
            return self._gateway_answer(request, failed)
        return from_result(result)

    def _preflight(self, request: Request, methods: tuple[str, ...]) -> Response:
        """API Gateway's OPTIONS mock on every resource: 204, headers for allowed origins."""
        headers = self._cors.preflight_headers(request.header("origin"), methods)
        return Response(204, list(headers.items()))

    def _gateway_answer(self, request: Request, response: Response) -> Response:
        """The gateway's own errors carry CORS headers too (its DEFAULT_4XX/5XX responses)."""
        response.headers.extend(self._cors.response_headers(request.header("origin")).items())
        return response


def _not_matched(request: Request, found: NotMatched) -> Response:
    if found.status == 405:
        response = error(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.path} (allowed: "
            f"{', '.join(found.allowed)})",
        )
        response.headers.append(("Allow", ", ".join(found.allowed)))
        return response
    return error(404, "not_found", f"no route for {request.method} {request.path}")


class _DeadlineReader(io.RawIOBase):
    """The connection's receives, each allowed only what is left of the request's time: a
    per-receive timeout alone lets a client that sends a byte every few seconds hold a worker
    forever (``readline`` receives until the line ends)."""

    def __init__(self, connection: socket.socket, seconds: float) -> None:
        super().__init__()
        self._connection = connection
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds

    def restart(self) -> None:
        self._deadline = time.monotonic() + self._seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request was not read in time")
        self._connection.settimeout(left)
        return self._connection.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain buffered socket file; reads go through the deadline
        self._reader = _DeadlineReader(self.connection, self.server.read_timeout)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        """``http.server`` drops the connection on a ``TimeoutError`` from a read."""
        self._reader.restart()
        super().handle_one_request()

    def _serve(self) -> None:
        length = _content_length(self.headers.get_all("Content-Length") or [])
        if length is None or self.headers.get("Transfer-Encoding"):
            # Framing we cannot trust: answer, and close so the rest is not read as a request.
            self.close_connection = True
            self._send(error(400, "bad_request", "send one non-negative decimal Content-Length"))
            return
        if length > MAX_BODY_BYTES:
            self._send(error(413, "payload_too_large", f"body over {MAX_BODY_BYTES} bytes"))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        self.connection.settimeout(self.server.read_timeout)  # the answer's writes
        request = Request(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        if request.path.startswith(LOCAL_PREFIX) and self.server.control is not None:
            response = self.server.control(request)
        else:
            response = self.server.gateway.handle(request)
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        names = {k.lower() for k, _ in response.headers}
        for key, value in response.headers:
            if key.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(key, value)
        if "content-type" not in names and response.body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def __getattr__(self, name: str) -> Any:
        """Every method reaches the gateway (``do_TRACE``, ``do_BREW``...), which answers an
        unknown one 405 or 404 in the error model, as API Gateway does, instead of HTML 501."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What ``http.server`` refuses itself (a malformed request line, oversized headers),
        in the error model rather than its HTML page."""
        self.close_connection = True
        self.request_version = self.protocol_version  # no HTTP/0.9 replies without a status line
        status = code if 400 <= code < 500 else 400
        phrase = message or HTTPStatus(status).phrase
        self._send(error(status, "bad_request", phrase))

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def _content_length(values: list[str]) -> int | None:
    """The body's length, or None when the header is malformed, negative or repeated with
    different values (a request smuggling vector)."""
    if not values:
        return 0
    if len(set(values)) != 1 or not (values[0].strip().isascii() and values[0].strip().isdigit()):
        return None
    return int(values[0])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen backlog: bursts of connections wait, not reset
    gateway: Gateway
    control: LocalControl | None
    read_timeout: float


class HttpGateway:
    """The server, started in a thread; ``port=0`` picks a free port."""

    def __init__(
        self,
        gateway: Gateway,
        host: str = "127.0.0.1",
        port: int = 3000,
        control: LocalControl | None = None,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.gateway = gateway
        self._server.control = control
        self._server.read_timeout = read_timeout
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="http-gateway", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> HttpGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
