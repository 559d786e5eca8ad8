"""The league close job against moto and the real consumer: results, notifications, idempotence,
checkpoints, shards, and users who play the new week before the old one is closed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, cast

import boto3
import pytest
import redis
from botocore.stub import Stubber

from gamification import composition
from gamification.adapters.league_repository import CloseCheckpoints
from gamification.adapters.notification_repository import NotificationRepository
from gamification.adapters.wallet_store import WalletStore
from gamification.domain.cheating import OutlierRule
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.leagues import LeagueRules
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.league_close import (
    LeagueClose,
    Status,
    close_shards_for,
    week_to_close,
)
from tests.fakes.jobs import FakeCloseCheckpoints
from tests.integration.jobs.support import Context, scheduled_event
from tests.integration.pipeline.support import NOW, Pipeline, activity, build_pipeline, record

WEEK = iso_week(NOW)  # NOW is Friday 2026-11-27 12:00 UTC
MONDAY = NOW + timedelta(days=2, hours=12, minutes=5)  # 00:05 UTC, the next week
NEXT_WEEK = iso_week(MONDAY)

# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)


def _rules(cohort_size: int = 30) -> GameRules:
    return default_game_rules().model_copy(update={"leagues": LeagueRules(cohort_size=cohort_size)})


def _earn(pipeline: Pipeline, user_id: str, reads: int, start: int = 0) -> None:
    pipeline.consumer.consume(
        [
            record(activity(user_id=user_id, object_id=f"p{i}", at=pipeline.clock.now))
            for i in range(start, start + reads)
        ]
    )


def _closer(pipeline: Pipeline, aws: Provisioned, rules: GameRules) -> LeagueClose:
    return LeagueClose(
        pipeline.leagues,
        pipeline.users,
        CloseCheckpoints(pipeline.dynamodb, aws.table_name),
        rules=lambda: rules,
    )


def _tiers(pipeline: Pipeline, users: list[str]) -> dict[str, int]:
    return {u: pipeline.users.load(u).state.league.tier for u in users}


def _titles(user_id: str) -> list[str]:
    feed: Any = NotificationRepository(boto3.client("dynamodb"), _table()).page(user_id, limit=20)
    return [n.title for n in feed.items]


_TABLE: list[str] = []


def _table() -> str:
    return _TABLE[0]


def test_closing_a_week_promotes_demotes_notifies_once(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    _TABLE[:] = [aws.table_name]
    rules = _rules()
    pipeline = build_pipeline(aws, redis_client, rules=rules)
    xp = {"ann": 5, "bob": 4, "cat": 3, "dan": 2, "eve": 1}  # reads: 10 XP each
    for user, reads in xp.items():
        _earn(pipeline, user, reads)

    pipeline.clock.now = MONDAY
    first = _closer(pipeline, aws, rules).run(week_to_close(MONDAY), MONDAY)

    assert week_to_close(MONDAY) == WEEK
    assert first.status is Status.DONE
    assert (first.checkpoint.closed, first.checkpoint.promoted) == (5, 1)
    # 5 members in Bronze: ann (rank 1) up; eve (rank 5) would be demoted, but Bronze is the floor.
    assert _tiers(pipeline, list(xp)) == {"ann": 1, "bob": 0, "cat": 0, "dan": 0, "eve": 0}
    ann = pipeline.users.load("ann").state.league
    assert ann.result is not None
    assert (ann.result.rank, ann.result.xp, ann.closed) == (1, 50, WEEK)
    assert "Promoted to Silver League!" in _titles("ann")
    assert "You stayed in Bronze League" in _titles("eve")

    again = _closer(pipeline, aws, rules).run(WEEK, MONDAY + timedelta(hours=1))
    assert again.closed_this_run == 0  # the checkpoint says done
    # Without the checkpoint, the profiles say so:
    pipeline.dynamodb.delete_item(
        TableName=aws.table_name,
        Key={"PK": {"S": f"LEAGUECLOSE#{WEEK}"}, "SK": {"S": "SHARD#0of1"}},
    )
    rerun = _closer(pipeline, aws, rules).run(WEEK, MONDAY + timedelta(hours=2))
    assert (rerun.checkpoint.closed, rerun.checkpoint.already) == (0, 5)
    assert _tiers(pipeline, list(xp)) == {"ann": 1, "bob": 0, "cat": 0, "dan": 0, "eve": 0}
    assert _titles("ann").count("Promoted to Silver League!") == 1
    # The promotion paid once (data/currencies.json: Silver +20 gems), on top of the first
    # badge's 5, with its ledger entry in the result's commit (docs/wallet.md).
    gems = {u: pipeline.users.load(u).state.wallet.balance("gems") for u in xp}
    assert gems == {"ann": 25, "bob": 5, "cat": 5, "dan": 5, "eve": 5}
    ledger = WalletStore(pipeline.dynamodb, aws.table_name).page("ann", 10, None)
    assert [(e.kind, e.amount, e.ref) for e in ledger] == [
        ("league_promotion", 20, f"league_promotion#{WEEK}"),
        ("badge", 5, "badge_earned#first-read"),
    ]


def _three_cohorts_of_two(
    aws: Provisioned, redis_client: redis.Redis
) -> tuple[Pipeline, GameRules, list[str]]:
    """Six users in Bronze, cohorts of two: u1, u3 and u5 out-earn their cohort's other one."""
    _TABLE[:] = [aws.table_name]
    rules = _rules(cohort_size=2)
    pipeline = build_pipeline(aws, redis_client, rules=rules)
    users = [f"u{i}" for i in range(6)]
    for i, user in enumerate(users):
        _earn(pipeline, user, i + 1)
    return pipeline, rules, users


def test_a_paused_close_resumes_from_its_checkpoint_and_shards_agree(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline, rules, users = _three_cohorts_of_two(aws, redis_client)
    assert len(pipeline.leagues.cohorts(WEEK, 10)) == 3

    pipeline.clock.now = MONDAY
    closer = _closer(pipeline, aws, rules)
    # Two shards, the second first, one cohort per invocation: a crash-like stop after each.
    progress = [closer.run(WEEK, MONDAY, shard=1, shards=2, max_cohorts=1)]
    progress.append(closer.run(WEEK, MONDAY, shard=0, shards=2, max_cohorts=1))
    assert progress[1].status is Status.PAUSED
    progress.append(closer.run(WEEK, MONDAY, shard=0, shards=2, max_cohorts=1))
    assert [p.status for p in progress] == [Status.DONE, Status.PAUSED, Status.DONE]
    assert sum(p.closed_this_run for p in progress) == 3

    # Each cohort of two: the one with more XP is promoted, nobody is demoted from Bronze.
    assert _tiers(pipeline, users) == {"u0": 0, "u1": 1, "u2": 0, "u3": 1, "u4": 0, "u5": 1}


def test_the_close_sizes_its_shards_from_the_weeks_cohorts_and_every_shard_closes_its_slice(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline, rules, users = _three_cohorts_of_two(aws, redis_client)
    pipeline.clock.now = MONDAY
    closer = LeagueClose(
        pipeline.leagues,
        pipeline.users,
        CloseCheckpoints(pipeline.dynamodb, aws.table_name),
        rules=lambda: rules,
        cohorts_per_shard=1,
    )

    shards = closer.close_shards(WEEK)  # 3 cohorts, one a shard: rounded up to 4
    assert shards == 4
    assert closer.close_shards(WEEK, floor=8) == 8  # the setting is a floor
    progress = [closer.run(WEEK, MONDAY, shard=s, shards=shards) for s in range(shards)]

    assert [p.cohorts for p in progress] == [1, 1, 1, 0]  # interleaved slices, one left empty
    assert closer.open_shards(WEEK, shards) == 0
    assert _tiers(pipeline, users) == {"u0": 0, "u1": 1, "u2": 0, "u3": 1, "u4": 0, "u5": 1}


@pytest.mark.parametrize(
    ("cohorts", "floor", "shards"),
    [
        (0, 1, 1),
        (2_000, 1, 1),  # one shard's worth
        (2_001, 1, 2),
        (33_334, 1, 32),  # a million players seated: 17 needed, the next power of two
        (333_334, 1, 256),  # ten million: 167 needed, 256
        (10_000_000, 1, 256),  # capped
        (10, 3, 3),  # a small week keeps the configured floor exactly
    ],
)
def test_close_shards_grow_by_powers_of_two_from_the_setting(
    cohorts: int, floor: int, shards: int
) -> None:
    assert close_shards_for(cohorts, floor) == shards


def test_a_user_who_plays_the_new_week_before_the_close_is_seated_in_the_new_tier(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    rules = _rules()
    pipeline = build_pipeline(aws, redis_client, rules=rules)
    _earn(pipeline, "ann", 3)
    _earn(pipeline, "bob", 1)

    pipeline.clock.now = MONDAY - timedelta(minutes=4)  # 00:01 Monday, before the close
    _earn(pipeline, "ann", 1, start=10)
    ann = pipeline.users.load("ann").state.league
    assert ann.week == WEEK  # not seated while last week's result is pending
    assert pipeline.leagues.cohorts(NEXT_WEEK, 10) == []

    pipeline.clock.now = MONDAY
    _closer(pipeline, aws, rules).run(WEEK, MONDAY)

    ann = pipeline.users.load("ann").state.league
    assert (ann.tier, ann.week, ann.cohort_tier) == (1, NEXT_WEEK, 1)
    assert pipeline.leagues.members(NEXT_WEEK, 1, 0) == ["ann"]
    bob = pipeline.users.load("bob").state.league
    assert (bob.tier, bob.week) == (0, WEEK)  # bob has not played the new week yet

    _earn(pipeline, "bob", 1, start=10)  # his first XP after the close seats him
    assert pipeline.users.load("bob").state.league.week == NEXT_WEEK
    assert pipeline.leagues.members(NEXT_WEEK, 0, 0) == ["bob"]


def test_the_scheduled_handler_closes_the_week_that_ended(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    from functions.leagues.handler import lambda_handler

    _TABLE[:] = [stack_env.table_name]
    pipeline = build_pipeline(stack_env, redis_client)
    _earn(pipeline, "ann", 2)
    _earn(pipeline, "bob", 1)

    summary = lambda_handler(scheduled_event(MONDAY), Context("leagues"))

    assert summary["week"] == WEEK
    assert summary["status"] == "done"
    assert summary["shards"][0]["promoted"] == 1
    assert pipeline.users.load("ann").state.league.tier == 1
    again = lambda_handler(scheduled_event(MONDAY + timedelta(hours=1)), Context("leagues"))
    assert again["shards"][0]["closed"] == 2  # the checkpoint's totals, unchanged
    assert pipeline.users.load("ann").state.league.tier == 1


def test_the_reconciler_rebuilds_the_weeks_cohort_boards_and_marks_them_complete(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    from gamification.adapters.board_schema import generation_key
    from gamification.adapters.leaderboard import board_key, decode_xp, leagues_marker
    from gamification.adapters.player_directory import PlayerDirectory
    from gamification.adapters.player_score import league
    from gamification.adapters.snapshot_repository import SnapshotRepository
    from gamification.services.reconciliation import LeaderboardReconciler

    rules = _rules(cohort_size=2)
    pipeline = build_pipeline(aws, redis_client, rules=rules)
    for user, reads in {"ann": 3, "bob": 1, "cat": 2}.items():
        _earn(pipeline, user, reads)
    pipeline.project()
    redis_client.flushdb()  # a replaced cache node: boards and markers gone
    reconciler = LeaderboardReconciler(
        PlayerDirectory(pipeline.dynamodb, aws.table_name),
        pipeline.leaderboard,
        SnapshotRepository(pipeline.dynamodb, aws.table_name),
    )

    checked = reconciler.check(NOW).summary()

    assert f"leagues:{WEEK}" in checked["incomplete"]
    assert checked["cohorts"] == {"boards": 2, "members": 3}
    rows = cast(
        list[tuple[str, float]],
        redis_client.zrange(board_key(league(f"{WEEK}:0:0")), 0, -1, withscores=True),
    )
    first = {m: decode_xp(s) for m, s in rows}
    assert first == {"ann": 30, "bob": 10}
    assert redis_client.exists(generation_key(leagues_marker(WEEK)))
    assert redis_client.exists(generation_key(leagues_marker(NEXT_WEEK)))
    page = pipeline.leaderboard.page(league(f"{WEEK}:0:1"), 0, 30)
    assert [(e.rank, e.user_id, e.xp) for e in page.entries] == [(1, "cat", 20)]


def test_the_scheduled_run_fans_out_one_invocation_per_shard_on_aws(
    stack_env: Provisioned, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.leagues.handler import lambda_handler

    monkeypatch.setenv("GAMIFY_LEAGUE_CLOSE_SHARDS", "3")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "gamify-leagues")  # set by the runtime
    composition.reset()
    with Stubber(composition.lambda_client()) as stub:
        for shard in range(3):
            payload = {"week": WEEK, "shard": shard, "shards": 3}
            stub.add_response(
                "invoke",
                {"StatusCode": 202},
                {
                    "FunctionName": "gamify-leagues",
                    "InvocationType": "Event",
                    "Payload": json.dumps(payload).encode(),
                },
            )
        summary = lambda_handler(scheduled_event(MONDAY), Context("leagues"))
        stub.assert_no_pending_responses()

    assert summary == {"status": "fanned_out", "week": WEEK, "shards": 3, "late_shards": 0}


def test_a_shard_near_its_timeout_stops_at_its_checkpoint_and_continues_itself(
    stack_env: Provisioned, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.leagues.handler import lambda_handler

    pipeline = build_pipeline(stack_env, redis_client)
    for i in range(31):  # two cohorts of the default size 30
        _earn(pipeline, f"u{i:02d}", 1)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "gamify-leagues")
    composition.reset()
    request = {"week": WEEK, "shard": 0, "shards": 1}
    with Stubber(composition.lambda_client()) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "gamify-leagues",
                "InvocationType": "Event",
                "Payload": json.dumps(request).encode(),
            },
        )
        summary = lambda_handler(request, Context("leagues", remaining_ms=30_000))
        stub.assert_no_pending_responses()

    assert summary["status"] == "paused"
    assert summary["shards"][0]["position"] == 1  # one cohort closed, then handed over
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
    composition.reset()
    resumed = lambda_handler(request, Context("leagues"))
    assert resumed["status"] == "done"
    assert resumed["shards"][0]["closed"] == 31


def test_a_scheduled_run_long_after_the_week_ended_reports_shards_still_open(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    from functions.leagues.handler import lambda_handler

    pipeline = build_pipeline(stack_env, redis_client)
    _earn(pipeline, "ann", 1)

    on_time = lambda_handler(scheduled_event(MONDAY), Context("leagues"))
    later = lambda_handler(scheduled_event(MONDAY + timedelta(hours=3)), Context("leagues"))

    assert on_time["late_shards"] == 0  # not looked at in the first two hours
    assert later["late_shards"] == 0  # the 00:05 run closed it
    pipeline.dynamodb.delete_item(  # as if that run had never finished
        TableName=stack_env.table_name,
        Key={"PK": {"S": f"LEAGUECLOSE#{WEEK}"}, "SK": {"S": "SHARD#0of1"}},
    )
    behind = lambda_handler(scheduled_event(MONDAY + timedelta(hours=4)), Context("leagues"))
    assert behind["late_shards"] == 1  # LeagueWeekOpen = 1: alarmed
    assert behind["status"] == "done"  # and this run finished it (nobody closed twice)
    assert behind["shards"][0]["already"] == 1


def test_the_close_commits_each_members_league_closed_event_with_the_result(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    from gamification.adapters.dynamo_codec import from_item
    from gamification.adapters.event_codec import outbox_of_image

    rules = _rules()
    pipeline = build_pipeline(aws, redis_client, rules=rules)
    for user, reads in {"ann": 3, "bob": 1}.items():
        _earn(pipeline, user, reads)
    pipeline.clock.now = MONDAY
    _closer(pipeline, aws, rules).run(week_to_close(MONDAY), MONDAY)

    events = {}
    for user in ("ann", "bob"):
        item = pipeline.dynamodb.get_item(
            TableName=aws.table_name, Key={"PK": {"S": f"USER#{user}"}, "SK": {"S": "PROFILE"}}
        )["Item"]
        outbox = outbox_of_image(from_item(item))
        assert outbox is not None
        events[user] = [(d.type, d.fact, d.data) for d in outbox[2]]

    assert events["ann"][0] == (
        "league.closed",
        WEEK,
        {
            "week": WEEK,
            "rank": 1,
            "movement": "promoted",
            "from_tier": 0,
            "to_tier": 1,
            "weekly_xp": 30,
        },
    )
    # The promotion's gems: their ledger entry's event, in the same commit.
    [(kind, fact, paid)] = events["ann"][1:]
    assert (kind, fact) == ("wallet.entry_posted", str(paid["seq"]))
    assert (paid["cause"], paid["kind"], paid["ref"], paid["amount"]) == (
        "earn",
        "league_promotion",
        f"league_promotion#{WEEK}",
        20,
    )
    assert [e[:2] for e in events["bob"]] == [("league.closed", WEEK)]
    assert events["bob"][0][2]["movement"] == "stayed"


def test_a_flagged_member_is_left_out_of_the_close_listed_for_admins_and_flagged_once(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    from gamification.adapters.dynamo_codec import from_item
    from gamification.adapters.event_codec import outbox_of_image
    from gamification.adapters.flag_list import FlagList

    _TABLE[:] = [aws.table_name]
    flags = OutlierRule(factor=3, min_xp=100)
    rules = default_game_rules().model_copy(update={"leagues": LeagueRules(outliers=flags)})
    pipeline = build_pipeline(aws, redis_client, rules=rules)
    xp = {"cheat": 30, "ann": 5, "bob": 4, "cat": 3, "dan": 2}  # reads: 10 XP each
    for user, reads in xp.items():
        _earn(pipeline, user, reads)

    pipeline.clock.now = MONDAY
    closer = _closer(pipeline, aws, rules)
    done = closer.run(WEEK, MONDAY)

    # 300 XP > 3 x the median 40: flagged and left out; the four others are ranked alone.
    assert (done.checkpoint.closed, done.checkpoint.flagged, done.checkpoint.promoted) == (4, 1, 1)
    assert _tiers(pipeline, list(xp)) == {"cheat": 0, "ann": 1, "bob": 0, "cat": 0, "dan": 0}
    cheat = pipeline.users.load("cheat").state
    assert cheat.league.result is None
    assert cheat.league.closed == WEEK
    assert cheat.flag is not None
    assert (cheat.flag.rule, cheat.flag.observed, cheat.flag.threshold) == ("outlier", 300, 121)
    assert not [t for t in _titles("cheat") if "League" in t]
    ann = pipeline.users.load("ann").state.league.result
    assert ann is not None
    assert ann.rank == 1
    listed = FlagList(pipeline.dynamodb, aws.table_name).page(10)
    assert [(f.user_id, f.flag.window) for f in listed.flags] == [("cheat", WEEK)]

    # A re-run (Lambda's retry, a second schedule) flags nobody again and changes nothing.
    again = LeagueClose(
        pipeline.leagues, pipeline.users, FakeCloseCheckpoints(), rules=lambda: rules
    ).run(WEEK, MONDAY)
    counts = again.checkpoint
    assert (counts.closed, counts.flagged, counts.already) == (0, 0, 5)
    item = pipeline.dynamodb.get_item(
        TableName=aws.table_name, Key={"PK": {"S": "USER#cheat"}, "SK": {"S": "PROFILE"}}
    )["Item"]
    outbox = outbox_of_image(from_item(item))
    assert outbox is not None
    assert [d.type for d in outbox[2]] == ["user.flagged"]
    assert len(FlagList(pipeline.dynamodb, aws.table_name).page(10).flags) == 1
