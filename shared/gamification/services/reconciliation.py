"""Leaderboard reconciliation: DynamoDB is the truth, Redis a cache rebuilt from it.

A run reads every player once from the player index, writes the top-N snapshots the API serves
while Redis is down (from the truth, so they stay fresh even when Redis is not), measures how far
each board drifted, and rebuilds the all-time and current weekly boards into temporary keys that
are swapped in atomically. Scores committed while the rebuild ran would be overwritten by the
swap, so a second, cheap read of the index re-raises every player whose score moved meanwhile
(``ZADD GT``, which never lowers a score).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gamification.adapters.leaderboard import (
    ALLTIME,
    Entry,
    Leaderboard,
    PlayerScore,
    encode_score,
    weekly,
    weekly_expiry,
)
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.snapshot_repository import Snapshot, SnapshotRepository
from gamification.domain.periods import iso_week
from gamification.domain.ranking import competition_ranks


@dataclass(frozen=True, slots=True)
class Drift:
    """How the cached board differed from the truth before the rebuild."""

    added: int = 0
    """Players missing from the cache."""
    removed: int = 0
    """Members the cache held that the truth does not (strays)."""
    changed: int = 0
    """Players whose cached XP was wrong."""

    @property
    def total(self) -> int:
        return self.added + self.removed + self.changed


def measure_drift(cached: Mapping[str, int], truth: Mapping[str, int]) -> Drift:
    return Drift(
        added=len(truth.keys() - cached.keys()),
        removed=len(cached.keys() - truth.keys()),
        changed=sum(1 for u in truth.keys() & cached.keys() if truth[u] != cached[u]),
    )


def board_truth(players: Iterable[PlayerScore], board: str) -> dict[str, int]:
    """Member -> XP the board must hold (players without XP on it are not members)."""
    return {p.user_id: xp for p in players if (xp := p.listed_xp(board)) is not None}


def top_entries(players: Iterable[PlayerScore], board: str, size: int) -> list[Entry]:
    """The first ``size`` entries, in the order and with the ``RANK()`` the board serves.

    Same order as the sorted set read backwards: composite score (XP, then earlier achiever),
    then member descending for the rare exact tie.
    """
    ranked = sorted(
        (
            (encode_score(xp, p.xp_at), p.user_id, xp, p.display_name)
            for p in players
            if (xp := p.listed_xp(board)) is not None
        ),
        reverse=True,
    )[:size]
    ranks = competition_ranks([xp for _, _, xp, _ in ranked], 0, 0)
    return [
        Entry(rank=rank, user_id=user_id, xp=xp, display_name=name)
        for rank, (_, user_id, xp, name) in zip(ranks, ranked, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class BoardResult:
    board: str
    members: int
    drift: Drift
    was_empty: bool


@dataclass
class ReconciliationReport:
    now: datetime
    players: int = 0
    rebuilt: bool = False
    boards: list[BoardResult] = field(default_factory=list)
    late_updates: int = 0
    """Players whose score changed while the rebuild ran (re-raised after the swap)."""

    @property
    def empty_cache_rebuilt(self) -> bool:
        """The all-time board was empty although players exist (e.g. a replaced cache node)."""
        return any(b.board == ALLTIME and b.was_empty and b.members for b in self.boards)

    def summary(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "players": self.players,
            "rebuilt": self.rebuilt,
            "empty_cache_rebuilt": self.empty_cache_rebuilt,
            "late_updates": self.late_updates,
            "boards": {
                b.board: {
                    "members": b.members,
                    "added": b.drift.added,
                    "removed": b.drift.removed,
                    "changed": b.drift.changed,
                }
                for b in self.boards
            },
        }


class LeaderboardReconciler:
    def __init__(
        self,
        directory: PlayerDirectory,
        leaderboard: Leaderboard,
        snapshots: SnapshotRepository,
        snapshot_size: int = 100,
    ) -> None:
        self._directory = directory
        self._leaderboard = leaderboard
        self._snapshots = snapshots
        self._snapshot_size = snapshot_size

    def reconcile(self, now: datetime) -> ReconciliationReport:
        """Snapshot, measure drift, rebuild and swap both boards, then catch up late writes."""
        report = ReconciliationReport(now=now, rebuilt=True)
        players = list(self._directory.players())
        report.players = len(players)
        week = iso_week(now)
        boards = {ALLTIME: None, weekly(week): weekly_expiry(week)}
        truths = {board: board_truth(players, board) for board in boards}
        for board in boards:
            self._snapshots.save(
                Snapshot(
                    board=board,
                    taken_at=now,
                    entries=top_entries(players, board, self._snapshot_size),
                    total=len(truths[board]),
                )
            )
        for board, expire_at in boards.items():
            cached = dict(self._leaderboard.scores(board))
            truth = truths[board]
            self._leaderboard.replace(board, players, expire_at)
            report.boards.append(
                BoardResult(board, len(truth), measure_drift(cached, truth), not cached)
            )
        read_before = {p.user_id: p for p in players}
        late = [p for p in self._directory.players() if read_before.get(p.user_id) != p]
        if late:
            self._leaderboard.publish(late, now)
        report.late_updates = len(late)
        return report

    def rebuild_if_empty(self, now: datetime) -> ReconciliationReport:
        """The cheap check: rebuild at once only when the cache lost its all-time board."""
        if self._leaderboard.size(ALLTIME) == 0 and self._directory.any_player():
            return self.reconcile(now)
        return ReconciliationReport(now=now)
