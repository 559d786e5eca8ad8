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
from gamification.domain.periods import iso_week
from gamification.domain.ruleset import default_ruleset
from gamification.local.redis_server import RedisServer
from gamification.services.reconciliation import LeaderboardReconciler


def run(players: int = 100_000) -> str:
    population = Population(players, default_ruleset(), Settings.from_env({}), seated=iso_week(NOW))
    fake = FakeDynamoDB(backing=PopulationBacking(population))
    with RedisServer() as server:
        reconciler = LeaderboardReconciler(
            PlayerDirectory(fake, TABLE),  # type: ignore[arg-type]
            Leaderboard(redis.Redis.from_url(server.url)),
            SnapshotRepository(fake, TABLE),  # type: ignore[arg-type]
            rng=random.Random(SEED),
        )
        tracemalloc.start()
        started = time.perf_counter()
        report = reconciler.reconcile(NOW)
        wall = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return (
        f"players {report.players:,}: peak {peak / 2**20:.1f} MiB (tracemalloc), "
        f"simulated DynamoDB {fake.meter.clock:.1f} s, wall {wall:.1f} s "
        f"(this machine, tracing on), late {report.late_updates}"
    )


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
