"""Adaptive league seat shards: a tier's seat counters grow with its players, planned before the
week starts from an earlier week's joins, so a busy tier's week-start joins spread over many
keys while a small deployment keeps one counter and full cohorts."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import boto3
import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.league_repository import CloseCheckpoints, LeagueRepository
from gamification.adapters.user_repository import UserRepository
from gamification.domain import leagues
from gamification.domain.game_rules import default_game_rules
from gamification.domain.periods import iso_week, week_bounds
from gamification.local.provision import Provisioned
from gamification.services.league_close import LeagueClose
from tests.integration.jobs.support import Context, scheduled_event
from tests.integration.pipeline.support import NOW

CLOSED = iso_week(NOW - timedelta(days=7))  # NOW is Friday 2026-11-27: the closed week is W47
CURRENT = iso_week(NOW)
NEXT = iso_week(NOW + timedelta(days=7))
TIERS = 10


def repository(aws: Provisioned, seat_shards: int = 1) -> LeagueRepository:
    return LeagueRepository(boto3.client("dynamodb"), aws.table_name, seat_shards=seat_shards)


def seat(
    repo: LeagueRepository, week: str, tier: int, users: int, prefix: str = "u"
) -> Counter[int]:
    """``users`` joins; how many members each cohort got."""
    return Counter(repo.take_seat(week, tier, f"{prefix}{i}").cohort for i in range(users))


def stored_plan(aws: Provisioned, week: str) -> dict[str, int] | None:
    item = boto3.client("dynamodb").get_item(
        TableName=aws.table_name,
        Key=to_item({"PK": keys.seat_plan_pk(week), "SK": keys.SEAT_PLAN_SK}),
    )
    return from_item(item["Item"])["shards"] if "Item" in item else None


def test_a_small_tier_keeps_one_counter_and_full_cohorts(aws: Provisioned) -> None:
    repo = repository(aws)
    seat(repo, CLOSED, 0, 100)

    assert repo.plan_week(NEXT, repo.joins(CLOSED, TIERS), TIERS, NOW)
    members = seat(repository(aws), NEXT, 0, 100)

    assert sorted(members.values(), reverse=True) == [30, 30, 30, 10]
    assert repository(aws).cohorts(NEXT, TIERS) == [(0, 0), (0, 1), (0, 2), (0, 3)]


def test_a_busy_tier_spreads_its_joins_over_the_planned_shards(
    aws: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leagues, "SEAT_SHARD_MEMBERS", 20)  # 10,000 in production
    repo = repository(aws)
    seat(repo, CLOSED, 0, 70)
    seat(repo, CLOSED, 1, 5, prefix="v")

    assert repo.plan_week(NEXT, repo.joins(CLOSED, TIERS), TIERS, NOW)
    assert stored_plan(aws, NEXT) == {"0": 4, **{str(t): 1 for t in range(1, TIERS)}}

    members = seat(repository(aws), NEXT, 0, 240)
    counters = {
        shard: int(
            from_item(
                boto3.client("dynamodb").get_item(
                    TableName=aws.table_name,
                    Key=to_item({"PK": keys.seats_pk(NEXT, 0, shard), "SK": keys.SEATS_SK}),
                )["Item"]
            )["taken"]
        )
        for shard in range(4)
    }
    assert sum(counters.values()) == 240
    assert all(count > 0 for count in counters.values())  # every key took a share
    assert max(members.values()) <= 30  # no cohort over its size
    assert sorted(repository(aws).cohorts(NEXT, TIERS)) == sorted((0, c) for c in members)
    assert seat(repository(aws), NEXT, 1, 5, prefix="v") == Counter({0: 5})  # one counter


def test_a_plan_is_fixed_once_and_never_after_its_week_started(aws: Provisioned) -> None:
    repo = repository(aws)

    assert repo.plan_week(NEXT, {0: 50_000}, TIERS, NOW)
    assert not repo.plan_week(NEXT, {0: 900_000}, TIERS, NOW)  # the first plan stays
    assert stored_plan(aws, NEXT) == {"0": 5, **{str(t): 1 for t in range(1, TIERS)}}
    started = week_bounds(CURRENT)[0] + timedelta(minutes=1)
    assert not repo.plan_week(CURRENT, {0: 50_000}, TIERS, started)
    assert stored_plan(aws, CURRENT) is None


def test_a_week_without_a_plan_uses_the_setting(aws: Provisioned) -> None:
    repo = repository(aws, seat_shards=3)

    assert {repo.shards_of(CURRENT, tier) for tier in range(TIERS)} == {3}


def test_a_container_reads_a_weeks_plan_once(aws: Provisioned) -> None:
    repo = repository(aws)
    repo.plan_week(NEXT, {0: 30_000}, TIERS, NOW)
    client = boto3.client("dynamodb")
    fresh = LeagueRepository(client, aws.table_name)
    gets: list[str] = []
    client.meta.events.register("before-call.dynamodb.GetItem", lambda **_: gets.append("GetItem"))

    seat(fresh, NEXT, 0, 20)
    seat(fresh, NEXT, 2, 5, prefix="w")

    assert gets == ["GetItem"]
    assert fresh.shards_of(NEXT, 0) == 3


def test_the_scheduled_close_plans_next_week_from_the_closed_weeks_joins(
    stack_env: Provisioned, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.leagues.handler import lambda_handler

    monkeypatch.setattr(leagues, "SEAT_SHARD_MEMBERS", 10)
    seat(repository(stack_env), CURRENT, 2, 25)
    monday = week_bounds(NEXT)[0] + timedelta(minutes=5)  # the run that closes CURRENT

    lambda_handler(scheduled_event(monday), Context("leagues"))

    planned = iso_week(monday + timedelta(days=7))
    assert stored_plan(stack_env, planned) == {
        **{str(t): 1 for t in range(TIERS)},
        "2": 3,
    }
    assert stored_plan(stack_env, NEXT) is None  # the week that started has seats already


def test_plan_seats_writes_once(aws: Provisioned) -> None:
    dynamodb = boto3.client("dynamodb")
    closer = LeagueClose(
        repository(aws),
        UserRepository(dynamodb, aws.table_name),
        CloseCheckpoints(dynamodb, aws.table_name),
        rules=default_game_rules,
    )

    assert closer.plan_seats(CLOSED, NOW) == NEXT
    assert closer.plan_seats(CLOSED, NOW + timedelta(hours=1)) is None
