"""Pydantic validation errors as a client should read them: a field path and a plain message.

The API, the admin and account services and the consumer's dead letters all explain a rejected
input the same way, so this is the one place that turns pydantic's errors into words.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError


def field_path(loc: Iterable[Any]) -> str:
    """``("body", "MarkSomeReadIn", "ids")`` -> ``body.ids``; ``()`` -> ``body``.

    Pydantic names the member of a union it tried with the model's class name; our fields are
    all snake_case, so a capitalised segment is such a name and means nothing to a client.
    """
    path = ".".join(str(p) for p in loc if not (isinstance(p, str) and p[:1].isupper()))
    return path or "body"


def message(error: Mapping[str, Any]) -> str:
    """The error's message without pydantic's ``Value error, `` prefix for our own checks."""
    text = str(error.get("msg") or error.get("type", "invalid"))
    return text.removeprefix("Value error, ")


def problems(error: ValidationError) -> Iterator[tuple[str, str]]:
    """``(field, message)`` for every error."""
    for item in error.errors():
        yield field_path(item["loc"]), message(item)


def describe(error: ValidationError) -> str:
    """``field: problem; ...`` on one line, e.g. ``occurred_at: Field required``."""
    return "; ".join(f"{field}: {text}" for field, text in problems(error))
