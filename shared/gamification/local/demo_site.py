"""The demo page (the repository's ``web/`` folder) served by the local gateway, at ``/``.

Local only: on AWS the page is either embedded in your own site or hosted on S3 + CloudFront
(``infra/constructs/web_hosting.py``). ``/config.json`` tells the page to use this origin's API
and to accept ``?user=<id>`` as a dev sign-in, which only the local authorizer understands.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

from gamification.local.apigateway import Request, Response
from gamification.local.http_gateway import Gateway, Invoke

log = logging.getLogger("gamify.local")

WEB_DIR_ENV = "GAMIFY_WEB_DIR"
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
LOCAL_CONFIG = {"apiUrl": "", "devSignIn": True}
"""Same-origin API; dev tokens (``dev:<user>``) as the sign-in."""


def default_web_dir() -> Path:
    """``web/`` at the top of the repository (the package is installed in editable mode)."""
    configured = os.environ.get(WEB_DIR_ENV)
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "web"


class DemoSite:
    """Static files of one folder; ``serve`` answers only the requests that are for them."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    @property
    def available(self) -> bool:
        return (self._root / "index.html").is_file()

    def serve(self, request: Request) -> Response | None:
        if request.method not in {"GET", "HEAD"}:
            return None
        if request.path == "/config.json":
            return _response(json.dumps(LOCAL_CONFIG).encode(), CONTENT_TYPES[".json"])
        file = self._file(request.path)
        if file is None:
            return None
        return _response(file.read_bytes(), CONTENT_TYPES[file.suffix])

    def _file(self, path: str) -> Path | None:
        segments = [s for s in path.split("/") if s] or ["index.html"]
        if not all(_SEGMENT.match(s) for s in segments):
            return None
        file = self._root.joinpath(*segments)
        if file.suffix not in CONTENT_TYPES or not file.is_file():
            return None
        return file if file.resolve().is_relative_to(self._root) else None


def _response(body: bytes, content_type: str) -> Response:
    # A developer edits web/ and reloads: never serve a stale copy.
    return Response(200, [("Content-Type", content_type), ("Cache-Control", "no-cache")], body)


class GatewayWithDemoSite(Gateway):
    """The local API Gateway, plus the demo page for the paths that name its files."""

    def __init__(self, invoke: Invoke, site: DemoSite) -> None:
        super().__init__(invoke)
        self._site = site
        if not site.available:
            log.warning("no demo page: %s has no index.html (set %s)", site, WEB_DIR_ENV)

    def handle(self, request: Request) -> Response:
        page = self._site.serve(request) if self._site.available else None
        return page if page is not None else super().handle(request)
