"""Each route's authorization is its row's ``auth`` in ``resources.ROUTES``, and only that.

The edge (``api.gateway_checks``) refuses what the row refuses before Powertools sees the request;
the route's own middleware, derived from the same row by ``contract.route``, holds behind any
resolver, so these tests use a plain Powertools resolver without the edge. Middlewares run
before a route's dependencies, so nothing here touches AWS or Redis.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from gamification.api.contract import SECURITY, new_router, route
from gamification.api.errors import ApiError
from gamification.api.openapi import openapi_document
from gamification.api.resolvers import routers_of
from gamification.resources import ROUTES, Route
from tests.api.support import ANONYMOUS, SERVICE, Identity, LambdaContext, api_event, user

_SAMPLE = {"{user_id}": "bob", "{badge_id}": "first-read", "{quest_id}": "q1"}


def _concrete(path: str) -> str:
    for template, value in _SAMPLE.items():
        path = path.replace(template, value)
    return path


def _refused_behind_a_plain_resolver(route_: Route, identity: Identity) -> HTTPStatus:
    """The status the route's own check refuses ``identity`` with (Powertools re-raises it)."""
    app = APIGatewayRestResolver()
    for router in routers_of(route_.function):
        app.include_router(router)
    event = api_event(route_.method, _concrete(route_.path), identity=identity)
    with pytest.raises(ApiError) as refused:
        app.resolve(event, LambdaContext(route_.function))  # type: ignore[arg-type]
    return refused.value.status


REFUSALS: list[tuple[str, Identity, HTTPStatus]] = [
    ("user", ANONYMOUS, HTTPStatus.UNAUTHORIZED),
    ("user", SERVICE, HTTPStatus.UNAUTHORIZED),
    ("admin", ANONYMOUS, HTTPStatus.UNAUTHORIZED),
    ("admin", user("alice"), HTTPStatus.FORBIDDEN),
    ("service", ANONYMOUS, HTTPStatus.UNAUTHORIZED),
    ("service", user("alice"), HTTPStatus.FORBIDDEN),
]


@pytest.mark.parametrize(
    ("route_", "identity", "status"),
    [
        pytest.param(r, identity, status, id=f"{r.method} {r.path} as {name}")
        for r in ROUTES
        for auth, identity, status in REFUSALS
        if r.auth == auth
        for name in [identity.user_id or ("service" if identity.service else "anonymous")]
    ],
)
def test_a_route_refuses_what_its_row_refuses_without_the_edge(
    route_: Route, identity: Identity, status: HTTPStatus
) -> None:
    assert _refused_behind_a_plain_resolver(route_, identity) == status


def test_each_operations_security_is_its_rows() -> None:
    paths = openapi_document()["paths"]

    for row in ROUTES:
        operation = paths[row.path][row.method.lower()]
        assert operation.get("security") == SECURITY[row.auth], (row.method, row.path)


def test_a_route_the_table_does_not_declare_cannot_be_served() -> None:
    with pytest.raises(LookupError, match="not declared"):
        route(new_router(), "GET", "/v1/undeclared")
