"""Peak memory and duration of one full reconciliation pass (issue 19): the real reconciler on
the scale simulation's DynamoDB fake (simulated query time) and a real Redis (its own process,
so ``tracemalloc`` sees only the function's memory). Run: ``python -m benchmarks
reconciliation_memory [players]``."""

from __future__ import annotations

import random
import sys
import time
import tracemalloc

import redis

from benchmarks.fakes import FakeDynamoDB
from benchmarks.scale import NOW, SEED, TABLE, Population, PopulationBacking
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.config import Settings
from gamification.domain.game_rules import default_game_rules
from gamification.domain.periods import iso_week
from gamification.local.redis_server import RedisServer
from gamification.services.reconciliation import LeaderboardReconciler


def run(players: int = 100_000) -> str:
    population = Population(
        players, default_game_rules(), Settings.from_env({}), seated=iso_week(NOW)
    )
    fake = FakeDynamoDB(backing=PopulationBacking(population))
    # The fake table sorts and caches each shard on its first query: that is DynamoDB's
    # memory, not the function's, so it is built before measuring.
    warm = PlayerDirectory(fake, TABLE)  # type: ignore[arg-type]
    assert sum(1 for _ in warm.players()) == players
    with RedisServer() as server:
        reconciler = LeaderboardReconciler(
            PlayerDirectory(fake, TABLE),  # type: ignore[arg-type]
            Leaderboard(redis.Redis.from_url(server.url)),
            SnapshotRepository(fake, TABLE),  # type: ignore[arg-type]
            rng=random.Random(SEED),
        )
        clock = fake.meter.clock
        started = time.perf_counter()
        report = reconciler.reconcile(NOW)  # the cold pass (the cache is empty: all added)
        wall = time.perf_counter() - started
        simulated = fake.meter.clock - clock
        tracemalloc.start()
        again = reconciler.reconcile(NOW)  # the daily pass on boards in step
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        boards = redis.Redis.from_url(server.url).info("memory")["used_memory"]
    assert report.players == again.players == players
    return (
        f"players {players:,}: peak {peak / 2**20:.1f} MiB of Python memory (tracemalloc, "
        f"the fake table's own excluded); one pass {wall:.1f} s wall on this machine "
        f"(Python and Redis; the fake table's work included), of which {simulated:.1f} s is "
        f"the simulated DynamoDB latency of its queries (not slept); Redis used "
        f"{boards / 2**20:.0f} MiB after the pass"
    )


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
