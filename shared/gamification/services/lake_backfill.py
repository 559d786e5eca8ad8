"""Backfilling the history lake with what happened before it existed (``domain.lake_backfill``).

Walks every player (the player index), reads each one's profile and dedupe markers, turns what
they prove into lake rows under the user's lake key (created like the publisher does; an erased
user gets none), and writes them **one file per day, replaced on every run**
(``events/dt=<day>/backfill-0.parquet``): re-running the backfill rewrites the same rows into
the same files, so it never adds a duplicate. Only facts from before ``before`` (the lake's
start) are written, so the live rows (after it) and the backfill never overlap; a fact on both
sides would share its ``row_id`` anyway (same event id, same key).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from gamification.domain import lake
from gamification.domain.game_rules import GameRules
from gamification.domain.lake_backfill import history
from gamification.domain.profile_records import StoredUser
from gamification.services.history_lake import LakeKeys

# -- ports (adapters: PlayerDirectory + UserRepository + UserRecords, LakeKeyStore,
#    lake_backfill_files.BackfillFiles; fakes: tests/fakes/lake.py)


class PlayerHistory(Protocol):
    def user_ids(self) -> Iterable[str]:
        """Every player with a profile."""
        ...

    def load(self, user_id: str) -> StoredUser: ...

    def applied(self, user_id: str) -> list[tuple[str, datetime]]:
        """The user's dedupe markers: (dedupe key, when it was applied)."""
        ...


class BackfillFiles(Protocol):
    def replace(self, day: str, rows: Sequence[dict[str, Any]]) -> None:
        """Write the day's backfill file, replacing the one an earlier run wrote."""
        ...


@dataclass(frozen=True, slots=True)
class Backfilled:
    users: int
    rows: int
    days: int
    skipped: int
    """Users without a lake key who may not get one (erased meanwhile)."""


class LakeBackfill:
    def __init__(
        self, players: PlayerHistory, keys: LakeKeys, files: BackfillFiles, tenant: str
    ) -> None:
        self._players = players
        self._keys = keys
        self._files = files
        self._tenant = tenant

    def run(self, rules: GameRules, before: datetime) -> Backfilled:
        """Backfill everything before ``before``; the same answer and files on every run."""
        by_day: dict[str, list[dict[str, Any]]] = {}
        users = skipped = 0
        for user_id in sorted(set(self._players.user_ids())):
            stored = self._players.load(user_id)
            if not stored.exists or stored.tombstone:
                continue
            events = history(stored, self._players.applied(user_id), rules, self._tenant, before)
            if not events:
                continue
            key = self._keys.keys_for([user_id]).get(user_id) or self._keys.create(user_id)
            if key is None:
                skipped += 1
                continue
            users += 1
            for event in events:
                by_day.setdefault(lake.partition_of(event.occurred_at), []).append(
                    lake.row(event, key)
                )
        for day, rows in sorted(by_day.items()):
            self._files.replace(day, sorted(rows, key=lambda r: str(r["row_id"])))
        return Backfilled(
            users=users, rows=sum(map(len, by_day.values())), days=len(by_day), skipped=skipped
        )
