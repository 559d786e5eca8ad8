"""IANA timezone validation shared by settings and the API.

Accepted: the zone names of the IANA database (links such as ``US/Eastern`` included, since
stored settings must keep validating). Refused: names the database ships that are not zones a
user lives in: ``localtime`` (whatever the host is set to, so a different day on every machine),
``Factory`` (a placeholder meaning "unset") and ``posixrules`` (a rules template).
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from gamification.domain.text import shown

NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$"
"""The shape of every IANA zone name (``America/Argentina/Buenos_Aires`` has three parts)."""


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return (frozenset(available_timezones()) | {"UTC"}) - NOT_ZONES


def validate_timezone(name: str) -> str:
    """Return ``name`` if it is an IANA zone this runtime knows, else raise ``ValueError``."""
    if name not in _known():
        raise ValueError(f"unknown IANA timezone '{shown(name)}' (e.g. 'Europe/Paris', 'UTC')")
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - listed but not loadable
        raise ValueError(f"unknown IANA timezone '{shown(name)}'") from exc
    return name
