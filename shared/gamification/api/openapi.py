"""The OpenAPI document: built from a resolver holding every route, served at ``/v1/docs``
(JSON and Swagger UI) and written to a file by ``python -m gamification.api.openapi
docs/openapi.json`` (``make openapi``; a test fails while the file is stale).

Only the document needs Powertools' OpenAPI models: this module is imported when the document
is first asked for, never by a function's cold start.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from gamification.api.contract import security_schemes
from gamification.api.resolvers import FUNCTION_ROUTERS, build_resolver, routers_of

DEFAULT_PATH = Path("docs/openapi.json")

TITLE = "gamify API"
API_VERSION = "1.0.0"
DESCRIPTION = (
    "XP, levels, badges, streaks and leaderboards. Activities are queued and applied "
    'asynchronously, exactly once. Every error body is `{"error": {"code", "message", '
    '"details"}}`; `details` names the offending fields.'
)
TAGS: tuple[tuple[str, str], ...] = (
    ("activities", "Report what users did; queued, applied exactly once."),
    ("profiles", "XP, levels, streaks, rank and badge progress."),
    ("badges", "The badge catalog."),
    ("leaderboards", "All-time and weekly boards, ranked like SQL RANK()."),
    ("notifications", "The in-app feed."),
    ("account", "The caller's settings."),
    ("admin", "Badge definitions (admin group only)."),
    ("meta", "Health and documentation."),
)
"""(name, description) of each tag, in the order the document lists them."""


def build_document(resolver: APIGatewayRestResolver) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route ``resolver`` holds.

    Powertools' OpenAPI models load here, not at import: API functions that never serve the
    document skip them on a cold start.
    """
    from aws_lambda_powertools.event_handler.openapi.models import Tag

    schema = resolver.get_openapi_json_schema(
        title=TITLE,
        version=API_VERSION,
        description=DESCRIPTION,
        tags=[Tag(name=name, description=text) for name, text in TAGS],
        security_schemes=security_schemes(),
    )
    return _prune_unused_schemas(json.loads(schema))


def swagger_page(document: dict[str, Any]) -> str:
    """Swagger UI with its assets inlined (Powertools ships them), so it works offline too."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    assets = Path(swagger_ui.__file__).parent
    spec = json.dumps(document).replace("</", "<\\/")
    return swagger_ui.generate_swagger_html(
        spec,
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )


def _prune_unused_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Drop Powertools' default validation-error schemas: our routes document ours instead."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    used: set[str] = set()
    pending = _refs(document.get("paths", {}))
    while pending:
        name = pending.pop()
        if name not in used and name in schemas:
            used.add(name)
            pending |= _refs(schemas[name])
    for name in list(schemas):
        if name not in used:
            del schemas[name]
    return document


def _refs(node: Any) -> set[str]:
    prefix = "#/components/schemas/"
    if isinstance(node, dict):
        found = {node["$ref"][len(prefix) :]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


@lru_cache(maxsize=1)
def full_resolver() -> APIGatewayRestResolver:
    """Every route of every function: the source of the OpenAPI document."""
    return build_resolver(tuple(r for f in FUNCTION_ROUTERS for r in routers_of(f)))


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The whole API's OpenAPI 3.1 document (as served and as written to docs/openapi.json)."""
    return build_document(full_resolver())


def openapi_json() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def swagger_html() -> str:
    return swagger_page(openapi_document())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(openapi_json(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
