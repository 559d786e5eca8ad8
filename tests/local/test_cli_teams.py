"""``gamify teams``: the routes each view calls and what it prints, against a stand-in for the
HTTP client (the edge)."""

from __future__ import annotations

from typing import Any

import pytest

from gamification.cli.main import build_parser


class RecordingClient:
    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, Any]] = []

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        self.calls.append((method, path, kwargs.get("body")))
        assert kwargs["token"]
        return self.answers.get((method, path))


def _run(argv: list[str], client: RecordingClient) -> None:
    args = build_parser().parse_args(argv)
    assert args.command(client, args) == 0


def test_join_leave_and_mine(capsys: pytest.CaptureFixture[str]) -> None:
    joined = {"team_id": "red", "user_id": "ann", "member": True, "changed": True}
    mine = {
        "teams": [
            {
                "team_id": "red",
                "name": "Red",
                "description": "",
                "join": "code",
                "max_members": 50,
                "members": 3,
                "joined_at": "2026-12-03T12:00:00+00:00",
            }
        ],
        "limit": 10,
    }
    client = RecordingClient(
        {("POST", "/v1/teams/red/join"): joined, ("GET", "/v1/me/teams"): mine}
    )
    _run(["teams", "join", "red", "--code", "sesame", "--user", "ann"], client)
    _run(["teams", "mine"], client)
    _run(["teams", "leave", "red"], client)
    assert client.calls == [
        ("POST", "/v1/teams/red/join", {"code": "sesame"}),
        ("GET", "/v1/me/teams", None),
        ("DELETE", "/v1/teams/red/members/me", None),
    ]
    out = capsys.readouterr().out
    assert "joined red" in out
    assert "1 of at most 10 teams" in out


def test_a_teams_quests_show_the_team_and_you(capsys: pytest.CaptureFixture[str]) -> None:
    page = {
        "team_id": "red",
        "quests": [
            {
                "quest_id": "together",
                "name": "Together",
                "description": "",
                "starts_at": "2026-12-01T00:00:00+00:00",
                "ends_at": "2026-12-08T00:00:00+00:00",
                "status": "active",
                "pay": "contributors",
                "reward_xp": 40,
                "progress": 4,
                "target": 4,
                "contributors": 2,
                "completed": True,
                "your_count": 3,
                "you_were_paid": True,
            }
        ],
    }
    client = RecordingClient({("GET", "/v1/teams/red/quests"): page})
    _run(["teams", "quests", "red"], client)
    out = capsys.readouterr().out
    assert "together" in out
    assert "4/4" in out
    assert "contributors" in out


def test_a_team_is_needed_to_join() -> None:
    with pytest.raises(SystemExit):
        _run(["teams", "join"], RecordingClient({}))
