"""Leagues on the local stack: a few users earn different XP this week and share a cohort with
the right ranks; the close job (as of next Monday) promotes the top user, who is notified and
whose profile shows the new tier; running the job again changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gamification.domain.periods import iso_week, week_bounds
from tests.e2e.stack import StackProcess, eventually, ok
from tests.e2e.test_cli import gamify

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_environment() -> dict[str, str]:
    return {}


def _league(stack: StackProcess, user: str) -> dict[str, Any]:
    return dict(ok(stack.api.as_user(user, "GET", "/v1/me/league")))


def test_a_week_of_leagues_from_joining_to_promotion(stack: StackProcess) -> None:
    api = stack.api
    week = iso_week(datetime.now(UTC))
    players = {"lea": 6, "max": 3, "noa": 3, "oli": 1}
    for user, reads in players.items():
        ok(api.as_user(user, "PUT", "/v1/me/settings", {"display_name": user.title()}))
        posts = [{"type": "post_read", "object_id": f"l{i}"} for i in range(reads)]
        ok(api.report_many(user, posts))

    def ranked() -> list[tuple[int, str, int]] | None:
        body = _league(stack, "max")
        rows = sorted((e["rank"], e["user_id"], e["weekly_xp"]) for e in body["entries"])
        return rows if len(rows) == 4 else None

    rows = eventually(ranked, what="four members in max's cohort")
    assert rows == [(1, "lea", 60), (2, "max", 30), (2, "noa", 30), (4, "oli", 10)]
    api.job("reconciler")  # the week's cohort boards are rebuilt and marked complete
    body = eventually(
        lambda: (b := _league(stack, "max"))["source"] == "cache" and b, what="the cached board"
    )
    assert (body["week"], body["tier"]["name"], body["joined"]) == (week, "Bronze", True)
    assert body["me"]["rank"] == 2
    assert body["zones"] == {"promotion_up_to_rank": 1, "demotion_from_rank": None}
    assert datetime.fromisoformat(body["closes_at"]) == week_bounds(week)[1]

    board = gamify(stack, "league", "--user", "max")
    assert "Bronze League, week " + week in board
    assert "promotion: ranks 1-1" in board

    monday = (week_bounds(week)[1] + timedelta(minutes=5)).isoformat()
    ran = gamify(stack, "job", "leagues", "--at", monday, "--json")  # as a developer would
    first = json.loads(ran)["result"]
    assert first["week"] == week
    assert (first["shards"][0]["closed"], first["shards"][0]["promoted"]) == (4, 1)

    lea = api.profile("lea")
    assert lea["league"]["tier"] == {"index": 1, "name": "Silver"}
    assert lea["league"]["last_result"]["movement"] == "promoted"
    assert api.profile("max")["league"]["tier"]["name"] == "Bronze"
    assert "Silver League" in gamify(stack, "profile", "--user", "lea")
    titles = eventually(
        lambda: [n["title"] for n in api.notifications("lea") if n["kind"] == "league_result"],
        what="lea's league notification",
    )
    assert titles == ["Promoted to Silver League!"]
    stayed = [n["title"] for n in api.notifications("oli") if n["kind"] == "league_result"]
    assert stayed == ["You stayed in Bronze League"]

    again = api.job("leagues", at=monday)["result"]
    assert again["shards"][0]["closed"] == 4  # the same totals: nobody closed twice
    assert api.profile("lea")["league"]["tier"]["name"] == "Silver"
    again_titles = [n["title"] for n in api.notifications("lea") if n["kind"] == "league_result"]
    assert again_titles == ["Promoted to Silver League!"]
    tiers = ok(api.as_user("lea", "GET", "/v1/leagues/tiers"))
    assert len(tiers["tiers"]) == 10
