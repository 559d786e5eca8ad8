"""Which route a request is for: the one matcher of the route table (``resources.ROUTES``).

The resolver uses it to refuse, before Powertools validates anything, what API Gateway itself
would refuse (no identity), and to tell a wrong method (405) from an unknown path (404); the
local gateway and the API tests route with it too, so the three cannot disagree.

Decided once, for all of them: methods and paths are case-sensitive (``get`` is not ``GET``),
one trailing slash is ignored (``/v1/me/`` is ``/v1/me``, as Powertools resolves it), an empty
segment names no route, a parameter is one non-empty segment, percent-decoded, and literal
segments beat parameters, as in API Gateway (``/v1/me/notifications`` never reaches a
``{param}`` route).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from gamification.resources import ROUTES, Route


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


@lru_cache(maxsize=64)
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\})", template)
    return re.compile(
        "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
        + "/?"
    )


def _by_path(path: str, routes: Iterable[Route]) -> list[tuple[Route, dict[str, str]]]:
    """Routes whose template matches ``path``, most specific (fewest parameters) first."""
    found = []
    for route in routes:
        matched = _pattern(route.path).fullmatch(path)
        if matched is not None:
            params = {k: unquote(v) for k, v in matched.groupdict().items()}
            found.append((route, params))
    return sorted(found, key=lambda pair: pair[0].path.count("{"))


def match(method: str, path: str, routes: Iterable[Route] = ROUTES) -> RouteMatch | None:
    """The route serving ``method path`` and its path parameters, or None."""
    for route, params in _by_path(path, routes):
        if route.method == method:
            return RouteMatch(route, params)
    return None


def route_for(method: str, path: str) -> Route | None:
    found = match(method, path)
    return found.route if found else None


def allowed_methods(path: str, routes: Iterable[Route] = ROUTES) -> list[str]:
    """Methods the API serves on ``path``, for a 405's ``Allow`` header."""
    return sorted({route.method for route, _ in _by_path(path, routes)})
