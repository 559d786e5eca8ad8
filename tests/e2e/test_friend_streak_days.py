"""A friend streak of three days on ``make local`` (issue #29): accepted on the first day, then
the stack's own clock moves two days forward (``POST /local/clock/advance``, the local test
clock) and the middle day's activity arrives back-dated beside the third day's. A module of its
own: the moved clock is this module's stack's alone."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from tests.e2e.stack import Api, StackProcess, eventually, ok

pytestmark = pytest.mark.e2e

PAIR = ("kit", "lou")


def _friend_streak(api: Api, user: str, partner: str) -> tuple[str, int] | None:
    streaks = ok(api.as_user(user, "GET", "/v1/me/friend-streaks"))["streaks"]
    found = [(s["status"], s["current"]) for s in streaks if s["user_id"] == partner]
    return found[0] if found else None


def _is(api: Api, user: str, partner: str, expected: tuple[str, int]) -> bool:
    return _friend_streak(api, user, partner) == expected


def test_a_friend_streak_of_three_days_through_backdated_activity(stack: StackProcess) -> None:
    api = stack.api
    kit, lou = PAIR
    first = api.now()
    for user in PAIR:
        ok(api.report(user, "post_read", f"{user}-day-1", occurred_at=first.isoformat()))
    for user in PAIR:
        eventually(partial(api.has_streak, user, 1), what=f"{user}'s first day")
    ok(api.as_user(kit, "PUT", f"/v1/me/following/{lou}"))
    ok(api.as_user(lou, "PUT", f"/v1/me/following/{kit}"))
    assert ok(api.as_user(kit, "PUT", f"/v1/me/friend-streaks/{lou}"))["status"] == "invited"
    ok(api.as_user(lou, "PUT", f"/v1/me/friend-streaks/{kit}"))
    eventually(partial(_is, api, kit, lou, ("active", 1)), what="day 1 of the friend streak")

    third = api.advance_clock(48)  # two days later: nobody was active on the day between
    assert third - first >= timedelta(hours=48)
    for user in PAIR:
        days = [
            {"type": "post_read", "object_id": f"{user}-day-2", "occurred_at": day.isoformat()}
            for day in (third - timedelta(hours=24),)  # back-dated: the middle day
        ] + [{"type": "post_read", "object_id": f"{user}-day-3", "occurred_at": third.isoformat()}]
        assert ok(api.report_many(user, days))["accepted"] == 2

    eventually(partial(_is, api, kit, lou, ("active", 3)), what="a 3-day friend streak")
    assert _friend_streak(api, lou, kit) == ("active", 3)  # the same run on both sides
    public = ok(api.as_user(lou, "GET", f"/v1/users/{kit}"))["friend_streaks"]
    assert [(s["user_id"], s["days"]) for s in public] == [(lou, 3)]
