"""In-memory stand-ins for the reconciler's other ports (``services.reconciliation``): the pass
lease (real: ``adapters.rebuild_lease`` on Redis) and the player index (real:
``adapters.player_directory`` on DynamoDB's GSI2). tests/adapters/contracts/
test_reconciler_ports.py runs each against the real adapter with the same tests."""

from __future__ import annotations

import itertools
import random
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gamification.domain.boards import LeaderboardUnavailableError, PlayerScore


class FakePassLease:
    """``PassLease``: one holder at a time, acting only with its token; ``expire`` stands for a
    holder that stalled past the lease's expiry."""

    def __init__(self) -> None:
        self.holder: str | None = None
        self.saved: str | None = None
        self.down = False
        self._tokens = itertools.count(1)

    def expire(self) -> None:
        self.holder = None

    def status(self) -> tuple[bool, bool]:
        self._reachable()
        return self.holder is not None, self.saved is not None

    def acquire(self) -> str | None:
        self._reachable()
        if self.holder is not None:
            return None
        self.holder = f"token-{next(self._tokens)}"
        return self.holder

    def progress(self) -> str | None:
        self._reachable()
        return self.saved

    def checkpoint(self, token: str, progress: str = "") -> bool:
        self._reachable()
        if self.holder != token:
            return False
        if progress:
            self.saved = progress
        return True

    def release(self, token: str, progress: str = "") -> bool:
        self._reachable()
        if self.holder != token:
            return False
        self.saved = progress or None
        self.holder = None
        return True

    def _reachable(self) -> None:
        if self.down:
            raise LeaderboardUnavailableError("the fake lease's Redis is down")


@dataclass(frozen=True, slots=True)
class FakePlayerPage:
    players: list[PlayerScore]
    next_key: str | None


class FakePlayerIndex:
    """``PlayerIndex``: the players in ``shards`` shards, each read in user-id order; a page's
    ``next_key`` is the last id it returned (``None`` when the page was not full)."""

    shards = 4

    def __init__(self, players: Sequence[PlayerScore] = ()) -> None:
        self.held: dict[str, PlayerScore] = {}
        self.put(*players)

    def put(self, *players: PlayerScore) -> None:
        self.held.update((p.user_id, p) for p in players)

    def remove(self, *user_ids: str) -> None:
        for user_id in user_ids:
            self.held.pop(user_id, None)

    def page(self, shard: int, after: str | None, limit: int) -> FakePlayerPage:
        ids = sorted(
            u for u in self.held if self._shard(u) == shard and (after is None or u > after)
        )
        found = [self.held[u] for u in ids[:limit]]
        full = len(found) == limit and bool(found)
        return FakePlayerPage(players=found, next_key=found[-1].user_id if full else None)

    def players(self) -> Iterator[PlayerScore]:
        for shard in range(self.shards):
            after: str | None = None
            while True:
                page = self.page(shard, after, 100)
                yield from page.players
                if page.next_key is None:
                    break
                after = page.next_key

    def lookup(self, user_ids: Sequence[str]) -> dict[str, PlayerScore]:
        return {u: self.held[u] for u in user_ids if u in self.held}

    def sample(self, limit: int, rng: random.Random | None = None) -> list[PlayerScore]:
        """``limit`` players in a row of the index from a random one, wrapping round."""
        ordered = sorted(self.held.values(), key=lambda p: (self._shard(p.user_id), p.user_id))
        if not ordered:
            return []
        start = (rng or random.Random()).randrange(len(ordered))
        return (ordered[start:] + ordered[:start])[:limit]

    def _shard(self, user_id: str) -> int:
        return zlib.crc32(user_id.encode()) % self.shards
