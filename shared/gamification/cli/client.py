"""A small HTTP client for the Gamify API (stdlib only, keep-alive per thread).

Tokens: a Cognito id token on AWS; locally the dev tokens of the local stack
(``dev:<user>``, ``dev:<user>:admin``, ``dev-service``). ``sign`` adds SigV4 for the IAM-protected
service route of a deployed API.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

Signer = Callable[[str, str, bytes, dict[str, str]], dict[str, str]]
"""(method, url, body, headers) -> headers with a signature."""


@dataclass(frozen=True, slots=True)
class ApiResponse:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return self.status < 400


class ApiError(Exception):
    def __init__(self, response: ApiResponse, hint: str | None = None) -> None:
        """``hint``: what the caller can do about it, printed on a line of its own."""
        self.response = response
        error = response.body.get("error", {}) if isinstance(response.body, dict) else {}
        message = error.get("message") or str(response.body)
        details = error.get("details") or []
        fields = "; ".join(
            f"{d.get('field')}: {d.get('message')}" for d in details if isinstance(d, dict)
        )
        super().__init__(
            f"HTTP {response.status} {error.get('code', '')}: {message}"
            + (f" ({fields})" if fields else "")
            + (f"\n{hint}" if hint else "")
        )


class ApiUnreachableError(OSError):
    """Nothing answered at the API's address (refused, unknown host, timed out)."""


class ApiClient:
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        split = urlsplit(base_url.rstrip("/"))
        if split.scheme not in {"http", "https"} or not split.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._scheme = split.scheme
        self._host = split.hostname
        self._port = split.port
        self._prefix = split.path
        self._timeout = timeout
        self._local = threading.local()

    @property
    def is_local(self) -> bool:
        return self._host in {"127.0.0.1", "localhost", "::1"}

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
        sign: Signer | None = None,
    ) -> ApiResponse:
        """One call; retried once on a dropped keep-alive connection (nothing was processed)."""
        target = self._prefix + path
        wanted = {k: v for k, v in (query or {}).items() if v is not None}
        if wanted:
            target += "?" + urlencode(wanted, doseq=True)
        payload = b"" if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if payload:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if sign is not None:
            headers = sign(method, self.base_url + path, payload, headers)
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request(method, target, body=payload or None, headers=headers)
                raw = connection.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self._reset()
                if attempt == 2:
                    dropped = f"the connection dropped: {error}"
                    raise ApiUnreachableError(error.errno, dropped) from error
                continue
            except OSError as error:
                self._reset()
                raise ApiUnreachableError(error.errno, error.strerror or str(error)) from error
            return ApiResponse(raw.status, _decode(data))
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Like ``request`` but raises ``ApiError`` on 4xx/5xx and returns the body."""
        response = self.request(method, path, **kwargs)
        if not response.ok:
            raise ApiError(response)
        return response.body

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            factory = (
                http.client.HTTPSConnection
                if self._scheme == "https"
                else http.client.HTTPConnection
            )
            connection = factory(self._host, self._port, timeout=self._timeout)
            self._local.connection = connection
        return connection

    def _reset(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None


def _decode(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def sigv4_signer(region: str | None = None) -> Signer:
    """Sign with the caller's AWS credentials for ``execute-api`` (the IAM-protected route)."""
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = boto3.Session()
    credentials = session.get_credentials()
    if credentials is None:
        raise RuntimeError("no AWS credentials found for --sigv4")
    signing_region = region or session.region_name or "us-east-1"

    def sign(method: str, url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        SigV4Auth(credentials, "execute-api", signing_region).add_auth(request)
        return dict(request.headers.items())

    return sign
