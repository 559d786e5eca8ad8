"""Which browser origins may call the API, read once from ``GAMIFY_CORS_ORIGINS``.

One policy for every place that answers a browser: the functions (Powertools' ``CORSConfig``), the
local gateway's own answers (preflight, 401, 404, 502) and, on AWS, API Gateway's preflight mock
and gateway responses (``infra/constructs/api.py`` reads the same list from CDK context).

``GAMIFY_CORS_ORIGINS`` is a comma-separated list of origins (``https://app.example.com``), or
``*`` for any origin; unset or empty means no cross-origin access at all. No credentials
(cookies) are ever allowed: the API authenticates with a bearer token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from aws_lambda_powertools.event_handler import CORSConfig

ORIGINS_ENV = "GAMIFY_CORS_ORIGINS"
ANY_ORIGIN = "*"
ALLOW_HEADERS: tuple[str, ...] = ("Authorization", "Content-Type", "If-None-Match")
"""Request headers a browser may send (the widgets send these three)."""
EXPOSE_HEADERS: tuple[str, ...] = ("ETag", "Retry-After")
"""Response headers cross-origin scripts may read (ETag for conditional polling)."""
ALLOW_METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "DELETE", "OPTIONS")
MAX_AGE_SECONDS = 600
"""How long a browser may reuse a preflight answer (Chromium caps it at 2 hours)."""


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    origins: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str | None) -> CorsPolicy:
        origins = tuple(o.strip().rstrip("/") for o in (raw or "").split(",") if o.strip())
        return cls(origins)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> CorsPolicy:
        return cls.parse(environ.get(ORIGINS_ENV))

    @property
    def enabled(self) -> bool:
        return bool(self.origins)

    def allows(self, origin: str | None) -> bool:
        return bool(origin) and (ANY_ORIGIN in self.origins or origin in self.origins)

    def powertools(self) -> CORSConfig | None:
        """The resolver's CORS configuration (None: the functions add no CORS headers)."""
        if not self.enabled:
            return None
        return _VaryingCors(
            allow_origin=self.origins[0],
            extra_origins=list(self.origins[1:]),
            allow_headers=list(ALLOW_HEADERS),
            expose_headers=list(EXPOSE_HEADERS),
            max_age=MAX_AGE_SECONDS,
        )

    def response_headers(self, origin: str | None) -> dict[str, str]:
        """Headers for an actual response (a gateway error) to a request from ``origin``."""
        if not self.allows(origin):
            return {}
        return {
            "Access-Control-Allow-Origin": ANY_ORIGIN
            if ANY_ORIGIN in self.origins
            else str(origin),
            "Access-Control-Expose-Headers": ",".join(EXPOSE_HEADERS),
            "Vary": "Origin",
        }

    def preflight_headers(self, origin: str | None, methods: tuple[str, ...]) -> dict[str, str]:
        """The answer to ``OPTIONS`` on a resource serving ``methods``; none for other origins."""
        headers = self.response_headers(origin)
        if not headers:
            return {}
        return {
            **headers,
            "Access-Control-Allow-Methods": ",".join(sorted({*methods, "OPTIONS"})),
            "Access-Control-Allow-Headers": ",".join(ALLOW_HEADERS),
            "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
        }


class _VaryingCors(CORSConfig):
    """Powertools' CORS headers plus ``Vary: Origin`` when the answer names the caller's origin:
    without it a shared cache can hand one origin's answer, and its allow header, to another."""

    def to_dict(self, origin: str | None) -> dict[str, str]:
        headers = super().to_dict(origin)
        if headers.get("Access-Control-Allow-Origin", ANY_ORIGIN) != ANY_ORIGIN:
            headers["Vary"] = "Origin"
        return headers
