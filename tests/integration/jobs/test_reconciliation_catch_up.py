"""The streamed catch-up read: what changed in the index while a full pass ran is not rolled
back by its swap, including on the league cohort boards."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from gamification.adapters.leaderboard import ALLTIME, Leaderboard, board_key, weekly
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.player_score import PlayerScore, league
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.reconciliation import LeaderboardReconciler
from tests.integration.jobs.support import build_world

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)
WEEK = iso_week(NOW)
COHORT = f"{WEEK}:0:0"


def player(user_id: str, xp: int, *, listed: bool = True) -> PlayerScore:
    return PlayerScore(
        user_id=user_id,
        xp=xp,
        xp_at=NOW - timedelta(hours=xp),
        display_name=user_id.title(),
        weekly_xp={WEEK: xp},
        league=COHORT,
        listed=listed,
    )


class ScriptedDirectory(PlayerDirectory):
    """The index as two successive reads; ``during`` runs as the second read starts (after
    the swap), as the projector would."""

    def __init__(self, first: list[PlayerScore], second: list[PlayerScore], during: Any) -> None:
        self._reads = [first, second]
        self._index = {p.user_id: p for p in second}
        self._during = during

    def players(self) -> Iterator[PlayerScore]:
        read = self._reads.pop(0)
        if not self._reads:
            self._during()
        return iter(read)

    def lookup(self, user_ids: Sequence[str]) -> dict[str, PlayerScore]:
        return {u: self._index[u] for u in user_ids if u in self._index}


def test_the_catch_up_fixes_what_changed_while_the_pass_ran(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    world = build_world(stack_env, redis_client, NOW)
    board = Leaderboard(redis_client)
    before = [player("ana", 30), player("ben", 20), player("cy", 10), player("dee", 5)]
    joined = player("zed", 3)
    after = [
        player("ana", 40),  # a score committed meanwhile
        player("ben", 20, listed=False),  # hidden meanwhile
        player("dee", 5),
        # cy was erased (the tombstone has no index keys); zed joined, in a shard the read
        # had passed (so it is in the index, not in the read)
    ]
    directory = ScriptedDirectory(
        before,
        after,
        lambda: board.publish([joined], NOW),  # the projector, after the swap
    )
    directory._index["zed"] = joined

    report = LeaderboardReconciler(directory, board, world.snapshots).reconcile(NOW)

    expected = {"ana": 40, "dee": 5, "zed": 3}
    for name in (ALLTIME, weekly(WEEK), league(COHORT)):
        held = {str(m) for m, _ in redis_client.zscan_iter(board_key(name))}
        assert held == set(expected), name
    assert dict(board.scores(ALLTIME)) == expected
    assert report.late_updates == 4  # ana, ben, cy, zed
    assert report.cohort_boards == 1
    assert report.cohort_members == 4
    snapshot = world.snapshots.load(ALLTIME)
    assert snapshot is not None
    assert [e.user_id for e in snapshot.entries] == ["ana", "dee"]  # from the second read
    assert not list(redis_client.scan_iter("{lb}:rebuild:*"))
