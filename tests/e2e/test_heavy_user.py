"""A heavy user over HTTP: three weeks past the daily caps, sent late through the batch route.

Before cap slots moved to per-day items, such a user's profile grew by ~5 KB a day and stopped
every commit past DynamoDB's 400 KB item limit, dead-lettering the user's activities. This
module's stack accepts activities 23 days late, so the weeks can be reported now.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e

DAYS = 21
PER_DAY = {"post_completed": 21, "comment_left": 11}
"""One more than each cap (20 and 10): the extra ones earn nothing. Reads are left out to keep
the test short: the local stack's moto slows as its stream grows."""
DAILY_XP = 20 * 25 + 10 * 5


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_MAX_BACKDATE_HOURS": str(24 * (DAYS + 2))}


def _day(days_ago: int) -> list[dict[str, Any]]:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    found: list[dict[str, Any]] = []
    for kind, count in PER_DAY.items():
        for i in range(count):
            found.append(
                {
                    "type": kind,
                    "object_id": f"{kind}-{day.isoformat()}-{i:02d}-".ljust(64, "x"),
                    "occurred_at": (noon + timedelta(seconds=20 * len(found))).isoformat(),
                }
            )
    return found


def test_weeks_past_the_caps_earn_the_exact_xp_with_nothing_dead_lettered(
    stack: StackProcess,
) -> None:
    api, user = stack.api, "heavy-reader"
    activities = [a for days_ago in range(DAYS, 0, -1) for a in _day(days_ago)]
    for start in range(0, len(activities), 25):
        assert ok(api.report_many(user, activities[start : start + 25]))["rejected"] == 0

    stack.api.wait_idle(timeout=180)
    expected = DAYS * DAILY_XP + (DAYS // 7) * 50  # capped activity + a milestone a week
    profile = eventually(lambda: (p := api.profile(user))["xp"] == expected and p, what="the XP")
    assert profile["streak"]["current"] == DAYS
    status = stack.api.status()
    assert status["dlq"]["visible"] == 0, status
