"""The history lake and the control group on the local stack: activities reported over HTTP
reach the lake folder, ``gamify analytics`` answers from it with DuckDB, and a control user's
``/v1/me`` says ``experience: "control"`` with an empty notification feed."""

from __future__ import annotations

import json

import pytest

from gamification.domain.experiments import ControlGroup, draw
from tests.e2e.stack import StackProcess, eventually, ok
from tests.e2e.test_cli import gamify

pytestmark = pytest.mark.e2e

SALT = "e2e-1"


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {"GAMIFY_CONTROL_SHARE": "0.5", "GAMIFY_CONTROL_SALT": SALT}


def _one(group: str) -> str:
    control = ControlGroup(share=0.5, salt=SALT)
    return next(f"lake-{i}" for i in range(100) if draw(f"lake-{i}", control) == group)


def test_activity_reaches_the_lake_and_control_users_play_invisibly(stack: StackProcess) -> None:
    held_out, playing = _one("control"), _one("treatment")
    for user in (held_out, playing):
        ok(stack.api.report(user, "post_read", "post-1"))

    def players() -> int | None:
        out = gamify(
            stack,
            "--json",
            "analytics",
            "query",
            "SELECT COUNT(DISTINCT subject) AS n FROM events WHERE type = 'xp.awarded'",
        )
        n = int(json.loads(out)[0]["n"])
        return n if n >= 2 else None

    eventually(players, what="two players in the lake")
    levels = json.loads(gamify(stack, "--json", "analytics", "report", "level_distribution"))
    assert sum(r["users"] for r in levels) >= 2
    assigned = json.loads(
        gamify(
            stack,
            "--json",
            "analytics",
            "query",
            "SELECT experience, COUNT(*) AS n FROM events "
            "WHERE type = 'experiment.assigned' GROUP BY experience ORDER BY experience",
        )
    )
    assert {r["experience"] for r in assigned} == {"control", "treatment"}

    assert ok(stack.api.as_user(held_out, "GET", "/v1/me"))["experience"] == "control"
    assert ok(stack.api.as_user(playing, "GET", "/v1/me"))["experience"] == "treatment"
    assert ok(stack.api.as_user(held_out, "GET", "/v1/me/notifications"))["notifications"] == []
    assert ok(stack.api.as_user(playing, "GET", "/v1/me/notifications"))["notifications"] != []
