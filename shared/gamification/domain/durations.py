"""Durations as people write them ("2 days", "48 h", "1 h 30 min"), not ``str(timedelta)``'s
"2 days, 0:00:00", for messages a user or an operator reads."""

from __future__ import annotations

from datetime import timedelta

_UNITS = (("h", 3600), ("min", 60), ("s", 1))


def human(delta: timedelta) -> str:
    """Whole days as days; anything else in hours, minutes and seconds (rounded to the second),
    so a window set in hours (``GAMIFY_MAX_BACKDATE_HOURS=200``) reads back in hours."""
    seconds = round(delta.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    if seconds and seconds % 86_400 == 0:
        days = seconds // 86_400
        return f"{sign}{days} day{'s' if days != 1 else ''}"
    parts: list[str] = []
    for unit, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}")
    return sign + (" ".join(parts) or "0 s")
