"""Ties on the local stack's boards: players reaching the same XP a second apart are listed in
the order they reached it (the score keeps the second), whatever their ids."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


def _has_70(api: Any, user: str) -> bool:
    return bool(api.profile(user)["xp"] == 70)


def test_a_tie_lists_the_earliest_achiever_first(stack: StackProcess) -> None:
    api = stack.api
    reached = ["bo", "cy", "al"]  # neither the ids' order nor its reverse
    for user in reached:
        posts = [{"type": "post_read", "object_id": f"tie{i}"} for i in range(7)]
        ok(api.report_many(user, posts))
        eventually(partial(_has_70, api, user), what=f"{user}'s 70 XP")
        time.sleep(1.1)  # the next player reaches 70 XP at least a second later

    def tied() -> list[tuple[int, str, int]] | None:
        board = api.leaderboard(limit=100)
        rows = [(e["rank"], e["user_id"], e["xp"]) for e in board["entries"]]
        rows = [row for row in rows if row[1] in reached]
        return rows if len(rows) == 3 and not board["stale"] else None

    rows = eventually(tied, what="the three tied players on the fresh board")
    assert [user for _, user, _ in rows] == reached
    assert {(rank, xp) for rank, _, xp in rows} == {(rows[0][0], 70)}  # one shared RANK()
    around = ok(api.as_user("cy", "GET", "/v1/leaderboard/around/cy", radius=1))
    assert [e["user_id"] for e in around["entries"]] == reached
