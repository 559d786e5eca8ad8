"""Friends over HTTP on the local stack: follow, the friend board with ties, and a friend streak
of three days built from back-dated activity (issue #29)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import partial

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_MAX_BACKDATE_HOURS": "100"}


def _noon(days_ago: int) -> str:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(12), tzinfo=UTC).isoformat()


def test_follow_and_the_friend_board_with_ties(stack: StackProcess) -> None:
    api = stack.api
    api.read_posts({"fa": 3, "fb": 2, "fc": 2, "fd": 5}, prefix="friend-board-")
    for other in ["fb", "fc"]:
        assert ok(api.as_user("fa", "PUT", f"/v1/me/following/{other}"))["following"]

    board = ok(api.as_user("fa", "GET", "/v1/me/friends/leaderboard"))

    rows = [(e["rank"], e["user_id"], e["xp"]) for e in board["entries"]]
    assert rows[0] == (1, "fa", 30)
    assert sorted(rows[1:]) == [(2, "fb", 20), (2, "fc", 20)]  # tied: one rank, then by time
    assert (board["total"], board["stale"]) == (3, False)  # fd, not followed, is not on it


def test_a_friend_streak_counts_from_its_acceptance(stack: StackProcess) -> None:
    """Both were active three days running (two of them back-dated), but a friend streak
    counts the pair's days from the day it was accepted (docs/friends.md): 1 today."""
    api = stack.api
    for user in ["sa", "sb"]:
        days = [
            {"type": "post_read", "object_id": f"streak-{d}", "occurred_at": _noon(d)}
            for d in (2, 1)
        ]
        days.append({"type": "post_read", "object_id": "streak-0"})
        assert ok(api.report_many(user, days))["accepted"] == 3

    def three_days(user: str) -> bool:
        return bool(api.profile(user)["streak"]["current"] == 3)

    for user in ["sa", "sb"]:
        eventually(partial(three_days, user), what="3-day streaks")
    ok(api.as_user("sa", "PUT", "/v1/me/following/sb"))
    ok(api.as_user("sb", "PUT", "/v1/me/following/sa"))
    assert ok(api.as_user("sa", "PUT", "/v1/me/friend-streaks/sb"))["status"] == "invited"
    ok(api.as_user("sb", "PUT", "/v1/me/friend-streaks/sa"))

    streaks = ok(api.as_user("sa", "GET", "/v1/me/friend-streaks"))["streaks"]

    # Accepted today: the pair's days count from today (the back-dated days came before).
    assert [(s["user_id"], s["status"], s["current"]) for s in streaks] == [("sb", "active", 1)]
