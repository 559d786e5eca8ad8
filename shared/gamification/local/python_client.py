"""The typed Python client's generated half (``clients/python/src/gamify_client/api.py``), from
docs/openapi.json: a ``TypedDict`` per schema and a method per operation, so an app's code is
type-checked against the same document the API serves. A test fails while it is stale, as for
``web/gamify-api.d.ts``. The transport (``gamify_client/transport.py``) is written by hand.

``python -m gamification.local.python_client`` rewrites it.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from pathlib import Path
from typing import Any

from gamification.local.schema_types import Syntax, answer_schema, identifier, type_of

REPO = Path(__file__).resolve().parents[3]
DOCUMENT = REPO / "docs" / "openapi.json"
OUTPUT = REPO / "clients" / "python" / "src" / "gamify_client" / "api.py"
HEADER = '''"""The API's JSON as typed dicts, and a method per route (``Operations``).

Generated from docs/openapi.json by ``python -m gamification.local.python_client``; do not edit.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict, cast

from gamify_client.transport import Transport
'''
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def python_module(document: dict[str, Any]) -> str:
    """The module for one OpenAPI document: the schemas, then ``Operations``."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    parts = [HEADER]
    parts.extend(_declaration(identifier(name), schemas[name]) for name in sorted(schemas))
    parts.append(_operations(document.get("paths", {})))
    return "\n\n".join(parts).rstrip() + "\n"


def _declaration(name: str, schema: dict[str, Any]) -> str:
    doc = _docstring(schema.get("description"), "    ")
    if schema.get("type") == "object" and "properties" in schema:
        required = set(schema.get("required", []))
        fields = {
            field: _annotation(spec, field in required)
            for field, spec in schema["properties"].items()
        }
        if all(f.isidentifier() and not keyword.iskeyword(f) for f in fields):
            lines = [f"class {name}(TypedDict):", *([doc] if doc else [])]
            for field, spec in schema["properties"].items():
                lines.append(f"    {field}: {fields[field]}")
                if text := _docstring(spec.get("description"), "    "):
                    lines.append(text)
            return "\n".join(lines)
        items = ", ".join(f"{json.dumps(f)}: {json.dumps(a)}" for f, a in fields.items())
        return f"{name} = TypedDict({json.dumps(name)}, {{{items}}})"
    return f"{name} = {_type(schema)}"


def _annotation(spec: dict[str, Any], required: bool) -> str:
    return _type(spec) if required else f"NotRequired[{_type(spec)}]"


_PYTHON = Syntax(
    literal=lambda values: f"Literal[{', '.join(repr(value) for value in values)}]",
    array=lambda item: f"list[{item}]",
    scalars={
        "string": "str",
        "integer": "int",
        "number": "float",
        "boolean": "bool",
        "null": "None",
        "object": "dict[str, Any]",
    },
    unknown="Any",
)


def _type(spec: dict[str, Any]) -> str:
    return type_of(spec, _PYTHON)


def _operations(paths: dict[str, Any]) -> str:
    lines = [
        "class Operations:",
        '    """One method per route, named after its ``operationId``; 2xx answers are returned',
        '    decoded (``None`` for an empty one), anything else raises ``ApiError``."""',
        "",
        "    def __init__(self, transport: Transport) -> None:",
        "        self._transport = transport",
    ]
    operations = [
        (path, method, paths[path][method]) for path in sorted(paths) for method in paths[path]
    ]
    for path, method, operation in sorted(operations, key=lambda o: o[2]["operationId"]):
        lines.append("")
        lines.extend(_method(path, method, operation))
    return "\n".join(lines)


def _method(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    name = _CAMEL.sub("_", operation["operationId"]).lower()
    parameters = operation.get("parameters", [])
    in_path = [p for p in parameters if p["in"] == "path"]
    in_query = [p for p in parameters if p["in"] == "query"]
    signature = ["self"] + [f"{p['name']}: str" for p in in_path]
    body = _body_type(operation)
    if body is not None:
        signature.append(f"body: {body}")
    if in_query:
        signature.append("*")
        signature.extend(f"{p['name']}: {_type(p['schema'])} | None = None" for p in in_query)
    answer = _answer_type(operation)
    lines = [f"    def {name}({', '.join(signature)}) -> {answer}:"]
    if text := _docstring(operation.get("summary"), "        "):
        lines.append(text)
    arguments = [repr(method.upper()), repr(path)]
    if in_path:
        arguments.append(f"path={_dict_of(in_path)}")
    if in_query:
        arguments.append(f"query={_dict_of(in_query)}")
    if body is not None:
        arguments.append("body=body")
    lines.append(f"        answer = self._transport.call({', '.join(arguments)})")
    lines.append(f"        return cast({answer!r}, answer)")
    return lines


def _dict_of(parameters: list[dict[str, Any]]) -> str:
    return "{" + ", ".join(f"{p['name']!r}: {p['name']}" for p in parameters) + "}"


def _body_type(operation: dict[str, Any]) -> str | None:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return _type(schema) if schema else None


def _answer_type(operation: dict[str, Any]) -> str:
    schema = answer_schema(operation)
    return type_of(schema, _PYTHON) if schema else "None"


def _docstring(text: object, indent: str) -> str:
    if not isinstance(text, str) or not text.strip():
        return ""
    one_line = " ".join(text.split()).replace('"""', "'''").replace("\\", "\\\\")
    return f'{indent}"""{one_line}"""'


def main() -> int:
    """Rewrite the client's api.py from docs/openapi.json."""
    OUTPUT.write_text(python_module(json.loads(DOCUMENT.read_text(encoding="utf-8"))), "utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
