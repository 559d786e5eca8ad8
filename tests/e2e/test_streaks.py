"""Streaks over HTTP: a back-dated week earns its milestone; a reminder before a streak breaks.

This module's stack accepts activities up to 200 h old (``GAMIFY_MAX_BACKDATE_HOURS``), so a
whole week can be reported now, as a client that was offline for a week would.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import partial

import pytest

from tests.e2e.stack import Api, StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_MAX_BACKDATE_HOURS": "200"}


def _streak_is(api: Api, user: str, days: int) -> bool:
    return bool(api.profile(user)["streak"]["current"] == days)


def _noon(days_ago: int) -> str:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(12), tzinfo=UTC).isoformat()


def test_the_window_is_read_from_the_environment(stack: StackProcess) -> None:
    assert stack.api.status()["max_backdate_hours"] == 200
    too_old = (datetime.now(UTC) - timedelta(hours=201)).isoformat()
    assert stack.api.report("old", "post_read", "p", occurred_at=too_old).status in {400, 422}


def test_seven_back_dated_days_earn_the_streak_milestone(stack: StackProcess) -> None:
    api, user = stack.api, "streaker"
    week = [
        {"type": "post_read", "object_id": f"day-{d}", "occurred_at": _noon(d)} for d in range(1, 7)
    ]
    today = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    week.append({"type": "post_read", "object_id": "day-0", "occurred_at": today})
    # Sent newest first: arrival order must not matter.
    assert ok(api.report_many(user, week[::-1]))["accepted"] == 7

    profile = eventually(
        lambda: (p := api.profile(user))["streak"]["current"] == 7 and p,
        what="a 7-day streak",
    )
    assert profile["xp"] == 7 * 10 + 50  # seven reads and one streak_milestone
    assert profile["streak"]["longest"] == 7
    assert profile["streak"]["active_today"] is True
    earned = {b["id"] for b in api.badges(user)["badges"] if b["earned"]}
    assert "week-warrior" in earned
    kinds = [n["kind"] for n in api.notifications(user)]
    assert kinds.count("streak_milestone") == 1


def test_a_streak_reminder_when_the_fan_out_runs_at_the_due_hour(stack: StackProcess) -> None:
    api, user = stack.api, "forgetful"
    ok(api.as_user(user, "PUT", "/v1/me/settings", {"push_enabled": True}))
    two_days = [
        {"type": "post_read", "object_id": f"r-{d}", "occurred_at": _noon(d)} for d in (1, 2)
    ]
    ok(api.report_many(user, two_days))
    ok(api.report_many("push-off", two_days))  # the same streak, but push is off by default
    for someone in (user, "push-off"):
        eventually(partial(_streak_is, api, someone, 2), what="streaks")

    # Not active today: the streak breaks at midnight UTC, and the reminder is due 6 h before.
    due = datetime.combine(datetime.now(UTC).date(), time(18, 5), tzinfo=UTC).isoformat()
    early = datetime.combine(datetime.now(UTC).date(), time(9, 5), tzinfo=UTC).isoformat()
    api.job("reminder_fanout", at=early)  # queues the hour's units; the reminder sender sends them
    api.wait_idle(queue="reminder_queue")
    assert not [n for n in api.notifications(user) if n["kind"] == "streak_reminder"]

    first = api.job("reminder_fanout", at=due)["result"]
    api.job("reminder_fanout", at=due)  # a repeated run of the same hour sends nothing more
    api.wait_idle(queue="reminder_queue")
    reminders = [n for n in api.notifications(user) if n["kind"] == "streak_reminder"]
    assert len(reminders) == 1, first
    assert reminders[0]["message"].startswith("Your 2-day streak expires")
    assert "read one post to keep it alive!" in reminders[0]["message"]
    assert not [n for n in api.notifications("push-off") if n["kind"] == "streak_reminder"]
