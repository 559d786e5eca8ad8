"""The reconciler (``services.reconciliation``) on its fakes: the check rebuilds a cache that
lost its markers, a pass stopped after every unit ends as a one-shot pass does, one pass at a
time, and an unreachable cache is not a failure. The same runs on Redis and moto are in
tests/integration/jobs/test_reconciliation*.py (the fakes pass the adapters' contract:
tests/adapters/contracts/test_reconciler_ports.py)."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gamification.domain.boards import ALLTIME, PlayerScore, encode_score, league, weekly
from gamification.domain.periods import iso_week
from gamification.services.reconciliation import LeaderboardReconciler
from gamification.services.reconciliation_report import DONE, IN_PROGRESS, PAUSED
from tests.fakes.boards import FakeLeaderboard, FakeSnapshots
from tests.fakes.reconciliation import FakePassLease, FakePlayerIndex

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
WEEK = iso_week(NOW)


def _truth() -> list[PlayerScore]:
    """Forty players: weekly XP for most, three league cohorts, a few unlisted or nameless."""
    return [
        PlayerScore(
            user_id=f"user-{i:02d}",
            xp=10 + (i * 37) % 300,
            xp_at=NOW - timedelta(hours=i),
            display_name=f"Player {i}" if i % 5 else None,
            weekly_xp={WEEK: 1 + (i * 11) % 90} if i % 3 else {},
            league=f"{WEEK}:0:{i % 3}" if i % 2 == 0 else None,
            listed=i % 13 != 7,
        )
        for i in range(40)
    ]


@dataclass
class World:
    index: FakePlayerIndex = field(default_factory=lambda: FakePlayerIndex(_truth()))
    boards: FakeLeaderboard = field(default_factory=lambda: FakeLeaderboard(complete=False))
    snapshots: FakeSnapshots = field(default_factory=FakeSnapshots)
    lease: FakePassLease = field(default_factory=FakePassLease)

    def reconciler(self, **options: Any) -> LeaderboardReconciler:
        return LeaderboardReconciler(
            self.index,
            self.boards,
            self.snapshots,
            lease=self.lease,
            rng=random.Random(7),
            **options,
        )

    def drift(self) -> None:
        """A cache that lost its markers, five players, and gained a ghost and a wrong score."""
        self.boards = FakeLeaderboard(complete=False)
        players = list(self.index.players())
        self.boards.publish(players[5:], NOW)
        self.boards.boards[ALLTIME]["ghost"] = encode_score(500, None)
        self.boards.boards[ALLTIME][players[9].user_id] = encode_score(9_999, None)

    def cache(self) -> dict[str, Any]:
        return copy.deepcopy(
            {"boards": self.boards.boards, "names": self.boards.names, "sets": self.boards.sets}
        )


def _expected_boards(truth: list[PlayerScore]) -> dict[str, dict[str, int]]:
    board = FakeLeaderboard()
    board.publish(truth, NOW)
    return board.boards


def test_the_check_rebuilds_a_cache_that_lost_its_markers() -> None:
    world = World()
    world.drift()

    report = world.reconciler().check(NOW)

    assert report.rebuild == DONE
    assert report.incomplete
    assert report.players == 40
    assert report.boards[0].drift.total > 0
    expected = _expected_boards(_truth())
    assert world.boards.boards[ALLTIME] == expected[ALLTIME]
    assert world.boards.boards[weekly(WEEK)] == expected[weekly(WEEK)]
    assert world.boards.boards[league(f"{WEEK}:0:1")] == expected[league(f"{WEEK}:0:1")]
    assert report.cohort_boards == 2
    assert world.boards.complete([ALLTIME, weekly(WEEK), league(f"{WEEK}:0:1")]) == {
        ALLTIME: True,
        weekly(WEEK): True,
        league(f"{WEEK}:0:1"): True,
    }
    top = world.snapshots.load(ALLTIME)
    assert top is not None
    assert top.total == len(expected[ALLTIME])
    assert world.lease.status() == (False, False)
    assert world.reconciler().check(NOW + timedelta(minutes=1)).rebuild != DONE  # nothing to do


def test_a_pass_stopped_after_every_unit_ends_as_a_one_shot_pass() -> None:
    world = World()
    world.drift()
    one_shot = world.reconciler(page_size=4, scan_chunks=1).check(NOW)
    expected_cache, expected_top = world.cache(), world.snapshots.load(ALLTIME)

    world.drift()
    world.snapshots = FakeSnapshots()
    reconciler = world.reconciler(page_size=4, scan_chunks=1)
    runs = [reconciler.check(NOW, lambda: True)]
    while runs[-1].rebuild != DONE:
        assert len(runs) < 500, runs[-1].summary()
        runs.append(reconciler.check(NOW + timedelta(seconds=10 * len(runs)), lambda: True))

    assert [r.rebuild for r in runs] == [PAUSED] * (len(runs) - 1) + [DONE]
    assert all(r.units == 1 for r in runs)
    assert {"build", "strays", "swap", "catch_up", "unseen"} <= {r.phase for r in runs}
    assert all(r.resumed for r in runs[1:])
    assert runs[-1].players == one_shot.players
    assert world.cache() == expected_cache
    assert world.snapshots.load(ALLTIME) == expected_top


def test_no_pass_starts_while_another_holds_the_lease() -> None:
    world = World()
    world.drift()
    held = world.lease.acquire()
    assert held is not None
    before = world.cache()

    reconciler = world.reconciler()
    runs = [reconciler.check(NOW), reconciler.sample(NOW), reconciler.reconcile(NOW)]

    assert [r.rebuild for r in runs] == [IN_PROGRESS] * 3
    assert not any(r.rebuilt for r in runs)
    assert world.cache() == before


def test_an_unreachable_cache_is_not_a_failure_of_the_check() -> None:
    world = World()
    world.boards.down = True

    report = world.reconciler().check(NOW)

    assert not report.cache_reachable
    assert not report.rebuilt


def test_a_sample_of_boards_in_step_refreshes_the_snapshots_from_the_cache() -> None:
    world = World()
    world.reconciler().check(NOW)
    world.snapshots = FakeSnapshots()

    report = world.reconciler(sample_size=10).sample(NOW + timedelta(minutes=15))

    assert report.sample is not None
    assert not report.rebuilt
    assert report.snapshots_from_cache
    assert world.snapshots.load(ALLTIME) is not None
