"""What the boards must hold, computed from the truth as it streams by: drift against the
cache (whole, or of a sample), the top-N snapshots (sorted, or a heap that needs no population
in memory), pages of players. Pure: no Redis, no DynamoDB."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gamification.adapters.board_schema import REBUILD_PAGE, Entry, encode_score
from gamification.adapters.player_score import PlayerScore
from gamification.domain.ranking import competition_ranks

DRIFT_RATE_THRESHOLD = 0.005
"""The sampled check's drift rate (a share of the players compared) that starts the full pass;
every check of an hour at or above it although each started one raises an alarm."""
_Ranked = tuple[int, str, int, str | None]
"""(composite score, member, XP, display name): the order a board serves."""


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
    return _entries(ranked)


def _entries(ranked: list[_Ranked]) -> list[Entry]:
    """Entries with ``RANK()`` ranks from (score, member, XP, name), best first."""
    ranks = competition_ranks([xp for _, _, xp, _ in ranked], 0, 0)
    return [
        Entry(rank=rank, user_id=user_id, xp=xp, display_name=name)
        for rank, (_, user_id, xp, name) in zip(ranks, ranked, strict=True)
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
    """A board's first ``size`` entries while the truth streams by: a heap of ``size``, so the
    snapshot needs no population in memory. A player read twice (re-keyed mid-walk) counts by
    the later read."""

    def __init__(self, board: str, size: int) -> None:
        self._board = board
        self._size = size
        self._heap: list[_Ranked] = []
        self._ids: set[str] = set()
        self.listed = 0
        """Members read (the snapshot's total if Redis cannot count them)."""

    def offer(self, players: Iterable[PlayerScore]) -> None:
        for player in players:
            if player.user_id in self._ids:
                self._heap = [e for e in self._heap if e[1] != player.user_id]
                heapq.heapify(self._heap)
                self._ids.discard(player.user_id)
            xp = player.listed_xp(self._board)
            if xp is None or self._size <= 0:
                continue
            self.listed += 1
            entry = (encode_score(xp, player.xp_at), player.user_id, xp, player.display_name)
            if len(self._heap) < self._size:
                heapq.heappush(self._heap, entry)
            elif entry[:2] > self._heap[0][:2]:
                self._ids.discard(heapq.heapreplace(self._heap, entry)[1])
            else:
                continue
            self._ids.add(player.user_id)

    def state(self) -> dict[str, Any]:
        """What a paused pass saves of the heap."""
        return {"listed": self.listed, "heap": [list(entry) for entry in self._heap]}

    @classmethod
    def restore(cls, board: str, size: int, state: Mapping[str, Any]) -> TopN:
        top = cls(board, size)
        top.listed = int(state["listed"])
        top._heap = [(int(s), str(u), int(xp), n) for s, u, xp, n in state["heap"]]
        top._ids = {entry[1] for entry in top._heap}
        return top

    def entries(self) -> list[Entry]:
        """Same order and ranks as ``top_entries``."""
        return _entries(sorted(self._heap, key=lambda e: e[:2], reverse=True))
