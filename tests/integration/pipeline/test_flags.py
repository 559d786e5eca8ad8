"""The velocity rule through the consumer (moto): a flag raised in the user's own commit, once
under redelivery and batch splits, listed for admins, and the flagged user left out of the
close until an admin clears the flag."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis

from gamification.adapters.dynamo_codec import from_item
from gamification.adapters.event_codec import outbox_of_image
from gamification.adapters.flag_list import FlagList
from gamification.domain.flags import VelocityRule
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.leagues import LeagueRules
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.league_close import LeagueClose
from tests.fakes.jobs import FakeCloseCheckpoints
from tests.integration.pipeline.support import (
    NOW,
    Pipeline,
    Record,
    activity,
    build_pipeline,
    record,
)

RULES: GameRules = default_game_rules().model_copy(
    update={"leagues": LeagueRules(velocity=VelocityRule(max_per_minute=5))}
)

pytestmark = pytest.mark.time_machine(NOW)


def _reads(user: str, first: int, count: int, seconds: int = 1) -> list[Record]:
    return [
        record(activity(user_id=user, object_id=f"p{i}", at=NOW + timedelta(seconds=i * seconds)))
        for i in range(first, first + count)
    ]


def _outbox_types(pipeline: Pipeline, table: str, user: str) -> list[str]:
    item = pipeline.dynamodb.get_item(
        TableName=table, Key={"PK": {"S": f"USER#{user}"}, "SK": {"S": "PROFILE"}}
    )["Item"]
    outbox = outbox_of_image(from_item(item))
    return [d.type for d in outbox[2]] if outbox else []


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "transactions"])
def test_six_reads_in_a_minute_raise_one_flag_whatever_the_batches_and_redeliveries(
    aws: Provisioned, redis_client: redis.Redis, fast_path: bool
) -> None:
    pipeline = build_pipeline(aws, redis_client, rules=RULES, fast_path=fast_path)
    first, second = _reads("bot", 0, 3), _reads("bot", 3, 4)
    pipeline.consumer.consume(first)
    pipeline.consumer.consume(second)  # 7 in the minute: crossed

    flag = pipeline.users.load("bot").state.flag
    assert flag is not None
    assert (flag.rule, flag.observed, flag.threshold, flag.window) == (
        "velocity",
        7,
        6,
        "2026-11-27T12:00",
    )
    assert _outbox_types(pipeline, aws.table_name, "bot")[-1] == "user.flagged"
    version = pipeline.users.load("bot").version

    # SQS delivers both batches again, and one more read of the minute arrives: no new flag.
    pipeline.consumer.consume([*first, *second])
    assert pipeline.users.load("bot").version == version  # duplicates: nothing committed
    pipeline.consumer.consume(_reads("bot", 7, 1))
    assert "user.flagged" not in _outbox_types(pipeline, aws.table_name, "bot")
    assert pipeline.users.load("bot").state.flag == flag

    listed = FlagList(pipeline.dynamodb, aws.table_name).page(10).flags
    assert [(f.user_id, f.flag) for f in listed] == [("bot", flag)]


def test_the_same_reads_spread_over_minutes_raise_nothing(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client, rules=RULES)
    pipeline.consumer.consume(_reads("reader", 0, 20, seconds=15))

    assert pipeline.users.load("reader").state.flag is None
    assert FlagList(pipeline.dynamodb, aws.table_name).page(10).flags == []


def test_a_velocity_flagged_member_is_left_out_of_the_close_until_cleared(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    from gamification.services.exclusion import ExclusionService
    from gamification.services.flags import FlagReviews

    pipeline = build_pipeline(aws, redis_client, rules=RULES)
    pipeline.consumer.consume(_reads("bot", 0, 6))  # flagged
    pipeline.consumer.consume(_reads("ann", 0, 2, seconds=30))
    pipeline.consumer.consume(_reads("bob", 0, 1))
    week = iso_week(NOW)
    monday = NOW + timedelta(days=2, hours=12, minutes=5)
    # bot plays the new week before the old one closes: no seat while the result is pending.
    pipeline.clock.now = monday
    pipeline.consumer.consume([record(activity(user_id="bot", object_id="new-week", at=monday))])
    assert pipeline.users.load("bot").state.league.week == week

    done = LeagueClose(
        pipeline.leagues, pipeline.users, FakeCloseCheckpoints(), rules=lambda: RULES
    ).run(week, monday)

    assert (done.checkpoint.closed, done.checkpoint.flagged) == (2, 1)
    bot = pipeline.users.load("bot").state
    assert bot.league.result is None
    assert bot.league.closed == week
    assert bot.league.week == iso_week(monday)  # seated in the new week by the same write
    assert bot.league.cohort is not None
    ann = pipeline.users.load("ann").state.league.result
    assert ann is not None
    assert (ann.rank, ann.to_tier) == (1, 1)

    # Cleared: the flag leaves the profile and the list; the next close counts the user.
    reviews = FlagReviews(
        FlagList(pipeline.dynamodb, aws.table_name),
        pipeline.users,
        ExclusionService(pipeline.users, lambda: monday),
        lambda: monday,
    )
    reviews.clear("bot")
    assert pipeline.users.load("bot").state.flag is None
    assert reviews.open_flags().flags == []
    assert _outbox_types(pipeline, aws.table_name, "bot") == ["user.flag_reviewed"]
