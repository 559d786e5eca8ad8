"""IANA timezone validation shared by settings and the API."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def validate_timezone(name: str) -> str:
    """Return ``name`` if it is an IANA zone this runtime knows, else raise ``ValueError``."""
    if name not in _known():
        raise ValueError(f"unknown IANA timezone {name!r} (e.g. 'Europe/Paris', 'UTC')")
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - listed but not loadable
        raise ValueError(f"unknown IANA timezone {name!r}") from exc
    return name
