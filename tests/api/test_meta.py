"""Health, the OpenAPI document (complete, current, served), and the route table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamification import composition
from gamification.api.contract import security_schemes
from gamification.api.openapi import openapi_json
from gamification.api.resolvers import FUNCTION_ROUTERS, resolver_for
from gamification.local.provision import Provisioned
from gamification.resources import ROUTES
from tests.api.support import Api, user

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def _operations(document: dict[str, object]) -> set[tuple[str, str]]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def test_the_committed_openapi_document_is_current() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == openapi_json(), "run `make openapi`"


def test_the_document_covers_every_route() -> None:
    document = json.loads(openapi_json())

    assert _operations(document) == {(r.method, r.path) for r in ROUTES}


@pytest.mark.parametrize("function", sorted(FUNCTION_ROUTERS))
def test_each_function_serves_exactly_its_routes(function: str) -> None:
    schema = resolver_for(function).get_openapi_schema(security_schemes=security_schemes())
    served = _operations(json.loads(schema.model_dump_json(by_alias=True, exclude_none=True)))

    assert served == {(r.method, r.path) for r in ROUTES if r.function == function}


def test_the_api_serves_its_document_and_swagger_ui(api: Api) -> None:
    document = api.get("/v1/openapi.json")
    docs = api.get("/v1/docs")

    assert document.status == 200
    assert document.json == json.loads(openapi_json())
    assert docs.status == 200
    assert docs.headers["Content-Type"] == "text/html"
    assert "SwaggerUIBundle" in docs.text


def test_the_swagger_pages_own_spec_link_answers_the_document(api: Api) -> None:
    """The page points Swagger UI at ``/v1/docs?format=json``; that must be the JSON, not HTML."""
    docs = api.get("/v1/docs")
    spec = api.get("/v1/docs", query={"format": "json"})

    assert '?format=json"' in docs.text
    assert spec.status == 200
    assert spec.headers["Content-Type"] == "application/json"
    assert spec.json == json.loads(openapi_json())


def test_health_answers_without_touching_a_dependency(
    api: Api, stack_env: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The public probe reaches neither DynamoDB nor Redis: with both pointed at nothing it
    still answers, so a flood of it cannot spend them (docs/api.md, "Health and docs")."""
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    composition.reset()

    reply = api.get("/v1/health")

    assert reply.status == 200
    assert reply.json == {"status": "ok"}


def test_health_stays_ok_without_redis(api: Api, stack_env: Provisioned, redis_down: None) -> None:
    """The API answers through a Redis outage (stale boards), so its liveness does not change;
    the outage is the alarms' to report, not a public probe's."""
    reply = api.get("/v1/health")

    assert reply.status == 200
    assert reply.json == {"status": "ok"}


def test_the_public_routes_are_served_by_a_function_with_no_data_access() -> None:
    public = {(r.method, r.path): r.function for r in ROUTES if r.auth == "none"}

    assert public == {
        ("GET", "/v1/health"): "meta",
        ("GET", "/v1/openapi.json"): "meta",
        ("GET", "/v1/docs"): "meta",
        ("GET", "/v1/events/schema"): "meta",
        ("GET", "/.well-known/jwks.json"): "meta",
        ("GET", "/v1/issuer"): "meta",
    }
    # The issuer's profile and public keys (docs/credentials.md): no table, kms:GetPublicKey.
    assert FUNCTION_ROUTERS["meta"] == ("meta", "issuer")


def test_an_unexpected_failure_is_a_500_in_the_error_model_without_internals(
    api: Api, stack_env: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    composition.reset()

    reply = api.get("/v1/me", as_=user("alice"))

    assert reply.status == 500
    assert reply.error == {
        "code": "internal_error",
        "message": "something went wrong on our side",
        "details": [],
    }
    assert "no-such-table" not in reply.text
