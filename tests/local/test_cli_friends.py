"""``gamify follow``, ``gamify friends`` and ``gamify pair``: the routes each command calls and
what it prints, against a stand-in for the HTTP client (the edge)."""

from __future__ import annotations

from typing import Any

import pytest

from gamification.cli.main import build_parser


class RecordingClient:
    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        self.calls.append((method, path, kwargs.get("query")))
        assert kwargs["token"]
        return self.answers.get((method, path))


def _run(argv: list[str], client: RecordingClient) -> None:
    args = build_parser().parse_args(argv)
    assert args.command(client, args) == 0


def test_follow_unfollow_block(capsys: pytest.CaptureFixture[str]) -> None:
    relation = {"user_id": "bob", "following": True, "friends": True, "blocked": False}
    client = RecordingClient({("PUT", "/v1/me/following/bob"): relation})
    _run(["follow", "bob", "--user", "ann"], client)
    _run(["follow", "bob", "--undo"], client)
    _run(["follow", "bob", "--block"], client)
    assert [c[:2] for c in client.calls] == [
        ("PUT", "/v1/me/following/bob"),
        ("DELETE", "/v1/me/following/bob"),
        ("PUT", "/v1/me/blocked/bob"),
    ]
    out = capsys.readouterr().out
    assert "following bob (friends" in out
    assert "unfollowed bob" in out


def test_the_friend_board_prints_ranks_and_marks_me(capsys: pytest.CaptureFixture[str]) -> None:
    board = {
        "period": "weekly",
        "week": "2026-W49",
        "total": 2,
        "stale": False,
        "entries": [
            {"rank": 1, "user_id": "bob", "display_name": "Bob", "xp": 30, "level": 1, "me": False},
            {"rank": 1, "user_id": "ann", "display_name": None, "xp": 30, "level": 1, "me": True},
        ],
    }
    client = RecordingClient({("GET", "/v1/me/friends/leaderboard"): board})
    _run(["friends", "board", "--period", "weekly"], client)
    assert client.calls == [("GET", "/v1/me/friends/leaderboard", {"period": "weekly"})]
    out = capsys.readouterr().out
    assert "* ann" in out
    assert "2 ranked (weekly)" in out


def test_streaks_invite_then_list(capsys: pytest.CaptureFixture[str]) -> None:
    listed = {
        "streaks": [
            {
                "user_id": "bob",
                "status": "active",
                "current": 3,
                "longest": 3,
                "both_active_today": False,
                "at_risk": True,
            }
        ]
    }
    client = RecordingClient({("GET", "/v1/me/friend-streaks"): listed})
    _run(["friends", "streaks", "--streak-with", "bob"], client)
    assert [c[:2] for c in client.calls] == [
        ("PUT", "/v1/me/friend-streaks/bob"),
        ("GET", "/v1/me/friend-streaks"),
    ]
    assert "AT RISK" in capsys.readouterr().out


def test_pair_for_a_friend_quest_show_and_leave(capsys: pytest.CaptureFixture[str]) -> None:
    paired = {"quest_id": "duo", "partner": "bob", "since": None, "count": 1, "target": 3}
    done = {**paired, "count": 3, "completed": True}
    client = RecordingClient(
        {
            ("PUT", "/v1/me/quests/duo/partner/bob"): {**paired, "completed": False},
            ("GET", "/v1/me/quests/duo/partner"): done,
        }
    )
    _run(["pair", "duo", "bob", "--user", "ann"], client)
    _run(["pair", "duo"], client)
    _run(["pair", "duo", "--undo"], client)
    assert [c[:2] for c in client.calls] == [
        ("PUT", "/v1/me/quests/duo/partner/bob"),
        ("GET", "/v1/me/quests/duo/partner"),
        ("DELETE", "/v1/me/quests/duo/partner"),
    ]
    assert capsys.readouterr().out.splitlines() == [
        "duo with bob: 1/3",
        "duo with bob: 3/3, completed (paid)",
        "left the pairing for duo",
    ]
