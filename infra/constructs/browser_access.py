"""CORS for the REST API: one list of origins for the three places that answer a browser.

* the preflight: an ``OPTIONS`` mock integration on every resource (no function runs);
* API Gateway's own errors (no token, throttled, unknown route): the DEFAULT_4XX/5XX responses;
* the functions' answers: Powertools, from ``GAMIFY_CORS_ORIGINS`` (``gamification/api/cors.py``).

A gateway response can only carry a fixed value or a request header: with one allowed origin
(or ``*``) it carries exactly that; with several it echoes the request's ``Origin``, so a
browser on another origin can read the *error body* of a refused request (never data, and
never with credentials). Successful answers name allowed origins only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw

from gamification.api.cors import (
    ALLOW_HEADERS,
    ALLOW_METHODS,
    ANY_ORIGIN,
    EXPOSE_HEADERS,
    MAX_AGE_SECONDS,
    ORIGINS_ENV,
)
from infra.constructs.functions import GamifyFunction
from infra.nag import acknowledge


class BrowserAccess:
    def __init__(self, origins: Sequence[str]) -> None:
        self.origins = tuple(origins)

    @property
    def any_origin(self) -> bool:
        return ANY_ORIGIN in self.origins

    def preflight(self) -> apigw.CorsOptions | None:
        """The ``OPTIONS`` answer on every resource (None: no cross-origin access)."""
        if not self.origins:
            return None
        return apigw.CorsOptions(
            allow_origins=apigw.Cors.ALL_ORIGINS if self.any_origin else list(self.origins),
            allow_methods=list(ALLOW_METHODS),
            allow_headers=list(ALLOW_HEADERS),
            max_age=Duration.seconds(MAX_AGE_SECONDS),
            status_code=204,
        )

    def gateway_response_headers(self) -> dict[str, str] | None:
        """Headers of the gateway's own 4xx/5xx answers (values are mapping expressions)."""
        if not self.origins:
            return None
        if self.any_origin:
            origin = "'*'"
        elif len(self.origins) == 1:
            origin = f"'{self.origins[0]}'"
        else:
            origin = "method.request.header.origin"
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": f"'{','.join(EXPOSE_HEADERS)}'",
            "Vary": "'Origin'",
        }

    def apply(
        self, preflights: Iterable[apigw.Method], functions: Iterable[GamifyFunction]
    ) -> None:
        """Tell the functions the origins, and acknowledge the unauthenticated preflights."""
        if not self.origins:
            return
        for fn in functions:
            fn.function.add_environment(ORIGINS_ENV, ",".join(self.origins))
        for method in preflights:
            reason = (
                "CORS preflight: browsers send OPTIONS without credentials by design. A mock "
                "integration answers with the allowed origins; no function runs, no data."
            )
            acknowledge(method, "AwsSolutions-APIG4", reason)
            acknowledge(method, "AwsSolutions-COG4", reason)
