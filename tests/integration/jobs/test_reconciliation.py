"""Leaderboard reconciliation: Redis is rebuilt to DynamoDB's truth, drift is measured."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import redis
import time_machine

from gamification.adapters.board_schema import ABANDONED_REBUILD_TTL
from gamification.adapters.leaderboard import (
    ALLTIME,
    BoardIncompleteError,
    Leaderboard,
    LeaderboardUnavailableError,
    board_key,
    encode_score,
    weekly,
)
from gamification.adapters.player_score import PlayerScore
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.applier import player_score
from tests.integration.jobs.support import Context, World, build_world, scheduled_event

DAY = date(2026, 11, 23)  # a Monday: all activity falls in ISO week 2026-W48
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)
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


def check_at(now: datetime) -> dict[str, Any]:
    """The one-minute schedule's ``check``: its input carries no time, so the function reads the
    clock (right in production); the test moves the clock instead of depending on the date."""
    with time_machine.travel(now):
        return reconcile({"mode": "check"})


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
    reconcile(scheduled_event(NOW))
    healthy = check_at(NOW)
    assert healthy["rebuilt"] is False
    assert healthy["incomplete"] == []

    redis_client.flushdb()  # e.g. the cache node was replaced
    rebuilt = check_at(NOW)

    assert rebuilt["rebuilt"] is True
    assert rebuilt["empty_cache_rebuilt"] is True
    assert rebuilt["incomplete"] == [ALLTIME, WEEK, f"leagues:{iso_week(NOW)}"]
    assert cached(world, ALLTIME) == truth(world, ALLTIME)
    assert world.leaderboard.complete([ALLTIME, WEEK]) == {ALLTIME: True, WEEK: True}


def test_a_partly_refilled_cache_is_still_incomplete_until_the_rebuild(
    world: World, redis_client: redis.Redis
) -> None:
    """After a flush the projector writes the players active since: a board, but not the
    board. Reads refuse it as fresh, and the check rebuilds it."""
    reconcile(scheduled_event(NOW))
    redis_client.flushdb()
    world.player("zed", active_days=[NOW.date()])  # the projector writes zed only

    assert set(cached(world, ALLTIME)) == {"zed"}
    with pytest.raises(BoardIncompleteError):
        world.leaderboard.page(ALLTIME, 0, 10)
    with pytest.raises(BoardIncompleteError):
        world.leaderboard.rank(ALLTIME, "zed")

    rebuilt = check_at(NOW)

    assert rebuilt["incomplete"] == [ALLTIME, WEEK, f"leagues:{iso_week(NOW)}"]
    everyone = {p.user_id: p.xp for p in world.directory.players()}
    assert cached(world, ALLTIME) == everyone == {**truth(world, ALLTIME), "zed": 10}
    assert world.leaderboard.page(ALLTIME, 0, 100).total == len(everyone)


def test_next_weeks_board_is_complete_before_the_week_starts(world: World) -> None:
    world.reconciler().reconcile(NOW)
    next_week = weekly(iso_week(NOW + timedelta(days=7)))

    assert world.leaderboard.complete([next_week]) == {next_week: True}
    assert world.leaderboard.page(next_week, 0, 10).total == 0


def test_the_check_does_not_fail_while_redis_is_unreachable(world: World) -> None:
    from gamification.local.redis_server import free_port
    from gamification.services.reconciliation import LeaderboardReconciler

    down = Leaderboard(redis.Redis(port=free_port(), socket_connect_timeout=0.2))
    report = LeaderboardReconciler(world.directory, down, world.snapshots).check(NOW)

    assert report.cache_reachable is False
    assert report.rebuilt is False


def test_an_abandoned_rebuild_key_expires(world: World, redis_client: redis.Redis) -> None:
    """The temporary key gets its expiry after its first ZADD (an EXPIRE on a key that does not
    exist yet does nothing): a run that dies before the swap leaves nothing forever."""

    def die_before_the_swap(*_: Any, **__: Any) -> None:
        raise redis.ConnectionError("the function timed out")

    original = redis_client.pipeline

    def pipeline(transaction: bool = True, shard_hint: Any = None) -> Any:
        pipe: Any = original(transaction, shard_hint)
        if transaction:  # the swap is the one transactional pipeline
            pipe.execute = die_before_the_swap
        return pipe

    board = Leaderboard(redis_client)
    redis_client.pipeline = pipeline  # type: ignore[method-assign]
    with pytest.raises(LeaderboardUnavailableError):
        board.replace(ALLTIME, world.directory.players(), None, "g1")
    redis_client.pipeline = original  # type: ignore[method-assign]

    leftovers = list(redis_client.scan_iter("{lb}:rebuild:*"))
    assert len(leftovers) == 1
    assert 0 < redis_client.ttl(leftovers[0]) <= ABANDONED_REBUILD_TTL


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
        from tests.integration.jobs.support import read

        applied = applier.apply("fay", [read("fay", "late-post", NOW)])
        assert applied.stored is not None  # and the projector raises its score
        world.leaderboard.publish([player_score(applied.stored)], NOW)

    world.dynamodb.meta.events.register("before-call.dynamodb.PutItem", commit_meanwhile)

    report = world.reconciler().reconcile(NOW)

    assert fired
    assert report.late_updates == 1
    assert cached(world, ALLTIME)["fay"] == 20 == truth(world, ALLTIME)["fay"]


def test_a_player_erased_during_the_rebuild_is_not_put_back(
    world: World, redis_client: redis.Redis
) -> None:
    """The swap puts back the board the first read built; the catch-up read no longer meets
    the erased player (the tombstone has no index keys) and takes them off every board."""
    fired: list[bool] = []
    leagues_before = set(redis_client.scan_iter("{lb}:board:league:*"))

    def erase_meanwhile(**_: Any) -> None:
        if fired:
            return
        fired.append(True)  # the truth was read; the swap has not happened yet
        world.users.begin_erasure("dee", NOW, timedelta(days=30))
        world.leaderboard.publish([PlayerScore("dee", 0, None, listed=False)], NOW)

    world.dynamodb.meta.events.register("before-call.dynamodb.PutItem", erase_meanwhile)

    report = world.reconciler().reconcile(NOW)

    assert fired
    assert report.late_updates == 1
    assert "dee" not in cached(world, ALLTIME)
    assert "dee" not in cached(world, WEEK)
    for key in {*leagues_before, *redis_client.scan_iter("{lb}:board:league:*")}:
        assert redis_client.zscore(key, "dee") is None, key
    assert redis_client.hget("{lb}:names", "dee") is None
    assert not list(redis_client.scan_iter("{lb}:rebuild:*"))  # the run's own keys are gone
    assert cached(world, ALLTIME) == {
        u: xp for u, xp in truth(world, ALLTIME).items() if u != "dee"
    }
