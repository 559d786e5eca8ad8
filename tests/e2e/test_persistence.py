"""``GAMIFY_LOCAL_STATE``: a stopped and restarted stack still has its users, badges and board."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.stack import StackProcess, eventually

pytestmark = pytest.mark.e2e


def _run(state: Path) -> StackProcess:
    return StackProcess(GAMIFY_LOCAL_STATE=str(state)).wait_ready()


def test_a_restart_with_a_state_folder_keeps_profiles_badges_and_the_board(
    tmp_path: Path,
) -> None:
    first = _run(tmp_path)
    try:
        assert first.api.report("keeper", "post_read", "p-1").status == 202
        assert first.api.report("other", "post_read", "p-1").status == 202
        assert first.api.report("other", "post_read", "p-2").status == 202
        eventually(lambda: first.api.profile("other")["xp"] == 20, what="both users applied")
        first.api.wait_idle()
    finally:
        assert first.stop() == 0, first.logs()
        first.cleanup()
    assert (tmp_path / "dynamodb-table.json").exists()

    second = _run(tmp_path)
    try:
        restored = re.search(r"\((\d+) items restored\)", second.logs())
        profile = second.api.profile("keeper")
        board = second.api.leaderboard()
        notifications = second.api.notifications("keeper")
        status = second.api.status()
    finally:
        assert second.stop() == 0, second.logs()
        second.cleanup()

    assert restored is not None
    assert int(restored[1]) >= 6  # 2 profiles, 3 dedupe markers, notifications, ...
    assert (profile["xp"], profile["badge_count"], profile["rank"]) == (10, 1, 2)
    assert [(e["user_id"], e["rank"]) for e in board["entries"]] == [("other", 1), ("keeper", 2)]
    assert board["stale"] is False
    assert [n["title"] for n in notifications] == ["Badge Unlocked: First Steps"]
    # The restored notifications were not pushed a second time (the outbox starts after them).
    assert status["stream_poller"].get("delivered", 0) == 0
