"""TypeScript declarations of the API's JSON, generated from docs/openapi.json for the browser
client (``web/gamify-api.d.ts``): the widgets and an app's own code type what they read from the
same document the API serves. A test fails while the checked-in file is stale.

``python -m gamification.local.web_types`` rewrites it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from gamification.local.schema_types import Syntax, answer_schema, identifier, type_of

REPO = Path(__file__).resolve().parents[3]
DOCUMENT = REPO / "docs" / "openapi.json"
OUTPUT = REPO / "web" / "gamify-api.d.ts"
HEADER = (
    "// Generated from docs/openapi.json by `python -m gamification.local.web_types`;\n"
    "// do not edit.\n"
    "// The API's JSON as TypeScript types; `Responses` maps each route to what it answers.\n"
)
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def typescript(document: dict[str, Any]) -> str:
    """The declarations for one OpenAPI document (schemas, then the routes' answers)."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    parts = [HEADER]
    for name in sorted(schemas):
        parts.append(_declaration(identifier(name), schemas[name]))
    parts.append(_responses(document.get("paths", {})))
    return "\n".join(parts)


def _declaration(name: str, schema: dict[str, Any]) -> str:
    doc = _comment(schema.get("description"), "")
    if schema.get("type") == "object" and "properties" in schema:
        required = set(schema.get("required", []))
        lines = [f"{doc}export interface {name} {{"]
        for field, spec in schema["properties"].items():
            key = field if _IDENTIFIER.match(field) else json.dumps(field)
            optional = "" if field in required else "?"
            lines.append(
                f"{_comment(spec.get('description'), '  ')}  {key}{optional}: {_type(spec)};"
            )
        lines.append("}\n")
        return "\n".join(lines)
    return f"{doc}export type {name} = {_type(schema)};\n"


_TYPESCRIPT = Syntax(
    literal=lambda values: " | ".join(json.dumps(value) for value in values),
    array=lambda item: f"Array<{item}>",
    scalars={
        "string": "string",
        "integer": "number",
        "number": "number",
        "boolean": "boolean",
        "null": "null",
        "object": "Record<string, unknown>",
    },
    unknown="unknown",
)


def _type(spec: dict[str, Any]) -> str:
    return type_of(spec, _TYPESCRIPT)


def _responses(paths: dict[str, Any]) -> str:
    lines = [
        "/** What each route answers (its 2xx JSON body; `null` for an empty answer). */",
        "export interface Responses {",
    ]
    for path in sorted(paths):
        for method in sorted(paths[path]):
            schema = answer_schema(paths[path][method])
            answered = type_of(schema, _TYPESCRIPT) if schema else "null"
            lines.append(f"  {json.dumps(f'{method.upper()} {path}')}: {answered};")
    lines.append("}\n")
    return "\n".join(lines)


def _comment(text: object, indent: str) -> str:
    if not isinstance(text, str) or not text.strip():
        return ""
    one_line = " ".join(text.split()).replace("*/", "* /")
    return f"{indent}/** {one_line} */\n"


def main() -> int:
    """Rewrite web/gamify-api.d.ts from docs/openapi.json."""
    OUTPUT.write_text(typescript(json.loads(DOCUMENT.read_text(encoding="utf-8"))), "utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
