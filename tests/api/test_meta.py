"""Health, the OpenAPI document (complete, current, served), and the route table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamification import composition
from gamification.api.app import FUNCTION_ROUTERS, resolver_for
from gamification.api.contract import security_schemes
from gamification.api.openapi import openapi_json
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


def test_health_reports_both_dependencies(api: Api) -> None:
    reply = api.get("/v1/health")

    assert reply.status == 200
    assert reply.json["status"] == "ok"
    assert reply.json["dynamodb"]["ok"] is True
    assert reply.json["redis"]["ok"] is True


def test_health_is_degraded_not_down_without_redis(
    api: Api, stack_env: Provisioned, redis_down: None
) -> None:
    reply = api.get("/v1/health")

    assert reply.status == 200
    assert reply.json["status"] == "degraded"
    assert reply.json["redis"] == {
        "ok": False,
        "latency_ms": reply.json["redis"]["latency_ms"],
        "error": "LeaderboardUnavailableError",
    }


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
