"""Joining a league cohort through the real consumer (moto) and projecting the cohort board
(real Redis): exactly once per user-week under redelivery and concurrency, in order of joining."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import redis

from gamification.adapters.leaderboard import board_key, decode_xp
from gamification.adapters.player_score import league
from gamification.domain.game_rules import default_game_rules
from gamification.domain.leagues import LeagueRules
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from tests.integration.pipeline.support import NOW, activity, build_pipeline, record

# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)

WEEK = iso_week(NOW)


def _members(pipeline: Any, tier: int = 0, cohort: int = 0) -> list[str]:
    return list(pipeline.leagues.members(WEEK, tier, cohort))


def test_the_first_xp_of_the_week_joins_a_cohort_of_the_users_tier(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    pipeline.consumer.consume([record(activity(object_id="p1"))])
    pipeline.consumer.consume([record(activity(object_id="p2", at=NOW + timedelta(hours=1)))])

    league_state = pipeline.users.load("alice").state.league
    assert (league_state.week, league_state.tier, league_state.cohort) == (WEEK, 0, 0)
    assert _members(pipeline) == ["alice"]
    assert pipeline.leagues.cohorts(WEEK, 10) == [(0, 0)]
    pipeline.project()
    score = redis_client.zscore(board_key(league(f"{WEEK}:0:0")), "alice")
    assert decode_xp(float(score or 0)) == 20


def test_the_same_first_activity_delivered_twice_joins_once(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    first = activity(object_id="p1")
    pipeline.consumer.consume([record(first), record(first)])  # twice in one batch
    pipeline.consumer.consume([record(first)])  # and redelivered

    assert _members(pipeline) == ["alice"]
    seats = pipeline.dynamodb.get_item(
        TableName=aws.table_name, Key={"PK": {"S": f"SEATS#{WEEK}#0#0"}, "SK": {"S": "SEATS"}}
    )["Item"]
    assert seats["taken"] == {"N": "1"}  # one counter update for the user-week


def test_a_lost_commit_response_retried_takes_no_second_seat(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    calls = {"n": 0}

    def lose_response(**_: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("response lost after commit")

    pipeline.dynamodb.meta.events.register("after-call.dynamodb.TransactWriteItems", lose_response)
    read = record(activity(object_id="p1"))
    assert pipeline.consumer.consume([read]).failed_message_ids == {read.message_id}
    assert not pipeline.consumer.consume([read]).failed_message_ids

    assert _members(pipeline) == ["alice"]
    assert pipeline.users.load("alice").state.league.cohort == 0


def test_the_same_first_activity_consumed_concurrently_joins_one_cohort_once(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    reads = [activity(object_id=f"p{i}", at=NOW + timedelta(minutes=i)) for i in range(3)]
    barrier = threading.Barrier(2)
    failures: list[set[str]] = []

    def consume() -> None:
        barrier.wait()
        failures.append(pipeline.consumer.consume([record(a) for a in reads]).failed_message_ids)

    threads = [threading.Thread(target=consume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == [set(), set()]
    joined = [
        (tier, cohort, member)
        for tier, cohort in pipeline.leagues.cohorts(WEEK, 10)
        for member in pipeline.leagues.members(WEEK, tier, cohort)
    ]
    assert joined == [(0, 0, "alice")]
    assert pipeline.users.load("alice").state.league.week == WEEK


def test_cohorts_fill_in_order_of_joining_and_never_overflow(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    small = default_game_rules().model_copy(update={"leagues": LeagueRules(cohort_size=3)})
    pipeline = build_pipeline(aws, redis_client, rules=small)
    users = [f"user-{i}" for i in range(7)]
    for i, user in enumerate(users):
        pipeline.consumer.consume([record(activity(user_id=user, at=NOW + timedelta(minutes=i)))])

    assert pipeline.leagues.cohorts(WEEK, 10) == [(0, 0), (0, 1), (0, 2)]
    assert _members(pipeline, cohort=0) == users[:3]
    assert _members(pipeline, cohort=1) == users[3:6]
    assert _members(pipeline, cohort=2) == users[6:]


def test_seat_shards_spread_joins_over_several_counters(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client, seat_shards=4)
    for i in range(12):
        pipeline.consumer.consume([record(activity(user_id=f"u{i}"))])

    cohorts = pipeline.leagues.cohorts(WEEK, 10)
    members = [m for t, c in cohorts for m in pipeline.leagues.members(WEEK, t, c)]
    assert sorted(members) == sorted(f"u{i}" for i in range(12))
    assert len({c % 4 for _, c in cohorts}) > 1  # more than one seat shard is in use


def test_xp_of_a_week_that_has_ended_does_not_join(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    """A late report of last week's activity counts for last week's board, but a cohort is
    joined only with XP of the week that is running (a closed week takes nobody in)."""
    pipeline = build_pipeline(aws, redis_client)
    sunday_night = NOW + timedelta(days=2, hours=11)  # Sunday 23:00 UTC of WEEK
    pipeline.clock.advance(timedelta(days=2, hours=13))  # Monday 01:00: the next week
    pipeline.consumer.consume([record(activity(object_id="late", at=sunday_night))])

    state = pipeline.users.load("alice").state
    assert state.weekly_xp == {WEEK: 10}
    assert state.league.week is None
    assert pipeline.leagues.cohorts(WEEK, 10) == []
