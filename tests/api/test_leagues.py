"""League routes: the caller's cohort (ranks, zones, own row), the ladder, the profile's league,
served from Redis in one round trip or, while the cache may be incomplete, from DynamoDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from gamification import composition
from gamification.adapters.board_schema import generation_key
from gamification.adapters.leaderboard import leagues_marker
from gamification.domain.periods import iso_week, week_bounds
from tests.api import seed
from tests.api.support import Api, user
from tests.integration.pipeline.support import activity, record

# A Wednesday noon: the weeks and back-dating windows the tests compute never straddle a
# week turn, a DST change or the year (the handlers and the test read one moved clock).
pytestmark = pytest.mark.time_machine(datetime(2026, 11, 25, 12, tzinfo=UTC))

ALICE = user("alice")


def _play(user_id: str, reads: int, name: str | None = None) -> None:
    if name:
        seed.profile(user_id, name=name, publish=False)
    at = datetime.now(UTC) - timedelta(seconds=5)
    composition.queue_consumer().consume(
        [record(activity(user_id=user_id, object_id=f"p{i}", at=at)) for i in range(reads)]
    )


def _project(*user_ids: str) -> None:
    """What the projector does with the profiles' stream records, and the rebuild's marker."""
    composition.leaderboard().publish([seed.score_of(u) for u in user_ids], seed.now())
    from gamification.adapters.redis_client import shared_client

    shared_client().set(generation_key(leagues_marker(iso_week(seed.now()))), "seeded")


@pytest.fixture
def cohort(api: Api) -> Api:
    _play("alice", 3, name="Alice")
    _play("bob", 5, name="Bob")
    _play("cat", 3)
    _play("dan", 1)
    _project("alice", "bob", "cat", "dan")
    return api


def test_before_the_first_activity_of_the_week_nobody_has_joined(api: Api) -> None:
    reply = api.get("/v1/me/league", as_=ALICE)

    assert reply.status == 200, reply.text
    body = reply.json
    week = iso_week(seed.now())
    assert (body["week"], body["joined"], body["entries"], body["me"]) == (week, False, [], None)
    assert body["tier"] == {"index": 0, "name": "Bronze"}
    assert body["closes_at"].startswith(week_bounds(week)[1].date().isoformat())


def test_the_cohort_is_ranked_by_this_weeks_xp_with_zones(cohort: Api) -> None:
    body = cohort.get("/v1/me/league", as_=ALICE).json

    assert body["joined"] is True
    assert body["source"] == "cache"
    rows = sorted((e["rank"], e["user_id"], e["weekly_xp"]) for e in body["entries"])
    assert rows == [(1, "bob", 50), (2, "alice", 30), (2, "cat", 30), (4, "dan", 10)]
    assert body["me"] == {"rank": 2, "user_id": "alice", "display_name": "Alice", "weekly_xp": 30}
    # 4 members: top ceil(0.8) = 1 promoted; floor(0.8) = 0 demoted (and Bronze is the floor).
    assert body["zones"] == {"promotion_up_to_rank": 1, "demotion_from_rank": None}


def test_an_incomplete_cache_is_not_served_the_table_answers_exactly(
    cohort: Api, redis_client: redis.Redis
) -> None:
    fresh = cohort.get("/v1/me/league", as_=ALICE).json
    redis_client.flushdb()
    _project("alice")  # the projector raises alice again; the marker is back, bob is not...
    redis_client.delete(generation_key(leagues_marker(iso_week(seed.now()))))

    body = cohort.get("/v1/me/league", as_=ALICE).json

    assert body["source"] == "table"
    assert body["entries"] == fresh["entries"]


@pytest.mark.usefixtures("redis_down")
def test_with_redis_down_the_cohort_comes_from_the_table(api: Api) -> None:
    _play("alice", 2)
    _play("bob", 1)

    body = api.get("/v1/me/league", as_=ALICE).json

    assert body["source"] == "table"
    assert [(e["rank"], e["user_id"]) for e in body["entries"]] == [(1, "alice"), (2, "bob")]


def test_the_ladder_and_the_profiles_league(api: Api) -> None:
    tiers = api.get("/v1/leagues/tiers", as_=ALICE).json
    assert [t["name"] for t in tiers["tiers"]][:2] == ["Bronze", "Silver"]
    assert len(tiers["tiers"]) == 10
    assert (tiers["cohort_size"], tiers["promote_percent"], tiers["demote_percent"]) == (30, 20, 20)

    _play("alice", 1)
    me = api.get("/v1/me", as_=ALICE).json
    assert me["league"] == {
        "tier": {"index": 0, "name": "Bronze"},
        "week": iso_week(seed.now()),
        "last_result": None,
    }
    public = api.get("/v1/users/alice", as_=ALICE).json
    assert "league" not in public
