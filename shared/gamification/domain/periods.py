"""Leaderboard periods: all-time, and ISO weeks in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Period(StrEnum):
    ALLTIME = "alltime"
    WEEKLY = "weekly"


WEEKS_KEPT = 3
"""Weeks of per-week XP kept on a user's state (the current one and two archived)."""


def iso_week(moment: datetime) -> str:
    """``"2026-W48"``: the ISO week of ``moment`` in UTC (the weekly leaderboard's period)."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """Start (Monday 00:00 UTC) and end (next Monday) of an ISO week like ``"2026-W48"``."""
    start = datetime.strptime(f"{week}-1", "%G-W%V-%u").replace(tzinfo=UTC)
    return start, start + timedelta(days=7)
