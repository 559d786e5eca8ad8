"""docs/api.md's routes table is one table, and it lists exactly the routes of ``ROUTES``.

A paragraph once sat between its second and third rows: Markdown ended the table there and
printed the other 26 routes as plain text.
"""

from __future__ import annotations

import re
from pathlib import Path

from gamification.resources import ROUTES

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
_AUTH_AS_WRITTEN = {"user": "user", "admin": "admin", "IAM": "service", "none": "none"}


def _routes_table() -> list[list[str]]:
    """The rows (cells) of the first table after ``## Routes``: its header, separator and the
    rows that follow them without a break."""
    section = GUIDE.read_text(encoding="utf-8").split("\n## Routes\n", 1)[1]
    lines = section.lstrip("\n").splitlines()
    table = []
    for line in lines:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    return table


def test_the_routes_table_is_whole_and_lists_every_route_with_its_auth() -> None:
    header, separator, *rows = _routes_table()
    assert header == ["method and path", "auth", "what"]
    assert set("".join(separator)) == {"-"}
    documented = set()
    for cells in rows:
        assert len(cells) == 3, cells
        for method, path in re.findall(r"`([A-Z]+) (/[^`?]*)(?:\?[^`]*)?`", cells[0]):
            documented.add((method, path, _AUTH_AS_WRITTEN[cells[1]]))
    assert documented == {(route.method, route.path, route.auth) for route in ROUTES}
