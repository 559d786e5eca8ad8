"""The JSON shape check reads strings as JSON does: escapes included, contents ignored."""

from __future__ import annotations

import json

import pytest

from gamification.api.json_limits import MAX_DEPTH, MAX_NUMBER_CHARS, shape_problem


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("[" * (MAX_DEPTH + 1), "too_deep"),
        ('["\\\\", ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "]", "too_deep"),  # "\\" ends there
        ("[" + "1" * (MAX_NUMBER_CHARS + 1) + "]", "number_too_long"),
        ('{"x": -1.5e' + "9" * MAX_NUMBER_CHARS + "}", "number_too_long"),
    ],
)
def test_bodies_over_a_limit_are_named(body: str, kind: str) -> None:
    problem = shape_problem(body)
    assert problem is not None
    assert problem[0] == kind


@pytest.mark.parametrize(
    "value",
    [
        {"a": "[" * 100 + "9" * 100},
        {"a": 'quote \\" then [[[[[[[[[[[['},
        json.loads("[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH),  # exactly the limit
        {"n": 10**39},
    ],
)
def test_valid_bodies_within_the_limits_pass(value: object) -> None:
    assert shape_problem(json.dumps(value)) is None


def test_the_deepest_badge_rule_the_domain_accepts_passes_the_guard() -> None:
    """all → any → a leaf with ``where … in``: nine levels, found by the contract test when the
    guard stopped at eight and answered 422 to a schema-valid rule."""
    leaf = {"type": "event_count", "event_type": "e", "count": 1, "where": {"a": {"in": [1]}}}
    inner = {"type": "any", "of": [leaf, leaf]}
    body = {"name": "Deep", "criteria": {"type": "all", "of": [inner, leaf]}}

    assert shape_problem(json.dumps(body)) is None
