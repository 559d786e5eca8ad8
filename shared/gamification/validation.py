"""Pydantic validation errors as a client should read them: a field path and a plain message.

The API, the admin and account services and the consumer's dead letters all explain a rejected
input the same way, so this is the one place that turns pydantic's errors into words. Words only:
a rejected value appears at most capped and escaped (``domain.text.shown``), and a message that
would recite a long pattern says where the pattern is instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from gamification.domain.text import shown

SEGMENT_MAX_CHARS = 64
"""A path segment is a field name or an index; a longer one is an unknown key someone sent."""
PATTERN_SHOWN_MAX_CHARS = 80


def field_path(loc: Iterable[Any], body: Any = None) -> str:
    """``("body", "MarkSomeReadIn", "ids")`` -> ``body.ids``; ``()`` -> ``body``.

    Pydantic names the member of a union it tried with the model's class name; our fields are
    all snake_case, so a capitalised segment is such a name and means nothing to a client. A
    discriminated union puts the tag in the path too (``body.criteria.posts_read.count``): given
    the request ``body``, a segment that is no key of the object the path continues through is
    such a tag and is left out (``body.criteria.count``). A segment can be a key the caller made
    up (an unknown field): it is shown capped and escaped.
    """
    segments = [p for p in loc if not (isinstance(p, str) and p[:1].isupper())]
    if body is not None and segments[:1] == ["body"]:
        segments = ["body", *_without_tags(segments[1:], body)]
    path = ".".join(shown(p, SEGMENT_MAX_CHARS) for p in segments)
    return path or "body"


def _without_tags(segments: list[Any], node: Any) -> list[Any]:
    kept: list[Any] = []
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if isinstance(node, dict) and isinstance(segment, str):
            if segment in node:
                node = node[segment]
            elif not last:
                continue  # a tag: the path goes on inside the object itself
            else:
                node = None
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            node = node[segment]
        else:
            node = None
        kept.append(segment)
    return kept


def message(error: Mapping[str, Any]) -> str:
    """The error's message without pydantic's ``Value error, `` prefix for our own checks, and
    without the rejected value (a union's unknown tag) or a recited pattern."""
    ctx = error.get("ctx") or {}
    kind = error.get("type")
    if kind == "union_tag_invalid":
        return (
            f"{ctx.get('discriminator', 'type')} must be one of {ctx.get('expected_tags', '')} "
            f"(got '{shown(ctx.get('tag', ''))}')"
        )
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if len(pattern) > PATTERN_SHOWN_MAX_CHARS:
            return "does not match the pattern the API document gives for it"
        return f"must match {pattern}"
    text = str(error.get("msg") or error.get("type", "invalid"))
    return text.removeprefix("Value error, ")


def problems(error: ValidationError) -> Iterator[tuple[str, str]]:
    """``(field, message)`` for every error."""
    for item in error.errors():
        yield field_path(item["loc"]), message(item)


def said_once(field: str, text: str) -> str:
    """``field: text``, unless ``text`` already starts with the field's name
    (``ends_at must be after starts_at`` is not prefixed with ``ends_at:`` again)."""
    name = field.rsplit(".", 1)[-1]
    return text if text.startswith(f"{name} ") else f"{field}: {text}"


def describe(error: ValidationError) -> str:
    """``field: problem; ...`` on one line, e.g. ``occurred_at: Field required``."""
    return "; ".join(said_once(field, text) for field, text in problems(error))
