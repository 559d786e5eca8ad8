"""The sampled drift check on the real index and cache: the sample is bounded and starts
anywhere, players indexed under the old shard count (8) are still read after the count grew,
and the handler reports the sample's metrics. The check's decisions (drift found or not, the
rebuild it starts, the snapshots, players in flight, a lost marker, an unreachable cache, next
week's marker) are tested on fakes in tests/services/test_drift_sample.py."""

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
    board_key,
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


def test_the_sample_is_bounded_and_starts_anywhere(world: World) -> None:
    samples = [
        [p.user_id for p in world.directory.sample(10, random.Random(seed))] for seed in range(6)
    ]

    for sample in samples:
        assert len(sample) == len(set(sample)) == 10
        assert set(sample) <= PLAYERS.keys()
    assert len({tuple(s) for s in samples}) > 1  # not always the same slice


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
