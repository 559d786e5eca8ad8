"""Resolvers: one per Lambda (only its routers), and one with every router for the document.

Which function serves which route is fixed in :data:`gamification.resources.ROUTES` (the CDK
stack and the local stack read it too); :data:`FUNCTION_ROUTERS` must serve exactly those
routes, which a test checks.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import Router

from gamification.api import document, errors
from gamification.api.cors import CorsPolicy
from gamification.api.edge import ApiResolver
from gamification.api.routers import (
    account,
    activities,
    admin,
    badges,
    leaderboards,
    meta,
    notifications,
    profiles,
)
from gamification.api.service_errors import SERVICE_ERRORS

FUNCTION_ROUTERS: dict[str, tuple[Router, ...]] = {
    "ingest": (activities.router,),
    "query": (
        profiles.router,
        badges.router,
        leaderboards.router,
        notifications.router,
        meta.router,
    ),
    "account": (account.router,),
    "admin": (admin.router,),
}


def build_resolver(routers: tuple[Router, ...]) -> APIGatewayRestResolver:
    app = ApiResolver(enable_validation=True, cors=CorsPolicy.from_env().powertools())
    for router in routers:
        app.include_router(router)
    errors.install(app, SERVICE_ERRORS)
    return app


def resolver_for(function: str) -> APIGatewayRestResolver:
    """The resolver of one Lambda (``ingest``, ``query``, ``account`` or ``admin``)."""
    return build_resolver(FUNCTION_ROUTERS[function])


@lru_cache(maxsize=1)
def full_resolver() -> APIGatewayRestResolver:
    """Every route of every function: the source of the OpenAPI document."""
    return build_resolver(tuple(r for routers in FUNCTION_ROUTERS.values() for r in routers))


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The whole API's OpenAPI 3.1 document (as served and as written to docs/openapi.json)."""
    return document.build_document(full_resolver())


def openapi_json() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def swagger_html() -> str:
    return document.swagger_page(openapi_document())
