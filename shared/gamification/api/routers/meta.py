"""Liveness, the OpenAPI document and its Swagger UI (no authentication, served by the meta
function: outside the VPC, no table, no Redis)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query

from gamification.api.contract import new_router, responses, route
from gamification.services.read_models import HealthOut

router = new_router()
TAGS = ["meta"]


@route(
    router,
    "GET",
    "/v1/health",
    operation_id="getHealth",
    summary="Liveness of the API",
    description="200 while the gateway and a function answer. It reaches neither DynamoDB nor "
    "Redis, so a public probe cannot spend them; the API answers through a Redis outage with "
    "stale boards, and the dependencies are watched by alarms (docs/api.md).",
    tags=TAGS,
    responses=responses(200, "Health"),
)
def get_health() -> HealthOut:
    return HealthOut(status="ok")


@route(
    router,
    "GET",
    "/v1/openapi.json",
    operation_id="getOpenApiDocument",
    summary="This API's OpenAPI 3.1 document",
    tags=TAGS,
    responses=responses(200, "The OpenAPI document"),
)
def openapi_document() -> dict[str, Any]:
    from gamification.api.openapi import openapi_document

    return openapi_document()


def _html_or_json(documented: dict[int, Any]) -> dict[int, Any]:
    """The page, or with ``?format=json`` the document (an object)."""
    content = documented[200]["content"]
    content[content_types.APPLICATION_JSON] = {"schema": {"type": "object"}}
    documented[200]["description"] = "An HTML page, or the OpenAPI document with ?format=json"
    return documented


@route(
    router,
    "GET",
    "/v1/docs",
    operation_id="getSwaggerUi",
    summary="Swagger UI for this API",
    description="`?format=json` answers the OpenAPI document instead: the page's own link to "
    "its spec points there.",
    tags=TAGS,
    responses=_html_or_json(responses(200, "An HTML page", media_type=content_types.TEXT_HTML)),
)
def swagger_ui(
    format_: Annotated[Literal["html", "json"], Query(alias="format")] = "html",
) -> Response[str]:
    from gamification.api.openapi import openapi_document, swagger_html

    if format_ == "json":
        body = json.dumps(openapi_document())
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body)
    return Response(status_code=200, content_type=content_types.TEXT_HTML, body=swagger_html())


@route(
    router,
    "GET",
    "/v1/events/schema",
    operation_id="getEventSchemas",
    summary="The JSON Schema of every domain event type",
    description="One JSON Schema (2020-12) per event type the EventBridge bus and webhooks "
    "carry, keyed by type; the same files are published under docs/events/ (docs/events.md).",
    tags=TAGS,
    responses=responses(200, "The event schemas by type"),
)
def event_schemas() -> dict[str, Any]:
    from gamification.domain.event_catalog import schemas

    return schemas()
