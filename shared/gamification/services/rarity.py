"""Badge rarity, counted by a scheduled job: the share of players holding each badge (level).

Hourly, the ``rarity`` function either finds the last count fresh (one read) or goes on with
the walk over every player with XP (the player index, ≤ 1,000 profiles a chunk, the same walk
as the dry run), saving its position and partial count after each chunk, so a walk longer than
one invocation continues at the next run. A finished walk replaces the published result; a new
walk starts once that result is ``REFRESH`` old (docs/rules.md, "Rarity").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from gamification.domain.game_rules import GameRules
from gamification.domain.rarity import (
    Rarity,
    RarityCount,
    RarityRecord,
    RarityWalk,
    counted_ids,
)
from gamification.domain.state import UserState
from gamification.services.dry_run import MAX_USERS, Position, ProfileReader, walk
from gamification.services.job_ports import PlayerPages

REFRESH = timedelta(hours=23)
"""A finished count is redone after this long (a daily figure; the hourly run finds it fresh)."""


class RarityStore(Protocol):
    """The rarity item (adapter: ``adapters.rarity_store.RarityStore``; fake in tests)."""

    def load(self) -> RarityRecord: ...

    def save(self, record: RarityRecord) -> None: ...


class RarityJob:
    def __init__(
        self,
        directory: PlayerPages,
        users: ProfileReader,
        rules: Callable[[], GameRules],
        store: RarityStore,
        chunk: int = MAX_USERS,
    ) -> None:
        self._directory = directory
        self._users = users
        self._rules = rules
        self._store = store
        self._chunk = chunk

    def run(self, now: datetime, should_stop: Callable[[], bool]) -> dict[str, Any]:
        """Go on with (or start) the count until it finishes or ``should_stop`` says so.

        Idempotent: a retried or overlapping run starts from the last saved position, so a
        chunk is counted once in the saved walk (the last save wins, and each save holds a
        count that matches its position)."""
        record = self._store.load()
        progress = record.walk
        if progress is None:
            if record.result is not None and now - record.result.computed_at < REFRESH:
                return {"status": "fresh", "computed_at": record.result.computed_at.isoformat()}
            progress = RarityWalk(now, 0, None, RarityCount())
        counted = frozenset(counted_ids(self._rules().badges))
        count = progress.count
        read_before = count.players

        def visit(_: str, state: UserState) -> None:
            count.add(state.badges, counted)

        while True:
            start = Position(progress.shard, progress.after)
            position = walk(self._directory, self._users, start, self._chunk, visit)
            if position is None:
                self._store.save(RarityRecord(result=Rarity(now, count), walk=None))
                return {
                    "status": "finished",
                    "players": count.players,
                    "read": count.players - read_before,
                }
            progress = RarityWalk(progress.started_at, position.shard, position.after, count)
            self._store.save(RarityRecord(result=record.result, walk=progress))
            if should_stop():
                return {
                    "status": "paused",
                    "players": count.players,
                    "read": count.players - read_before,
                }

    def latest(self) -> Rarity | None:
        """The published count (``GET /v1/badges``)."""
        return self._store.load().result


class RarityReader:
    """The published count for ``GET /v1/badges``, read at most once per ``ttl`` per container
    (the count changes daily; the item can be ≈ 70 KB, ≈ 9 read units)."""

    def __init__(
        self,
        store: RarityStore,
        clock: Callable[[], datetime],
        ttl: timedelta = timedelta(minutes=5),
    ) -> None:
        self._store = store
        self._clock = clock
        self._ttl = ttl
        self._cached: tuple[datetime, Rarity | None] | None = None

    def latest(self) -> Rarity | None:
        now = self._clock()
        if self._cached is None or now - self._cached[0] >= self._ttl:
            self._cached = (now, self._store.load().result)
        return self._cached[1]
