"""Redis dies mid-run: the API keeps answering from DynamoDB (stale snapshot, ``rank: null``),
activities keep being accepted, and reconciliation restores the leaderboard from the truth."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.stack import StackProcess, eventually, ok

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["server", "embedded"])
def stack_environment(request: pytest.FixtureRequest) -> dict[str, str]:
    """Both Redis kinds the stack can run: redis-server, and the embedded pure-Python one."""
    if request.param == "server" and shutil.which("redis-server") is None:
        pytest.skip("no redis-server binary")
    return {"GAMIFY_LOCAL_REDIS": request.param}


PLAYERS = {"ada": 5, "bob": 3, "cy": 1}


def test_leaderboard_falls_back_then_recovers_after_reconciliation(
    stack: StackProcess, stack_environment: dict[str, str]
) -> None:
    api = stack.api
    expected = (
        "embedded" if stack_environment["GAMIFY_LOCAL_REDIS"] == "embedded" else "redis-server"
    )
    assert api.status()["redis"]["kind"].startswith(expected)
    api.read_posts(PLAYERS)
    live = api.leaderboard(limit=10)
    assert [e["user_id"] for e in live["entries"]] == ["ada", "bob", "cy"]
    api.job("reconciler")  # the scheduled run that also snapshots the top N to DynamoDB

    api.redis("kill")
    stale = api.leaderboard(limit=10)
    assert stale["stale"] is True
    assert stale["as_of"] is not None
    assert [(e["user_id"], e["rank"], e["xp"]) for e in stale["entries"]] == [
        ("ada", 1, 50),
        ("bob", 2, 30),
        ("cy", 3, 10),
    ]
    profile = api.profile("bob")
    assert profile["rank"] is None
    assert profile["rank_available"] is False
    assert profile["xp"] == 30  # the profile itself comes from DynamoDB
    health = ok(api.client.request("GET", "/v1/health"))
    assert health["status"] == "degraded"

    # Activity during the outage is accepted and committed to DynamoDB (the truth).
    ok(api.report_many("cy", [{"type": "post_read", "object_id": f"q{i}"} for i in range(6)]))
    eventually(lambda: api.profile("cy")["xp"] == 70, what="cy's XP committed during the outage")

    api.redis("restart")  # a replaced node: reachable again, but empty
    report = api.job("reconciler")["result"]
    assert report["players"] == 3
    recovered = eventually(
        lambda: (b := api.leaderboard(limit=10))["stale"] is False and b["total"] == 3 and b,
        what="the rebuilt leaderboard",
    )
    assert [(e["user_id"], e["rank"], e["xp"]) for e in recovered["entries"]] == [
        ("cy", 1, 70),
        ("ada", 2, 50),
        ("bob", 3, 30),
    ]
    assert api.profile("cy")["rank"] == 1
