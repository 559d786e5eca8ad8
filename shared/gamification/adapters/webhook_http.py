"""POST a webhook without letting its URL reach inside: the SSRF guard at delivery time.

The host is resolved here, every address it resolves to is judged (``domain.webhooks.
address_problem``: private, loopback, link-local incl. the metadata service, CGNAT, reserved),
and the connection is made to the address that was judged, so a DNS answer that changes between
the check and the connect (rebinding) cannot slip through. TLS still verifies the certificate
against the host name. Redirects are never followed (http.client does not), the whole attempt
times out after ``timeout`` seconds, and at most ``MAX_STORED_RESPONSE_BYTES`` of the answer is
read. ``allow_private`` is the local stack's (its receiver is on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from gamification.domain.webhooks import (
    MAX_STORED_RESPONSE_BYTES,
    DeliveryRefusedError,
    Posted,
    address_problem,
)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``address`` while TLS (SNI, certificate) and ``Host`` name ``host``."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class SafePoster:
    def __init__(self, *, allow_private: bool = False, allow_http: bool = False) -> None:
        self._allow_private = allow_private
        self._allow_http = allow_http

    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> Posted:
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        if not secure and not (self._allow_http and parts.scheme == "http"):
            raise DeliveryRefusedError(f"the url's scheme {parts.scheme!r} is not allowed")
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        address = self._vetted_address(host, port)
        connection: http.client.HTTPConnection = (
            _PinnedHTTPSConnection(host, address, port, timeout)
            if secure
            else _PinnedHTTPConnection(host, address, port, timeout)
        )
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        started = time.monotonic()
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            response = connection.getresponse()
            text = response.read(MAX_STORED_RESPONSE_BYTES).decode(errors="replace")
            return Posted(response.status, text, int((time.monotonic() - started) * 1000))
        finally:
            connection.close()

    def _vetted_address(self, host: str, port: int) -> str:
        """The first address of ``host``, after refusing any it resolves to that is inside."""
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise ConnectionError(f"cannot resolve {host}: {error}") from error
        addresses = [str(info[4][0]) for info in found]
        if not self._allow_private:
            for address in addresses:
                problem = address_problem(address)
                if problem:
                    raise DeliveryRefusedError(f"{host} resolves to {address}, {problem}")
        return addresses[0]
