"""HTTP for the generated ``Operations``: the standard library only, so the client adds no
dependency to an app. Errors come back as ``ApiError`` with the API's own code and field details;
throttles (429) and a dependency down (503) are retried with backoff on requests that are safe to
repeat (reads, PUT and DELETE, and reported activities: the API deduplicates them by object)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

_RETRIED_STATUSES = frozenset({429, 502, 503, 504})
_SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
_IDEMPOTENT_POSTS = frozenset({"/v1/activities", "/v1/activities/batch", "/v1/internal/activities"})
_MAX_RETRY_AFTER = 30.0


class ApiError(Exception):
    """A non-2xx answer: ``status``, the API's ``code`` and ``message``, and ``details`` (each
    ``{"field": ..., "message": ...}`` for a 422) as the API wrote them."""

    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        info: dict[str, Any] = error if isinstance(error, dict) else {}
        self.status = status
        self.code: str = str(info.get("code", f"http_{status}"))
        self.message: str = str(info.get("message", body if isinstance(body, str) else ""))
        self.details: list[dict[str, Any]] = list(info.get("details") or [])
        self.body = body
        super().__init__(f"{status} {self.code}: {self.message}")


Token = str | Callable[[], str] | None
"""The ``Authorization`` value (``Bearer <Cognito ID token>``), or a function returning a fresh
one per request (tokens expire after an hour), or ``None`` for the public routes."""


class Transport:
    def __init__(
        self,
        base_url: str,
        token: Token = None,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep

    def call(
        self,
        method: str,
        template: str,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Send one request (retrying what is safe to retry) and decode its JSON answer."""
        url = self.base_url + _expand(template, path or {}) + _query_string(query or {})
        retries = self._retries if method in _SAFE_METHODS or template in _IDEMPOTENT_POSTS else 0
        for attempt in range(retries + 1):
            status, headers, payload = self._send(method, url, body)
            if status in _RETRIED_STATUSES and attempt < retries:
                self._sleep(_delay(headers.get("retry-after"), self._backoff * 2**attempt))
                continue
            if 200 <= status < 300:
                return payload
            raise ApiError(status, payload)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, body: Any) -> tuple[int, dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        token = self._token() if callable(self._token) else self._token
        if token:
            request.add_header("Authorization", token)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                return response.status, _lower(response.headers), _decode(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, _lower(error.headers), _decode(error.read())


def _expand(template: str, values: Mapping[str, str]) -> str:
    """Each path parameter quoted whole (an id may hold ``:`` or ``/``)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
    return template


def _query_string(values: Mapping[str, Any]) -> str:
    given = {
        k: str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in values.items()
        if v is not None
    }
    return "?" + urllib.parse.urlencode(given) if given else ""


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()} if headers else {}


def _delay(retry_after: str | None, fallback: float) -> float:
    """``Retry-After`` in seconds when the API sent one (capped), else exponential backoff."""
    if retry_after is not None:
        try:
            return min(max(float(retry_after), 0.0), _MAX_RETRY_AFTER)
        except ValueError:
            pass
    return fallback
