"""Friends over HTTP on the local stack: follow, the friend board with ties, a friend streak
counted from its acceptance, its reminder, and a pair quest paying both (issue #29; the
three-day friend streak needs the stack's test clock: ``test_friend_streak_days.py``)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_MAX_BACKDATE_HOURS": "100"}


def _days_before(now: datetime, days: int) -> str:
    """``days`` whole days before ``now``: always in the past, and on the UTC date ``days``
    before ``now``'s whatever the hour (noon of that date was in the future before noon)."""
    return (now - timedelta(days=days)).isoformat()


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
    now = datetime.now(UTC) - timedelta(seconds=1)  # the stack's clock: one instant for all days
    for user in ["sa", "sb"]:
        days = [
            {"type": "post_read", "object_id": f"streak-{d}", "occurred_at": _days_before(now, d)}
            for d in (2, 1, 0)
        ]
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


def test_the_friend_streak_reminder_at_18_05_local_for_the_partner_not_yet_active(
    stack: StackProcess,
) -> None:
    """Zones a day apart make a pair day before the one at risk without waiting a day: Kai
    (UTC+14) was active on Pia's (UTC-11) date and on the next one; Pia only on hers. On her
    next day at 18:05 local, Pia is told the friend streak with Kai is at risk; Kai is not."""
    api = stack.api
    kai_zone, pia_zone = ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago")
    now = datetime.now(UTC)
    day = now.astimezone(pia_zone).date()  # Pia's today: the pair's today when accepted
    for user, zone in (("kai", kai_zone), ("pia", pia_zone)):
        ok(
            api.as_user(
                user,
                "PUT",
                "/v1/me/settings",
                {"push_enabled": True, "timezone": str(zone), "display_name": user.title()},
            )
        )

    def kai_noon(on: date) -> str:
        noon = datetime.combine(on, time(12), kai_zone).astimezone(UTC)
        return min(noon, now - timedelta(seconds=5)).isoformat()

    kai = [
        {
            "type": "post_read",
            "object_id": f"pair-{d}",
            "occurred_at": kai_noon(day + timedelta(days=d)),
        }
        for d in (0, 1)
    ]
    assert ok(api.report_many("kai", kai))["accepted"] == 2
    ok(api.report("pia", "post_read", "pair-0"))
    eventually(lambda: api.profile("pia")["streak"]["current"] == 1, what="Pia's day")
    eventually(lambda: api.profile("kai")["xp"] == 20, what="Kai's two days")
    ok(api.as_user("kai", "PUT", "/v1/me/following/pia"))
    ok(api.as_user("pia", "PUT", "/v1/me/following/kai"))
    ok(api.as_user("kai", "PUT", "/v1/me/friend-streaks/pia"))
    ok(api.as_user("pia", "PUT", "/v1/me/friend-streaks/kai"))

    due = datetime.combine(day + timedelta(days=1), time(18, 5), pia_zone).astimezone(UTC)
    for _ in range(2):  # a repeated run of the hour tells nobody twice
        api.job("reminder_fanout", at=due.isoformat())
        api.wait_idle(queue="reminder_queue")

    told = [n for n in api.notifications("pia") if n["kind"] == "friend_streak_reminder"]
    assert [n["title"] for n in told] == ["Your friend streak with Kai is at risk"], told
    assert "1-day friend streak" in told[0]["message"]
    assert not [n for n in api.notifications("kai") if n["kind"].startswith("friend_streak")]


def test_a_pair_quest_pays_both(stack: StackProcess) -> None:
    """Two friends pair for a friend quest (``mode: "pair"``): their reads add up to the target,
    each is paid the reward and told once (reads repeated, settlement after every commit), and
    each completion reaches the history lake as a solo quest's does (``quest.completed``)."""
    from tests.e2e.test_cli import gamify

    api = stack.api
    now = datetime.now(UTC)
    quest = {
        "name": "Read Together",
        "description": "Read 3 posts between the two of you.",
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        "criteria": {"type": "posts_read", "count": 3},
        "reward_xp": 40,
        "mode": "pair",
    }
    created = api.as_user("root:admin", "PUT", "/v1/admin/quests/read-together", quest)
    assert created.status == 201, created.body
    for user in ("qa", "qb"):  # a user is found (to follow) once they have a profile
        ok(api.as_user(user, "PUT", "/v1/me/settings", {"display_name": user.title()}))
    ok(api.as_user("qa", "PUT", "/v1/me/following/qb"))
    ok(api.as_user("qb", "PUT", "/v1/me/following/qa"))
    paired = ok(api.as_user("qa", "PUT", "/v1/me/quests/read-together/partner/qb"))
    assert (paired["partner"], paired["target"]) == ("qb", 3)

    for _ in range(2):  # a client that repeats its reports: each read counts once
        ok(api.report_many("qa", [{"type": "post_read", "object_id": f"qa-{i}"} for i in (1, 2)]))
        ok(api.report("qb", "post_read", "qb-1"))

    def paid(user: str) -> bool:
        status = ok(api.as_user(user, "GET", "/v1/me/quests/read-together/partner"))
        return bool(status["completed"])

    for user in ("qa", "qb"):
        eventually(partial(paid, user), what=f"{user} paid")
    api.wait_idle()
    for user, reads in (("qa", 2), ("qb", 1)):
        assert api.profile(user)["xp"] == reads * 10 + 40, user  # the reward, once
        done = [n["title"] for n in api.notifications(user) if n["kind"] == "quest_completed"]
        assert done == ["Quest Complete: Read Together"], user
    status = ok(api.as_user("qb", "GET", "/v1/me/quests/read-together/partner"))
    assert (status["partner"], status["count"]) == ("qa", 3)

    def in_the_lake() -> int | None:
        out = gamify(
            stack,
            "--json",
            "analytics",
            "query",
            "SELECT COUNT(DISTINCT subject) AS n FROM events "
            "WHERE type = 'quest.completed' AND quest_id = 'read-together'",
        )
        n = int(json.loads(out)[0]["n"])
        return n if n == 2 else None

    eventually(in_the_lake, what="both completions in the lake")


def test_the_cli_follows_shows_the_friend_board_and_pairs(stack: StackProcess) -> None:
    """``gamify follow``, ``gamify friends board`` and ``gamify pair`` against the running stack
    (the issue's CLI), as two users of their own."""
    from tests.e2e.test_cli import gamify

    now = datetime.now(UTC)
    quest = {
        "name": "Read Along",
        "description": "Read 5 posts between you.",
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        "criteria": {"type": "posts_read", "count": 5},
        "reward_xp": 10,
        "mode": "pair",
    }
    ok(stack.api.as_user("root:admin", "PUT", "/v1/admin/quests/read-along", quest))
    stack.api.read_posts({"cla": 2, "clb": 1}, prefix="cli-friends-")
    assert "following clb" in gamify(stack, "--user", "cla", "follow", "clb")
    assert "(friends: you follow each other)" in gamify(stack, "--user", "clb", "follow", "cla")

    board = gamify(stack, "--user", "cla", "friends", "board").splitlines()
    assert "2 ranked (alltime)" in board[-1]
    assert [line.split()[0] for line in board if "* cla" in line] == ["1"]
    assert [line.split()[0] for line in board if " clb " in f"{line} "] == ["2"], board

    # The reads before the pairing count (docs/friends.md): 2 + 1 of 5.
    paired = gamify(stack, "--user", "cla", "pair", "read-along", "clb")
    assert paired.strip() == "read-along with clb: 3/5"
    shown = gamify(stack, "--user", "clb", "pair", "read-along")
    assert shown.strip() == "read-along with cla: 3/5"
    assert "left the pairing" in gamify(stack, "--user", "clb", "pair", "read-along", "--undo")
