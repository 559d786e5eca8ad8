"""Resolvers: one per Lambda, with only its routers (`gamification.api.openapi` builds the one
with every router, for the document).

Which function serves which route is fixed in :data:`gamification.resources.ROUTES` (the CDK
stack and the local stack read it too); :data:`FUNCTION_ROUTERS` must serve exactly those
routes, which a test checks. A function imports only its own routers (and, through them, only
the services they call): the query function never loads the admin or ingest code.
"""

from __future__ import annotations

import importlib

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import Router

from gamification.api import errors
from gamification.api.cors import CorsPolicy
from gamification.api.error_map import late_service_error, service_errors
from gamification.api.gateway_checks import ApiResolver

FUNCTION_ROUTERS: dict[str, tuple[str, ...]] = {
    "ingest": ("activities",),
    "query": (
        "profiles",
        "badges",
        "quests",
        "leaderboards",
        "leagues",
        "notifications",
        "export",
        "friends",
        "teams",
        "wallet",
    ),
    # Public and cheap: outside the VPC, no table, no Redis (docs/api.md, "Health and docs").
    "meta": ("meta", "issuer"),
    "account": (
        "account",
        "privacy",
        "follows",
        "team_membership",
        "redeem",
        "pair_quests",
        "flags",
    ),
    "admin": ("admin", "webhooks", "team_admin", "shop"),
    # Outside the VPC; the only function that may sign with the credential key
    # (docs/credentials.md).
    "credentials": ("credentials",),
}
"""Each API function's routers, by module name under ``gamification.api.routers``."""


def routers_of(function: str) -> tuple[Router, ...]:
    """Import the function's router modules (only those) and return their routers."""
    return tuple(
        importlib.import_module(f"gamification.api.routers.{name}").router
        for name in FUNCTION_ROUTERS[function]
    )


def build_resolver(routers: tuple[Router, ...]) -> APIGatewayRestResolver:
    app = ApiResolver(enable_validation=True, cors=CorsPolicy.from_env().powertools())
    for router in routers:
        app.include_router(router)
    errors.install(app, service_errors(), late_service_error)
    return app


def resolver_for(function: str) -> APIGatewayRestResolver:
    """The resolver of one Lambda (``ingest``, ``query``, ``account``, ``admin`` or ``meta``)."""
    return build_resolver(routers_of(function))
