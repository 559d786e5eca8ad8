"""What the boards must hold, computed from the truth as it streams by: drift against the
cache (whole, or of a sample), the top-N snapshots (sorted, or a heap that needs no population
in memory), pages of players. Pure: no Redis, no DynamoDB."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gamification.domain.boards import REBUILD_PAGE, Entry, PlayerScore, board_order
from gamification.domain.ranking import competition_ranks

DRIFT_RATE_THRESHOLD = 0.005
"""The sampled check's drift rate (a share of the players compared) that starts the full pass;
every check of an hour at or above it although each started one raises an alarm."""
_Ranked = tuple[tuple[int, str], int, str | None]
"""(``board_order`` key, XP, display name): ascending is the order a board serves."""


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
    """The first ``size`` entries, in the order and with the ``RANK()`` the board serves
    (``board_order``: XP, then the earlier achiever, then the lower user id)."""
    return _entries(heapq.nsmallest(size, _ranked(players, board)))


def _ranked(players: Iterable[PlayerScore], board: str) -> Iterator[_Ranked]:
    for p in players:
        xp = p.listed_xp(board)
        if xp is not None:
            yield board_order(xp, p.xp_at, p.user_id), xp, p.display_name


def _entries(ranked: list[_Ranked]) -> list[Entry]:
    """Entries with ``RANK()`` ranks from ranked tuples, best first."""
    ranks = competition_ranks([xp for _, xp, _ in ranked], 0, 0)
    return [
        Entry(rank=rank, user_id=order[1], xp=xp, display_name=name)
        for rank, (order, xp, name) in zip(ranks, ranked, strict=True)
    ]


def sampled_drift(
    players: Sequence[PlayerScore], board: str, cached: Mapping[str, int | None]
) -> Drift:
    """Drift of ``board`` among the sampled ``players`` (a sampled unlisted player still on the
    board is a stray; strays outside the sample are found by the full pass only)."""
    added = removed = changed = 0
    for player in players:
        truth, held = player.listed_xp(board), cached.get(player.user_id)
        if truth is not None and held is None:
            added += 1
        elif truth is None and held is not None:
            removed += 1
        elif truth != held:
            changed += 1
    return Drift(added=added, removed=removed, changed=changed)


@dataclass(frozen=True, slots=True)
class DriftSample:
    """What the sampled check compared and found."""

    size: int
    """Players read from the index."""
    in_flight: int
    """Of them, players whose XP changed within the grace period (the projector may not have
    caught up yet): not compared."""
    drifted: int
    """Compared players wrong on at least one board."""
    boards: dict[str, Drift] = field(default_factory=dict)

    @property
    def compared(self) -> int:
        return self.size - self.in_flight

    @property
    def rate(self) -> float:
        """The estimated share of players the cache holds wrongly."""
        return self.drifted / self.compared if self.compared else 0.0


def pages(players: Iterable[PlayerScore], size: int = REBUILD_PAGE) -> Iterator[list[PlayerScore]]:
    """``players`` a page at a time: what one round trip to Redis carries."""
    page: list[PlayerScore] = []
    for player in players:
        page.append(player)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


class TopN:
    """A board's first ``size`` entries while the truth streams by: at most ``size`` kept, so
    the snapshot needs no population in memory. A player read twice (re-keyed mid-walk) counts
    by the later read."""

    def __init__(self, board: str, size: int) -> None:
        self._board = board
        self._size = size
        self._top: list[_Ranked] = []
        """The best ``size`` so far, in board order."""
        self.listed = 0
        """Members read (the snapshot's total if Redis cannot count them)."""

    def offer(self, players: Iterable[PlayerScore]) -> None:
        """Merge a page: O((size + page) log size) a page."""
        players = list(players)
        read = {p.user_id for p in players}
        fresh: dict[str, _Ranked] = {}
        for player in players:
            fresh.pop(player.user_id, None)  # read twice in a page: the later read
            xp = player.listed_xp(self._board)
            if xp is None or self._size <= 0:
                continue
            self.listed += 1
            fresh[player.user_id] = (
                board_order(xp, player.xp_at, player.user_id),
                xp,
                player.display_name,
            )
        kept = [e for e in self._top if e[0][1] not in read]  # read again: the later read
        self._top = heapq.nsmallest(self._size, [*kept, *fresh.values()])

    def state(self) -> dict[str, Any]:
        """What a paused pass saves of the kept entries."""
        return {
            "listed": self.listed,
            "heap": [[score, user_id, xp, name] for (score, user_id), xp, name in self._top],
        }

    @classmethod
    def restore(cls, board: str, size: int, state: Mapping[str, Any]) -> TopN:
        top = cls(board, size)
        top.listed = int(state["listed"])
        top._top = sorted(((int(s), str(u)), int(xp), n) for s, u, xp, n in state["heap"])
        return top

    def entries(self) -> list[Entry]:
        """Same order and ranks as ``top_entries``."""
        return _entries(self._top)
