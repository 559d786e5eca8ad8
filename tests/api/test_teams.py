"""Teams over HTTP with the projector fed the table's real stream (moto): two teams of 1 and 3
members ranked by all three metrics, a redelivered and reversed stream changing nothing, a hidden
member counted but not listed, and a member leaving moving the boards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gamification import composition
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.resources import PROJECTION
from tests.api import seed
from tests.api.support import Api, admin, user
from tests.integration.jobs.support import Context, Stream

ROOT = admin()
ANN, BOB, CY, DAN = user("ann"), user("bob"), user("cy"), user("dan")


def project(records: list[dict[str, Any]]) -> None:
    """The projector's mapping (profiles and memberships), as Lambda filters and delivers it."""
    from functions.projector.handler import lambda_handler

    batch = [r for r in records if PROJECTION.accepts(r)]
    if batch:
        reply = lambda_handler({"Records": batch}, Context("projector"))
        assert reply == {"batchItemFailures": []}


def board(api: Api, metric: str, period: str = "alltime") -> list[tuple[int, str, float]]:
    reply = api.get("/v1/teams/leaderboard", as_=ANN, query={"metric": metric, "period": period})
    assert reply.status == 200, reply.text
    return [(e["rank"], e["team_id"], e["value"]) for e in reply.json["entries"]]


def test_two_teams_rank_by_every_metric_and_a_leaver_moves_them(
    api: Api, stack_env: Provisioned
) -> None:
    stream = Stream(stack_env.table_name)
    week = iso_week(seed.now())
    assert api.put("/v1/admin/teams/solo", as_=ROOT, body={"name": "Solo"}).status == 201
    trio = {"name": "Trio", "join": "code", "code": "sesame", "max_members": 3}
    assert api.put("/v1/admin/teams/trio", as_=ROOT, body=trio).status == 201
    assert api.put("/v1/admin/teams/trio", as_=ROOT, body=trio).status == 200
    for name, xp in (("ann", 100), ("bob", 30), ("cy", 20), ("dan", 10)):
        seed.profile(name, xp, name=name.title(), weekly_xp={week: xp})

    assert api.post("/v1/teams/solo/join", as_=ANN).json["changed"] is True
    assert api.post("/v1/teams/solo/join", as_=ANN).json["changed"] is False  # a repeat
    wrong = api.post("/v1/teams/trio/join", as_=BOB, body={"code": "nope"})
    assert (wrong.status, wrong.error["code"]) == (400, "wrong_code")
    for who in (BOB, CY, DAN):
        assert api.post("/v1/teams/trio/join", as_=who, body={"code": "sesame"}).status == 200
    full = api.post("/v1/teams/trio/join", as_=ANN, body={"code": "sesame"})
    assert (full.status, full.error["code"]) == (400, "team_full")

    records = stream.read()
    project(records)  # the profiles first (before the joins): each join reads its profile
    assert board(api, "total") == [(1, "solo", 100.0), (2, "trio", 60.0)]
    project(records)  # redelivered
    project(records[::-1])  # and reordered
    assert board(api, "total") == [(1, "solo", 100.0), (2, "trio", 60.0)]
    assert board(api, "average") == [(1, "solo", 100.0), (2, "trio", 20.0)]
    assert board(api, "top5", "weekly") == [(1, "solo", 100.0), (2, "trio", 60.0)]

    hidden = api.put("/v1/me/settings", as_=CY, body={"leaderboard_visible": False})
    assert hidden.status == 200, hidden.text
    project(stream.read())
    inside = api.get("/v1/teams/trio/leaderboard", as_=BOB).json
    assert (inside["xp"], inside["members"], inside["listed"]) == (60, 3, 2)
    assert [(e["rank"], e["user_id"], e["xp"]) for e in inside["entries"]] == [
        (1, "bob", 30),
        (2, "dan", 10),
    ]

    assert api.delete("/v1/teams/trio/members/me", as_=BOB).json["changed"] is True
    project(stream.read())
    assert board(api, "total") == [(1, "solo", 100.0), (2, "trio", 30.0)]
    assert board(api, "average") == [(1, "solo", 100.0), (2, "trio", 15.0)]
    assert api.get("/v1/me/teams", as_=BOB).json["teams"] == []
    assert [t["team_id"] for t in api.get("/v1/me/teams", as_=CY).json["teams"]] == ["trio"]
    listed = api.get("/v1/teams", as_=DAN).json["teams"]
    assert [(t["team_id"], t["members"]) for t in listed] == [("solo", 1), ("trio", 2)]
    exported = api.get("/v1/me/export", as_=CY).json["teams"]
    assert [(t["team_id"], t["added_by_admin"]) for t in exported] == [("trio", False)]

    # Erasure takes dan's membership and with it his XP off the team.
    assert api.delete("/v1/me", as_=DAN).status == 202
    project(stream.read())
    assert board(api, "total") == [(1, "solo", 100.0), (2, "trio", 20.0)]
    assert api.get("/v1/admin/teams/trio", as_=ROOT).json["members"] == 1


def test_admin_teams_and_refusals(api: Api, stack_env: Provisioned) -> None:
    closed = {"name": "Staff", "join": "admin"}
    assert api.put("/v1/admin/teams/staff", as_=ROOT, body=closed).status == 201
    refused = api.post("/v1/teams/staff/join", as_=ANN)
    assert (refused.status, refused.error["code"]) == (400, "team_closed")
    assert api.put("/v1/admin/teams/staff/members/ann", as_=ROOT).json["member"] is True
    assert api.get("/v1/admin/teams/staff", as_=ROOT).json["members"] == 1
    busy = api.delete("/v1/admin/teams/staff", as_=ROOT)
    assert (busy.status, busy.error["code"]) == (400, "team_not_empty")
    assert api.delete("/v1/admin/teams/staff/members/ann", as_=ROOT).json["changed"] is True
    assert api.delete("/v1/admin/teams/staff", as_=ROOT).status == 204
    assert api.get("/v1/admin/teams/staff", as_=ROOT).status == 404
    assert api.post("/v1/teams/staff/join", as_=ANN).status == 404
    no_code = api.put("/v1/admin/teams/x", as_=ROOT, body={"name": "X", "join": "code"})
    assert (no_code.status, no_code.error["code"]) == (400, "invalid_team")
    assert api.put("/v1/admin/teams/x", as_=ANN, body={"name": "X"}).status == 403
    assert api.get("/v1/teams").status == 401
    assert api.get("/v1/teams", as_=ANN).json["teams"] == []  # admin-only teams are not listed


@pytest.fixture
def two_teams_each(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The setting at 2, for one test (the composition caches the settings)."""
    monkeypatch.setenv("GAMIFY_MAX_TEAMS_PER_USER", "2")
    composition.reset()
    yield
    monkeypatch.undo()
    composition.reset()


def test_the_per_user_team_limit(api: Api, stack_env: Provisioned, two_teams_each: None) -> None:
    for team in ("a", "b", "c"):
        assert api.put(f"/v1/admin/teams/{team}", as_=ROOT, body={"name": team}).status == 201
    assert api.post("/v1/teams/a/join", as_=ANN).status == 200
    assert api.post("/v1/teams/b/join", as_=ANN).status == 200
    over = api.post("/v1/teams/c/join", as_=ANN)
    assert (over.status, over.error["code"]) == (400, "team_limit")
    assert api.delete("/v1/teams/a/members/me", as_=ANN).status == 200
    assert api.post("/v1/teams/c/join", as_=ANN).status == 200
    assert api.get("/v1/me/teams", as_=ANN).json["limit"] == 2


def test_the_boards_answer_503_while_redis_is_down(
    api: Api, stack_env: Provisioned, redis_down: None
) -> None:
    assert api.put("/v1/admin/teams/solo", as_=ROOT, body={"name": "Solo"}).status == 201
    for path in ("/v1/teams/leaderboard", "/v1/teams/solo/leaderboard"):
        reply = api.get(path, as_=ANN)
        assert (reply.status, reply.error["code"]) == (503, "team_board_unavailable"), path
    # Membership needs no cache: joining still works (the projector catches up later).
    assert api.post("/v1/teams/solo/join", as_=ANN).status == 200
