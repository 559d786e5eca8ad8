"""Streak freezes and quests on the local stack, with back-dated activity.

This module's stack accepts activities up to 300 h old, so ten days can be reported now, as a
client that was offline would.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_MAX_BACKDATE_HOURS": "300"}


def _noon(days_ago: int) -> str:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(12), tzinfo=UTC).isoformat()


def test_a_missed_day_is_covered_by_the_freeze_earned_on_day_seven(stack: StackProcess) -> None:
    api, user = stack.api, "freezer"
    week = [
        {"type": "post_read", "object_id": f"day-{d}", "occurred_at": _noon(d)}
        for d in range(9, 2, -1)  # seven active days: 9..3 days ago
    ]
    assert ok(api.report_many(user, week))["accepted"] == 7
    eventually(lambda: api.profile(user)["streak"]["freezes"] == 1, what="a freeze at day 7")

    # Two days ago is missed; yesterday and today are active.
    now = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    later = [
        {"type": "post_read", "object_id": "day-1", "occurred_at": _noon(1)},
        {"type": "post_read", "object_id": "day-0", "occurred_at": now},
    ]
    ok(api.report_many(user, later))
    ok(api.report_many(user, later))  # delivered again: nothing changes

    profile = eventually(
        lambda: (p := api.profile(user))["streak"]["current"] == 9 and p, what="a 9-day streak"
    )
    api.wait_idle()
    profile = api.profile(user)
    assert profile["streak"]["freezes"] == 0
    missed = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
    assert profile["streak"]["frozen_days"] == [missed]
    used = [n for n in api.notifications(user) if n["kind"] == "streak_freeze_used"]
    assert len(used) == 1
    assert used[0]["title"] == "Streak Freeze used"
    assert "7-day streak is safe" in used[0]["message"]


def test_an_admin_quest_completed_by_reading_pays_once(stack: StackProcess) -> None:
    api, user = stack.api, "quester"
    quest = {
        "name": "Weekend Reader",
        "description": "Read 3 posts this weekend.",
        "starts_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "ends_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        "criteria": {"type": "posts_read", "count": 3},
        "reward_xp": 40,
    }
    created = api.as_user("root:admin", "PUT", "/v1/admin/quests/weekend-reader", quest)
    assert created.status == 201, created.body
    listed = ok(api.as_user(user, "GET", "/v1/quests"))["quests"]
    assert [q["id"] for q in listed] == ["weekend-reader"]

    # A read from before the window does not count; three inside do; the reads are repeated.
    before = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    ok(api.report(user, "post_read", "old", occurred_at=before))
    reads = [{"type": "post_read", "object_id": f"q-{i}"} for i in range(3)]
    for _ in range(3):
        ok(api.report_many(user, reads))

    eventually(
        lambda: ok(api.as_user(user, "GET", "/v1/me/quests"))["quests"][0]["completed"],
        what="the quest completed",
    )
    api.wait_idle()
    mine = ok(api.as_user(user, "GET", "/v1/me/quests"))["quests"][0]
    assert mine["progress"] == {"current": 3, "target": 3}
    assert api.profile(user)["xp"] == 4 * 10 + 40  # four reads and the reward, once
    done = [n for n in api.notifications(user) if n["kind"] == "quest_completed"]
    assert [n["title"] for n in done] == ["Quest Complete: Weekend Reader"]


def test_the_cli_lists_quests_and_a_service_grants_a_freeze(stack: StackProcess) -> None:
    from tests.e2e.test_cli import gamify

    quests = gamify(stack, "--user", "quester", "quests")
    assert "Weekend Reader" in quests
    assert "3/3" in quests
    assert "Weekend Reader" in gamify(stack, "--user", "someone", "quests", "--catalog")

    # A trusted service grants a freeze (the service-only type; a client may not).
    refused = stack.api.report("gifted", "streak_freeze_granted", "gift-1")
    assert refused.status in {400, 422}
    gamify(stack, "send", "streak_freeze_granted", "gift-1", "--for", "gifted")
    stack.api.report("gifted", "post_read", "p-1")
    eventually(lambda: stack.api.profile("gifted")["streak"]["freezes"] == 1, what="a freeze")
    assert "1 held" in gamify(stack, "--user", "gifted", "profile")
