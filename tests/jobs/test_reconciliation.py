"""Leaderboard reconciliation: Redis is rebuilt to DynamoDB's truth, drift is measured."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import redis

from gamification.adapters.leaderboard import (
    ALLTIME,
    board_key,
    encode_score,
    weekly,
)
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from tests.jobs.support import Context, World, build_world, scheduled_event

DAY = date(2026, 11, 23)  # a Monday: all activity falls in ISO week 2026-W48
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
WEEK = weekly(iso_week(NOW))
READS = {"ana": 12, "ben": 7, "cy": 7, "dee": 3, "eve": 5, "fay": 1}


@pytest.fixture
def world(stack_env: Provisioned, redis_client: redis.Redis) -> World:
    world = build_world(stack_env, redis_client, datetime(2026, 11, 20, tzinfo=UTC))
    for user_id, reads in READS.items():
        day = DAY + timedelta(days=1) if user_id == "cy" else DAY  # cy ties ben, a day later
        world.player(user_id, active_days=[day], reads_per_day=reads, display_name=user_id.title())
    # One player whose XP is all from an earlier week: on the all-time board only.
    world.player("old", active_days=[DAY - timedelta(days=10)], reads_per_day=4)
    return world


def truth(world: World, board: str) -> dict[str, int]:
    users = world.users.load_many([*READS, "old"])
    if board == ALLTIME:
        return {u: s.state.xp for u, s in users.items()}
    week = board.removeprefix("weekly:")
    return {u: s.state.weekly_xp[week] for u, s in users.items() if week in s.state.weekly_xp}


def cached(world: World, board: str) -> dict[str, int]:
    return dict(world.leaderboard.scores(board))


def reconcile(event: dict[str, Any]) -> dict[str, Any]:
    from functions.reconciler.handler import lambda_handler

    return dict(lambda_handler(event, Context("reconciler")))


def drift_metrics(output: str) -> dict[tuple[str, str], float]:
    """``(metric, board) -> value`` from the EMF lines the handler printed."""
    found: dict[tuple[str, str], float] = {}
    for line in output.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        blob = json.loads(line)
        for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            if metric["Name"].startswith("LeaderboardDrift"):
                value = blob[metric["Name"]]
                found[metric["Name"], blob["board"]] = (
                    value[0] if isinstance(value, list) else value
                )
    return found


def test_a_drifted_cache_is_rebuilt_to_the_truth_and_the_drift_reported(
    world: World, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cached(world, ALLTIME) == truth(world, ALLTIME)  # the pipeline kept it right so far
    alltime, week = board_key(ALLTIME), board_key(WEEK)
    redis_client.zadd(alltime, {"ben": encode_score(9_999, None)})  # corrupted up
    redis_client.zadd(alltime, {"cy": encode_score(1, None)})  # corrupted down
    redis_client.zrem(alltime, "dee")  # lost
    redis_client.zadd(alltime, {"ghost": encode_score(500, None)})  # stray member
    redis_client.delete(week)  # the weekly board is gone entirely
    capsys.readouterr()

    summary = reconcile(scheduled_event(NOW))

    assert cached(world, ALLTIME) == truth(world, ALLTIME)
    assert cached(world, WEEK) == truth(world, WEEK)
    assert "old" not in cached(world, WEEK)
    assert summary["boards"] == {
        ALLTIME: {"members": 7, "added": 1, "removed": 1, "changed": 2},
        WEEK: {"members": 6, "added": 6, "removed": 0, "changed": 0},
    }
    assert drift_metrics(capsys.readouterr().out) == {
        ("LeaderboardDriftAdded", "alltime"): 1,
        ("LeaderboardDriftRemoved", "alltime"): 1,
        ("LeaderboardDriftChanged", "alltime"): 2,
        ("LeaderboardDriftAdded", "weekly"): 6,
        ("LeaderboardDriftRemoved", "weekly"): 0,
        ("LeaderboardDriftChanged", "weekly"): 0,
    }
    # The weekly board still expires after its week is archived.
    assert 0 < redis_client.ttl(week) <= int(timedelta(days=14 + 7).total_seconds())
    # A second run finds nothing to fix.
    again = reconcile(scheduled_event(NOW + timedelta(minutes=15)))
    assert all(b["added"] + b["removed"] + b["changed"] == 0 for b in again["boards"].values())


def test_an_empty_cache_is_detected_and_rebuilt_at_once(
    world: World, redis_client: redis.Redis
) -> None:
    healthy = reconcile({"mode": "if-empty"})
    assert healthy["rebuilt"] is False

    redis_client.flushdb()  # e.g. the cache node was replaced
    rebuilt = reconcile({"mode": "if-empty"})

    assert rebuilt["rebuilt"] is True
    assert rebuilt["empty_cache_rebuilt"] is True
    assert cached(world, ALLTIME) == truth(world, ALLTIME)


def test_the_snapshot_matches_the_board(world: World, stack_env: Provisioned) -> None:
    reconcile(scheduled_event(NOW))
    served = world.leaderboard.page(ALLTIME, 0, 10)
    # "ben" and "cy" tie on XP: RANK() gives both 2, the earlier achiever first, then 4.
    assert [(e.rank, e.user_id) for e in served.entries[:4]] == [
        (1, "ana"),
        (2, "ben"),
        (2, "cy"),
        (4, "eve"),
    ]

    snapshot = world.snapshots.load(ALLTIME)
    assert snapshot is not None
    assert snapshot.entries == served.entries
    assert snapshot.total == served.total == 7
    assert snapshot.taken_at == NOW
    weekly_snapshot = world.snapshots.load(WEEK)
    assert weekly_snapshot is not None
    assert weekly_snapshot.entries == world.leaderboard.page(WEEK, 0, 100).entries


def test_the_snapshot_keeps_only_the_top_n(world: World) -> None:
    world.reconciler(snapshot_size=3).reconcile(NOW)

    snapshot = world.snapshots.load(ALLTIME)
    assert snapshot is not None
    assert [e.user_id for e in snapshot.entries] == ["ana", "ben", "cy"]
    assert snapshot.total == 7


def test_a_score_committed_during_the_rebuild_survives_the_swap(world: World) -> None:
    """The swap would put back the score read before the commit; the catch-up read fixes it."""
    applier = world.applier()
    fired: list[bool] = []

    def commit_meanwhile(**_: Any) -> None:
        if fired:
            return
        fired.append(True)  # the truth was read; the swap has not happened yet
        world.clock.now = NOW
        from tests.jobs.support import read

        applied = applier.apply("fay", [read("fay", "late-post", NOW)])
        applier.publish([applied])

    world.dynamodb.meta.events.register("before-call.dynamodb.PutItem", commit_meanwhile)

    report = world.reconciler().reconcile(NOW)

    assert fired
    assert report.late_updates == 1
    assert cached(world, ALLTIME)["fay"] == 20 == truth(world, ALLTIME)["fay"]
