"""The sampled drift check: a bounded read of the player index compared with Redis (ZMSCORE).

It must find injected drift and start the full pass, find nothing on a cache in step (and then
refresh the snapshots from the complete boards), skip players the projector may not have caught
up with yet, and cost a bounded read whatever the population. Players indexed under the old
shard count (8) must still be read after the count grew.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.leaderboard import (
    ALLTIME,
    Leaderboard,
    board_key,
    encode_score,
    marker_key,
    weekly,
)
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.reconciliation import LeaderboardReconciler
from gamification.services.reconciliation_report import ReconciliationReport
from tests.integration.jobs.support import Context, World, build_world, scheduled_event

DAY = date(2026, 11, 23)  # a Monday of ISO week 2026-W48
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)
WEEK = weekly(iso_week(NOW))
PLAYERS = {f"p{i:02d}": 1 + i % 9 for i in range(40)}


@pytest.fixture
def world(stack_env: Provisioned, redis_client: redis.Redis) -> World:
    world = build_world(stack_env, redis_client, datetime(2026, 11, 20, tzinfo=UTC))
    for user_id, reads in PLAYERS.items():
        world.player(user_id, active_days=[DAY], reads_per_day=reads, display_name=user_id)
    world.reconciler().reconcile(NOW - timedelta(hours=1))  # the daily pass: markers, snapshots
    return world


def sampler(world: World, size: int = 1000, threshold: float = 0.005) -> LeaderboardReconciler:
    return LeaderboardReconciler(
        world.directory,
        world.leaderboard,
        world.snapshots,
        sample_size=size,
        drift_threshold=threshold,
        rng=random.Random(5),
    )


def truth(world: World, board: str) -> dict[str, int]:
    return {
        p.user_id: xp for p in world.directory.players() if (xp := p.listed_xp(board)) is not None
    }


def test_an_in_step_cache_shows_no_drift_and_feeds_the_snapshots(world: World) -> None:
    before = world.snapshots.load(ALLTIME)
    later = NOW + timedelta(minutes=15)

    report = sampler(world).sample(later)

    assert report.sample is not None
    assert (report.sample.size, report.sample.drifted, report.sample.rate) == (40, 0, 0.0)
    assert report.rebuilt is False
    assert report.snapshots_from_cache is True
    for board in (ALLTIME, WEEK):
        snapshot = world.snapshots.load(board)
        assert snapshot is not None
        assert snapshot.taken_at == later
        assert snapshot.entries == world.leaderboard.page(board, 0, 100).entries
        assert snapshot.total == len(truth(world, board)) == 40
    assert before is not None
    assert world.snapshots.load(ALLTIME).entries == before.entries  # type: ignore[union-attr]


def test_injected_drift_is_found_and_starts_the_full_rebuild(
    world: World, redis_client: redis.Redis
) -> None:
    alltime = board_key(ALLTIME)
    redis_client.zrem(alltime, "p01", "p02")  # lost
    redis_client.zadd(alltime, {"p03": encode_score(9_999, None)})  # corrupted
    redis_client.zrem(board_key(WEEK), "p04")  # lost from the weekly board only

    report = sampler(world).sample(NOW)

    assert report.sample is not None
    assert report.sample.drifted == 4
    assert report.sample.rate == pytest.approx(4 / 40)
    assert report.sample.boards[ALLTIME].added == 2
    assert report.sample.boards[ALLTIME].changed == 1
    assert report.sample.boards[WEEK].added == 1
    assert report.rebuilt is True
    assert dict(world.leaderboard.scores(ALLTIME)) == truth(world, ALLTIME)
    assert dict(world.leaderboard.scores(WEEK)) == truth(world, WEEK)
    snapshot = world.snapshots.load(ALLTIME)
    assert snapshot is not None
    assert snapshot.taken_at == NOW  # the full pass's, from the truth


def test_drift_below_the_threshold_is_reported_and_keeps_the_older_snapshots(
    world: World, redis_client: redis.Redis
) -> None:
    redis_client.zrem(board_key(ALLTIME), "p05")
    taken = world.snapshots.load(ALLTIME).taken_at  # type: ignore[union-attr]

    report = sampler(world, threshold=0.1).sample(NOW)

    assert report.sample is not None
    assert report.sample.drifted == 1
    assert report.rebuilt is False
    assert report.snapshots_from_cache is False
    assert world.snapshots.load(ALLTIME).taken_at == taken  # type: ignore[union-attr]
    assert "p05" not in dict(world.leaderboard.scores(ALLTIME))  # the daily pass will fix it


def test_the_sample_is_bounded_and_starts_anywhere(world: World) -> None:
    samples = [
        [p.user_id for p in world.directory.sample(10, random.Random(seed))] for seed in range(6)
    ]

    for sample in samples:
        assert len(sample) == len(set(sample)) == 10
        assert set(sample) <= PLAYERS.keys()
    assert len({tuple(s) for s in samples}) > 1  # not always the same slice


def test_players_whose_score_just_changed_are_not_counted_as_drift(
    world: World, redis_client: redis.Redis
) -> None:
    newest = max(world.directory.players(), key=lambda p: p.xp_at or NOW)
    assert newest.xp_at is not None
    redis_client.zrem(board_key(ALLTIME), newest.user_id)  # as if the projector lagged

    report = sampler(world).sample(newest.xp_at + timedelta(minutes=1))

    assert report.sample is not None
    assert report.sample.in_flight >= 1
    assert report.sample.drifted == 0
    assert report.sample.compared == 40 - report.sample.in_flight


def test_a_lost_marker_rebuilds_at_once(world: World, redis_client: redis.Redis) -> None:
    redis_client.delete(marker_key(ALLTIME))

    report = sampler(world).sample(NOW)

    assert report.incomplete == [ALLTIME]
    assert report.rebuilt is True
    assert world.leaderboard.complete([ALLTIME]) == {ALLTIME: True}


def test_the_sample_does_not_fail_while_redis_is_unreachable(world: World) -> None:
    from gamification.local.redis_server import free_port

    down = Leaderboard(redis.Redis(port=free_port(), socket_connect_timeout=0.2))
    report = LeaderboardReconciler(world.directory, down, world.snapshots).sample(NOW)

    assert report.cache_reachable is False
    assert report.sample is None


def test_players_indexed_under_the_old_shard_count_are_still_read(world: World) -> None:
    """Items written while PLAYER_SHARDS was 8 keep their key until their next write."""
    moved = sorted(PLAYERS)[::3]
    for user_id in moved:
        world.dynamodb.update_item(
            TableName=world.aws.table_name,
            Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
            UpdateExpression="SET GSI2PK = :pk",
            ExpressionAttributeValues=to_item(
                {":pk": keys.players_pk(keys.player_shard(user_id, 8))}
            ),
        )
    assert any(keys.player_shard(u, 8) != keys.player_shard(u) for u in moved)

    assert sorted(p.user_id for p in world.directory.players()) == sorted(PLAYERS)
    assert sorted(p.user_id for p in world.directory.sample(1000)) == sorted(PLAYERS)
    assert sampler(world).sample(NOW).sample.drifted == 0  # type: ignore[union-attr]


def test_the_count_only_grows_to_a_multiple_so_players_only_move_up() -> None:
    """The migration rule: a re-keyed player lands on a higher (or the same) shard."""
    assert keys.PLAYER_SHARDS % 8 == 0
    assert keys.PLAYER_SHARDS >= 10  # 10,000 activities/s over ≥ 10 keys
    for i in range(2_000):
        user_id = f"user-{i}"
        old, new = keys.player_shard(user_id, 8), keys.player_shard(user_id)
        assert new >= old
        assert new % 8 == old


def drift_sample_metrics(output: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in output.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        blob: dict[str, Any] = json.loads(line)
        for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            if metric["Name"].startswith("DriftSample"):
                value = blob[metric["Name"]]
                found[metric["Name"]] = value[0] if isinstance(value, list) else value
    return found


def test_the_handler_runs_the_sample_and_reports_its_metrics(
    world: World, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    from functions.reconciler.handler import lambda_handler, metrics

    redis_client.zrem(board_key(ALLTIME), "p07", "p08")
    metrics.clear_metrics()
    capsys.readouterr()

    summary = lambda_handler(scheduled_event(NOW, {"mode": "sample"}), Context("reconciler"))

    assert summary["sample"]["drifted"] == 2
    assert summary["rebuilt"] is True
    assert drift_sample_metrics(capsys.readouterr().out) == {
        "DriftSampleSize": 40,
        "DriftSampleDrifted": 2,
        "DriftSampleRate": 5.0,
    }


def test_a_report_without_a_sample_has_no_sample_summary() -> None:
    assert "sample" not in ReconciliationReport(now=NOW).summary()


def test_the_daily_pass_stamps_next_week_before_it_starts(
    world: World, redis_client: redis.Redis
) -> None:
    from gamification.adapters.board_schema import generation_key
    from gamification.adapters.leaderboard import leagues_marker
    from gamification.domain.periods import week_bounds
    from gamification.resources import SCHEDULES

    (full,) = (s for s in SCHEDULES if s.function == "reconciler" and s.job_input is None)
    assert full.rate_minutes <= 24 * 60  # at least six passes in a week before the next one
    redis_client.flushdb()
    end = week_bounds(iso_week(NOW))[1]

    sampler(world).reconcile(end - timedelta(days=1))  # the week's last daily pass, at worst

    next_week = iso_week(end)
    assert world.leaderboard.complete([weekly(next_week)]) == {weekly(next_week): True}
    marker = generation_key(leagues_marker(next_week))
    assert redis_client.ttl(marker) > int((week_bounds(next_week)[1] - end).total_seconds())
