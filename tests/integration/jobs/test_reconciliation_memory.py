"""The full pass holds a page of players, not the population (issue 19: ten million players
do not fit in the reconciler's 1,024 MB; the pass must stream)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from gamification.adapters.leaderboard import ALLTIME, weekly
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.player_score import PlayerScore
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.reconciliation import LeaderboardReconciler
from gamification.services.reconciliation_report import ReconciliationReport
from tests.integration.jobs.support import build_world

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)
WEEK = iso_week(NOW)
PLAYERS = 20_000


class GeneratedDirectory(PlayerDirectory):
    """The player index as a generator: each player exists only while the reader holds it."""

    def __init__(self, players: int) -> None:
        self._players = players

    def players(self) -> Iterator[PlayerScore]:
        for i in range(self._players):
            yield PlayerScore(
                user_id=f"{i:08x}-0000-4000-8000-{i:012x}",
                xp=10 + i % 5000,
                xp_at=NOW - timedelta(minutes=i % 9000),
                display_name="Synthetic Player",
                weekly_xp={WEEK: 1 + i % 700, iso_week(NOW - timedelta(days=7)): 5},
                league=f"{WEEK}:{i % 3}:{i // 30}",
            )


def test_a_full_pass_holds_a_page_not_the_population(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    world = build_world(stack_env, redis_client, NOW)
    ports = (world.leaderboard, world.snapshots)
    reconciler = LeaderboardReconciler(GeneratedDirectory(PLAYERS), *ports)
    held = sum(1 for _ in GeneratedDirectory(PLAYERS).players())
    # Warm the code paths (imports, moto's first calls, the Lua scripts) before measuring.
    LeaderboardReconciler(GeneratedDirectory(2000), *ports).reconcile(NOW)

    small, _ = _peak(LeaderboardReconciler(GeneratedDirectory(PLAYERS // 4), *ports))
    peak, report = _peak(reconciler)
    tracemalloc.start()
    try:
        everyone = list(GeneratedDirectory(PLAYERS).players())  # what one list of them costs
        population = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert report.players == held == len(everyone) == PLAYERS
    assert report.summary()["boards"][ALLTIME]["members"] == PLAYERS
    assert world.leaderboard.size(ALLTIME) == PLAYERS
    assert world.leaderboard.size(weekly(WEEK)) == PLAYERS
    assert report.cohort_members == PLAYERS
    # Today's all-in-memory pass held several copies of the population (≈ 3 x ``population``,
    # growing 4x from a quarter of the players); the streamed one holds a page (1,000 players)
    # and the snapshots' top N, whatever the population.
    assert peak < population / 3, (peak, population)
    assert peak < 1.5 * small, (peak, small)


def _peak(reconciler: LeaderboardReconciler) -> tuple[int, ReconciliationReport]:
    tracemalloc.start()
    try:
        report = reconciler.reconcile(NOW)
        return tracemalloc.get_traced_memory()[1], report
    finally:
        tracemalloc.stop()
