"""Type expressions for OpenAPI schemas, shared by the generated typed clients (TypeScript
``web_types``, Python ``python_client``): one walk of the schema, each language's spelling."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Syntax:
    literal: Callable[[Sequence[object]], str]
    """A union of literal values (an enum, or a ``const`` as one value)."""
    array: Callable[[str], str]
    scalars: Mapping[str, str]
    """JSON Schema types (``object``: an inline object without properties, kept loose)."""
    unknown: str


def identifier(name: str) -> str:
    """A component's name as a type name in both languages (pydantic names the two sides of a
    recursive model ``AllOf-Input`` and ``AllOf-Output``)."""
    return re.sub(r"\W", "_", name)


def type_of(spec: Mapping[str, Any], syntax: Syntax) -> str:
    """The type of one schema: a reference by its component's name, unions flattened."""
    if "$ref" in spec:
        return identifier(str(spec["$ref"]).rsplit("/", 1)[-1])
    if "const" in spec:
        return syntax.literal([spec["const"]])
    if "enum" in spec:
        return syntax.literal(spec["enum"])
    options = spec.get("anyOf") or spec.get("oneOf")
    if options:
        return " | ".join(dict.fromkeys(type_of(option, syntax) for option in options))
    if spec.get("type") == "array":
        return syntax.array(type_of(spec.get("items", {}), syntax))
    return syntax.scalars.get(str(spec.get("type")), syntax.unknown)


def answer_schema(operation: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The JSON schema of an operation's first 2xx answer (``None``: an empty answer)."""
    for status in sorted(operation.get("responses", {})):
        if status.startswith("2"):
            content = operation["responses"][status].get("content", {})
            schema: Mapping[str, Any] | None = content.get("application/json", {}).get("schema")
            return schema
    return None
