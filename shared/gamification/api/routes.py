"""Which route a request is for, from the one route table (``resources.ROUTES``).

The resolver uses it to refuse, before Powertools validates anything, what API Gateway itself
would refuse (no identity), and to tell a wrong method (405) from an unknown path (404).
"""

from __future__ import annotations

from gamification.resources import ROUTES, Route


def _matches(template: str, path: str) -> bool:
    want, got = template.strip("/").split("/"), path.strip("/").split("/")
    return len(want) == len(got) and all(
        w == g or (w.startswith("{") and bool(g)) for w, g in zip(want, got, strict=True)
    )


def route_for(method: str, path: str) -> Route | None:
    """The route serving ``method path``; literal segments win over parameters, as in API
    Gateway (``/v1/me/notifications`` is not ``/v1/users/{user_id}``-like anything)."""
    found = [r for r in ROUTES if r.method == method.upper() and _matches(r.path, path)]
    return min(found, key=lambda r: r.path.count("{"), default=None)


def allowed_methods(path: str) -> list[str]:
    """Methods the API serves on ``path``, for a 405's ``Allow`` header."""
    return sorted({r.method for r in ROUTES if _matches(r.path, path)})
