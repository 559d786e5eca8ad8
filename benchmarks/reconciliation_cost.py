"""Leaderboard reconciliation: DynamoDB read units and Redis commands of a full pass and of a
sampled drift check, measured on moto and a real Redis, then scaled to 100 k, 1 M and 10 M.

``PLAYERS`` profiles are written with the real item builder (``UserRepository.profile_item``):
a 36-character user id (a UUID, as Cognito's ``sub``), a 16-character display name, three
weeks of weekly XP (what the domain keeps) and a league cohort: the attributes GSI2 projects.
The cache is in step (published from the index), then:

- **full pass** (``reconcile``): billed read units (the capacity meter: a query rounds the
  total size of the entries it returns up to 4 KB, halved as eventually consistent) and
  ``INFO commandstats`` deltas, per player. It reads the index twice (the pass and its
  catch-up read);
- **sampled check** (``sample``, ≤ 1,000 players): units, queries and Redis commands per check.
  Here the 1,000 players span about half of the 32 shards (≈ 60 a shard); from 32,000 players on,
  one shard holds the whole sample and the check is three queries (two one-item edge reads and
  the page), which the table below uses: ``ceil(1,000 x entry / 4 KB) / 2 + 2 x 0.5``.

Cost per day: today's scheme is the full pass every 15 minutes (96 a day); the new one is the
full pass once a day plus the sampled check every 15 minutes (the one-minute marker check reads
no DynamoDB and is the same in both).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import boto3
import redis
from moto import mock_aws

from benchmarks.capacity import KB, metering
from benchmarks.leaderboard_reads import server_commands
from benchmarks.pipeline_requests import counting
from gamification.adapters.dynamo_codec import item_size
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.player_directory import INDEX_NAME, PlayerDirectory
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.adapters.user_repository import UserRepository
from gamification.domain.leagues import LeagueState, join
from gamification.domain.periods import iso_week
from gamification.domain.state import UserSettings, UserState
from gamification.local import moto_patches
from gamification.local.provision import provision
from gamification.local.redis_server import RedisServer
from gamification.services.reconciliation import LeaderboardReconciler

PLAYERS = 2_000
SAMPLE = 1_000
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SCALES = (100_000, 1_000_000, 10_000_000)
PASSES_TODAY = 96
SAMPLES = 96
PRICE_PER_MILLION_READS = 0.125  # on-demand read request units, us-east-1


def _states(rng: random.Random) -> list[UserState]:
    weeks = [iso_week(NOW - timedelta(days=7 * i)) for i in range(3)]
    states = []
    for i in range(PLAYERS):
        user_id = f"{rng.getrandbits(128):032x}"
        user_id = "-".join(
            (user_id[:8], user_id[8:12], user_id[12:16], user_id[16:20], user_id[20:])
        )
        weekly = {w: rng.randint(10, 5_000) for w in weeks}
        league = join(LeagueState(tier=rng.randrange(10)), weeks[0], i // 30)
        states.append(
            UserState.new(user_id, UserSettings(display_name=f"Player {i:09d}")).model_copy(
                update={"xp": sum(weekly.values()), "weekly_xp": weekly, "league": league}
            )
        )
    return states


def _populate(dynamodb: object, table: str) -> UserRepository:
    users = UserRepository(dynamodb, table)  # type: ignore[arg-type]
    items = [
        users.profile_item(state, 1, NOW - timedelta(days=1), NOW)
        for state in _states(random.Random(3))
    ]
    for start in range(0, len(items), 25):
        dynamodb.batch_write_item(  # type: ignore[attr-defined]
            RequestItems={table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
        )
    return users


def _entry_size(dynamodb: object, table: str) -> float:
    """Mean bytes of a GSI2 entry as a query returns (and bills) it."""
    sizes = []
    for shard in range(4):
        response = dynamodb.query(  # type: ignore[attr-defined]
            TableName=table,
            IndexName=INDEX_NAME,
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"PLAYERS#{shard}"}},
        )
        sizes += [item_size(i) for i in response["Items"]]
    return sum(sizes) / len(sizes)


def _measure(redis_url: str) -> dict[str, float]:
    with mock_aws():
        stack = provision("bench")
        dynamodb = boto3.client("dynamodb")
        _populate(dynamodb, stack.table_name)
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        client.flushdb()
        directory = PlayerDirectory(dynamodb, stack.table_name)
        leaderboard = Leaderboard(client)
        reconciler = LeaderboardReconciler(
            directory,
            leaderboard,
            SnapshotRepository(dynamodb, stack.table_name),
            sample_size=SAMPLE,
            rng=random.Random(11),
        )
        reconciler.reconcile(NOW - timedelta(hours=1))  # markers; the cache in step
        before = server_commands(client)
        with metering(dynamodb) as full, counting(dynamodb) as full_requests:
            reconciler.reconcile(NOW)
        full_commands = server_commands(client) - before
        before = server_commands(client)
        with metering(dynamodb) as sampled, counting(dynamodb) as sample_requests:
            report = reconciler.sample(NOW + timedelta(minutes=15))
        sample_commands = server_commands(client) - before
        assert report.sample is not None
        assert report.sample.drifted == 0
        assert report.sample.size == SAMPLE
        return {
            "entry": _entry_size(dynamodb, stack.table_name),
            "full_units": full.read_units / PLAYERS,
            "full_queries": full_requests["Query"],
            "full_commands": full_commands / PLAYERS,
            "full_snapshot_writes": full.write_units,
            "sample_units": sampled.read_units,
            "sample_queries": sample_requests["Query"],
            "sample_commands": sample_commands,
            "sample_snapshot_writes": sampled.write_units,
        }


def _sample_units_at_scale(entry: float) -> float:
    return math.ceil(SAMPLE * entry / (4 * KB)) / 2 + 2 * 0.5


def run() -> str:
    moto_patches.install()
    with RedisServer() as server:
        m = _measure(server.url)
    sample_at_scale = _sample_units_at_scale(m["entry"])
    lines = [
        "## Reconciliation: read units and Redis commands, full pass vs sampled drift check",
        "",
        f"{PLAYERS:,} players on moto (GSI2 entry {m['entry']:.0f} B: 36-character id, "
        "16-character name, 3 weeks of weekly XP, a cohort), a real Redis in step.",
        "",
        "| measured | value |",
        "|---|---|",
        f"| full pass: read units per player (index read twice) | {m['full_units']:.4f} |",
        f"| full pass: GSI2 queries ({PLAYERS:,} players, 32 shards, x2) "
        f"| {m['full_queries']:.0f} |",
        f"| full pass: Redis commands per player | {m['full_commands']:.2f} |",
        f"| full pass: snapshot write units | {m['full_snapshot_writes']:.0f} |",
        f"| full pass: the same from the entry size alone (1,000-entry pages at scale) "
        f"| {m['entry'] * 2 / (4 * KB) / 2:.4f} |",
        f"| sampled check: read units ({SAMPLE:,} players, {m['sample_queries']:.0f} queries "
        f"here) | {m['sample_units']:.1f} |",
        f"| sampled check from 32,000 players on (3 queries) | {sample_at_scale:.1f} |",
        f"| sampled check: Redis commands | {m['sample_commands']:.0f} |",
        f"| sampled check: snapshot write units (from the cache) "
        f"| {m['sample_snapshot_writes']:.0f} |",
        "",
        "Per day, from the measured per-player figure (an upper bound: small shards round "
        "each query up to 4 KB):",
        "",
        "| players | today: read units/day (96 full passes) | new: 1 full pass + 96 samples "
        "| today $/day | new $/day | today Redis commands/day | new Redis commands/day |",
        "|---|---|---|---|---|---|---|",
    ]
    for players in SCALES:
        full = players * m["full_units"]
        today = PASSES_TODAY * full
        new = full + SAMPLES * sample_at_scale
        today_cmds = PASSES_TODAY * players * m["full_commands"]
        new_cmds = players * m["full_commands"] + SAMPLES * m["sample_commands"]
        lines.append(
            f"| {players:,} | {today:,.0f} | {new:,.0f} "
            f"| {today * PRICE_PER_MILLION_READS / 1e6:.2f} "
            f"| {new * PRICE_PER_MILLION_READS / 1e6:.3f} "
            f"| {today_cmds:,.0f} | {new_cmds:,.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
