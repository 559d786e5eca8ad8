"""Shape limits a JSON body must pass before anything parses it.

Python's ``json`` module recurses once per nesting level and refuses to turn more than 4,300
digits into an int: a 2 KB body of ``[`` or one long number raised ``RecursionError`` or
``ValueError`` inside Powertools, past the error mapping, as a 500. Every body the API accepts
is at most nine levels deep and holds short numbers, so anything far beyond these limits is
refused as a 422 before parsing, in time linear in the body.
"""

from __future__ import annotations

import re

MAX_DEPTH = 32
"""Deepest nesting of arrays and objects. The deepest valid body, a badge whose criteria nest
``all``/``any`` three deep down to a ``where`` with an ``in`` list, has 9; a deeper rule is the
domain's 400 (``criteria_too_deep``), which the published schema (recursive) cannot state, so
this guard sits well above what a schema-valid request can reach in practice (the contract
test's generator) and far below what would exhaust the parser's recursion (≈ 1,000)."""
MAX_NUMBER_CHARS = 40
"""Longest number literal (an int64 has 20 characters; every integer field is bounded below)."""

_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
"""A JSON string; an unterminated one runs to the end (no backtracking: linear time)."""
_BRACKETS = re.compile(r"[\[\]{}]")
_LONG_NUMBER = re.compile(rf"[-+0-9.eE]{{{MAX_NUMBER_CHARS + 1},}}")


def shape_problem(body: str) -> tuple[str, str] | None:
    """``(kind, message)`` for the first limit ``body`` breaks, or None.

    Strings are blanked first, so brackets and digits inside them count for nothing.
    """
    outside_strings = _STRING.sub('""', body)
    depth = 0
    for bracket in _BRACKETS.finditer(outside_strings):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return "too_deep", f"nested deeper than {MAX_DEPTH} levels"
    if _LONG_NUMBER.search(outside_strings):
        return "number_too_long", f"a number longer than {MAX_NUMBER_CHARS} characters"
    return None
