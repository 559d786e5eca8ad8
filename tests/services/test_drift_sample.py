"""The sampled drift check (``LeaderboardReconciler.sample``) on fakes: it finds injected drift
and starts the full pass, finds nothing on a cache in step (and then refreshes the snapshots
from the complete boards), skips players the projector may not have caught up with yet, and an
unreachable cache is not a failure. What needs the real index (a bounded sample from anywhere,
players under the old shard count) and the handler's metrics stay in
tests/integration/jobs/test_drift_sample.py."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from gamification.domain.boards import (
    ALLTIME,
    PlayerScore,
    encode_score,
    leagues_marker,
    weekly,
)
from gamification.domain.periods import iso_week, week_bounds
from gamification.resources import SCHEDULES
from gamification.services.reconciliation import LeaderboardReconciler
from tests.fakes.boards import FakeLeaderboard, FakeSnapshots, decode_xp
from tests.fakes.reconciliation import FakePlayerIndex

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
WEEK = weekly(iso_week(NOW))


class World:
    """Forty players, the boards and snapshots the daily pass left an hour ago."""

    def __init__(self) -> None:
        self.index = FakePlayerIndex(
            [
                PlayerScore(
                    user_id=f"p{i:02d}",
                    xp=10 * (1 + i % 9),
                    xp_at=NOW - timedelta(hours=1, minutes=i),
                    display_name=f"p{i:02d}",
                    weekly_xp={iso_week(NOW): 10 * (1 + i % 9)},
                )
                for i in range(40)
            ]
        )
        self.boards = FakeLeaderboard(complete=False)
        self.snapshots = FakeSnapshots()
        self.sampler().reconcile(NOW - timedelta(hours=1))

    def sampler(self, size: int = 1000, threshold: float = 0.005) -> LeaderboardReconciler:
        return LeaderboardReconciler(
            self.index,
            self.boards,
            self.snapshots,
            sample_size=size,
            drift_threshold=threshold,
            rng=random.Random(5),
        )

    def truth(self, board: str) -> dict[str, int]:
        return {
            p.user_id: xp for p in self.index.players() if (xp := p.listed_xp(board)) is not None
        }

    def held(self, board: str) -> dict[str, int]:
        return {u: decode_xp(s) for u, s in self.boards.boards.get(board, {}).items()}


@pytest.fixture
def world() -> World:
    return World()


def test_an_in_step_cache_shows_no_drift_and_feeds_the_snapshots(world: World) -> None:
    before = world.snapshots.load(ALLTIME)
    later = NOW + timedelta(minutes=15)

    report = world.sampler().sample(later)

    assert report.sample is not None
    assert (report.sample.size, report.sample.drifted, report.sample.rate) == (40, 0, 0.0)
    assert report.rebuilt is False
    assert report.snapshots_from_cache is True
    for board in (ALLTIME, WEEK):
        snapshot = world.snapshots.load(board)
        assert snapshot is not None
        assert snapshot.taken_at == later
        assert snapshot.entries == world.boards.page(board, 0, 100).entries
        assert snapshot.total == len(world.truth(board)) == 40
    assert before is not None
    assert world.snapshots.load(ALLTIME).entries == before.entries  # type: ignore[union-attr]


def test_injected_drift_is_found_and_starts_the_full_rebuild(world: World) -> None:
    alltime = world.boards.boards[ALLTIME]
    del alltime["p01"], alltime["p02"]  # lost
    alltime["p03"] = encode_score(9_999, None)  # corrupted
    del world.boards.boards[WEEK]["p04"]  # lost from the weekly board only

    report = world.sampler().sample(NOW)

    assert report.sample is not None
    assert report.sample.drifted == 4
    assert report.sample.rate == pytest.approx(4 / 40)
    assert report.sample.boards[ALLTIME].added == 2
    assert report.sample.boards[ALLTIME].changed == 1
    assert report.sample.boards[WEEK].added == 1
    assert report.rebuilt is True
    assert world.held(ALLTIME) == world.truth(ALLTIME)
    assert world.held(WEEK) == world.truth(WEEK)
    snapshot = world.snapshots.load(ALLTIME)
    assert snapshot is not None
    assert snapshot.taken_at == NOW  # the full pass's, from the truth


def test_drift_below_the_threshold_is_reported_and_keeps_the_older_snapshots(
    world: World,
) -> None:
    del world.boards.boards[ALLTIME]["p05"]
    taken = world.snapshots.load(ALLTIME).taken_at  # type: ignore[union-attr]

    report = world.sampler(threshold=0.1).sample(NOW)

    assert report.sample is not None
    assert report.sample.drifted == 1
    assert report.rebuilt is False
    assert report.snapshots_from_cache is False
    assert world.snapshots.load(ALLTIME).taken_at == taken  # type: ignore[union-attr]
    assert "p05" not in world.held(ALLTIME)  # the daily pass will fix it


def test_players_whose_score_just_changed_are_not_counted_as_drift(world: World) -> None:
    newest = max(world.index.players(), key=lambda p: p.xp_at or NOW)
    assert newest.xp_at is not None
    del world.boards.boards[ALLTIME][newest.user_id]  # as if the projector lagged

    report = world.sampler().sample(newest.xp_at + timedelta(minutes=1))

    assert report.sample is not None
    assert report.sample.in_flight >= 1
    assert report.sample.drifted == 0
    assert report.sample.compared == 40 - report.sample.in_flight


def test_a_lost_marker_rebuilds_at_once(world: World) -> None:
    del world.boards.markers[ALLTIME]

    report = world.sampler().sample(NOW)

    assert report.incomplete == [ALLTIME]
    assert report.rebuilt is True
    assert world.boards.complete([ALLTIME]) == {ALLTIME: True}


def test_the_sample_does_not_fail_while_the_cache_is_unreachable(world: World) -> None:
    world.boards.down = True

    report = world.sampler().sample(NOW)

    assert report.cache_reachable is False
    assert report.sample is None


def test_the_daily_pass_stamps_next_week_before_it_starts(world: World) -> None:
    (full,) = (s for s in SCHEDULES if s.function == "reconciler" and s.job_input is None)
    assert full.rate_minutes <= 24 * 60  # at least six passes in a week before the next one
    world.boards = FakeLeaderboard(complete=False)  # a flushed cache
    end = week_bounds(iso_week(NOW))[1]

    world.sampler().reconcile(end - timedelta(days=1))  # the week's last daily pass, at worst

    next_week = iso_week(end)
    assert world.boards.complete([weekly(next_week)]) == {weekly(next_week): True}
    expiry = world.boards.marker_expiry[leagues_marker(next_week)]
    assert expiry is not None
    assert expiry > week_bounds(next_week)[1]
