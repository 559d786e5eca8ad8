"""Export, leave the boards, erase, and an erasure racing queued activity: on the local stack,
over HTTP, through the real handlers, queue, stream projector and eraser."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.stack import StackProcess, eventually, ok
from tests.e2e.test_cli import gamify

pytestmark = pytest.mark.e2e


def _board_ids(stack: StackProcess) -> tuple[set[str], bool]:
    board = stack.api.leaderboard(limit=100)
    return {e["user_id"] for e in board["entries"]}, bool(board["stale"])


def _cohort(stack: StackProcess, viewer: str) -> dict[str, int] | None:
    """The viewer's cohort board as served from the cache (``None`` while read from the
    table): member -> weekly XP."""
    body = ok(stack.api.as_user(viewer, "GET", "/v1/me/league"))
    if body["source"] != "cache":
        return None
    return {e["user_id"]: e["weekly_xp"] for e in body["entries"]}


def _export(stack: StackProcess, user: str) -> dict[str, Any]:
    document = ok(stack.api.as_user(user, "GET", "/v1/me/export"))
    records = list(document["records"])
    while document["next_cursor"]:
        document = ok(
            stack.api.as_user(user, "GET", "/v1/me/export", cursor=document["next_cursor"])
        )
        records.extend(document["records"])
    return {**document, "records": records}


def test_export_hide_and_erase_a_player(stack: StackProcess) -> None:
    api, user = stack.api, "lifecycle"
    ok(api.as_user(user, "PUT", "/v1/me/settings", {"display_name": "Life Cycle"}))
    api.read_posts({user: 12, "neighbour": 3}, prefix="lc")
    assert api.profile(user)["rank"] == 1

    # Export: the profile, badges, the activity history and the notifications are in it.
    exported = _export(stack, user)
    assert exported["profile"]["xp"] == 120
    assert {"first-read", "bookworm"} <= set(exported["profile"]["badges"])
    kinds = [r["kind"] for r in exported["records"]]
    assert kinds.count("activity") == 12
    assert "notification" in kinds

    # Hidden: off the fresh board within a minute, still sees their own rank.
    ok(api.as_user(user, "PUT", "/v1/me/settings", {"leaderboard_visible": False}))
    eventually(lambda: _board_ids(stack) == ({"neighbour"}, False), 60, what="off the board")
    around = ok(api.as_user("neighbour", "GET", "/v1/leaderboard/around/neighbour"))
    assert [e["user_id"] for e in around["entries"]] == ["neighbour"]
    me = api.profile(user)
    assert (me["rank"], me["xp"], me["badge_count"]) == (1, 120, 2)
    ok(api.as_user(user, "PUT", "/v1/me/settings", {"leaderboard_visible": True}))
    eventually(lambda: user in _board_ids(stack)[0], 60, what="back on the board")

    # Erased: profile, feed and board entries gone, and the same post earns XP again.
    api.job("reconciler")  # the week's cohort boards rebuilt and marked complete: served cached
    cohort = eventually(lambda: _cohort(stack, "neighbour"), what="the cached cohort board")
    assert cohort[user] == 120
    erased = api.as_user(user, "DELETE", "/v1/me")
    assert erased.status == 202, erased.body
    eventually(lambda: api.as_user("x", "GET", f"/v1/users/{user}").status == 404, what="gone")
    eventually(lambda: user not in _board_ids(stack)[0], 60, what="off the board for good")
    # Off the cohort board too within 10 s (not at the next daily pass).
    eventually(
        lambda: (c := _cohort(stack, "neighbour")) is not None and user not in c,
        10,
        what="off the cohort board",
    )
    eventually(lambda: _export(stack, user)["records"] == [], what="the walk to finish")
    assert api.notifications(user) == []
    assert api.profile(user)["xp"] == 0
    ok(api.report(user, "post_read", "lc0"))
    eventually(lambda: api.profile(user)["xp"] == 10, what="the same post earning again")
    # The id reused: seated again this week, with its own 10 XP, never the old 120.
    mine = eventually(
        lambda: (c := _cohort(stack, user)) and c.get(user), what="the new account's cohort XP"
    )
    assert mine == 10


def test_an_erasure_racing_queued_activity_leaves_nothing_of_the_old_data(
    stack: StackProcess,
) -> None:
    api, user = stack.api, "racer"
    api.read_posts({user: 5}, prefix="old")
    queued = [{"type": "post_read", "object_id": f"queued-{i}"} for i in range(20)]
    ok(api.report_many(user, queued))  # still in the queue (or being applied) ...
    assert api.as_user(user, "DELETE", "/v1/me").status == 202  # ... when the erasure starts

    api.wait_idle(timeout=60)
    eventually(lambda: _export(stack, user)["records"] == [], what="the walk to finish")
    api.wait_idle(timeout=60)
    assert api.profile(user)["xp"] == 0
    assert api.notifications(user) == []
    # The projector follows the table's stream: the tombstone takes the user off the board a
    # moment after it is written, which under load can be after the queue drained.
    eventually(lambda: user not in _board_ids(stack)[0], what="the erased user off the board")


def test_the_cli_exports_excludes_and_erases(stack: StackProcess, tmp_path: Any) -> None:
    api, user = stack.api, "clied"
    api.read_posts({user: 2}, prefix="cli")
    target = tmp_path / "export.json"

    gamify(stack, "user", "export", "--user", user, "-o", str(target))
    excluded = gamify(
        stack, "user", "exclude", user, "--reason", "testing", "--admin", "--user", "ops"
    )
    eventually(lambda: user not in _board_ids(stack)[0], 60, what="excluded from the board")
    lifted = gamify(stack, "user", "exclude", user, "--lift", "--admin", "--user", "ops")
    erased = gamify(stack, "user", "erase", user, "--admin", "--user", "ops")

    assert len(json.loads(target.read_text())["records"]) >= 2
    assert "excluded (testing)" in excluded
    assert "not excluded" in lifted
    assert f"erasing {user}" in erased
    eventually(lambda: api.as_user("x", "GET", f"/v1/users/{user}").status == 404, what="gone")
