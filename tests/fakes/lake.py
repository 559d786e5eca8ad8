"""In-memory lake keys and sink: the ports of ``services.history_lake`` (real:
``adapters.lake_keys.LakeKeyStore`` on DynamoDB, ``adapters.lake_sink``; the contract:
tests/adapters/contracts/test_lake_keys.py holds the key stores equal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class FakeLakeKeys:
    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}
        self.live: set[str] = set()
        """Users with a profile holding game state (only they may get a key)."""
        self._next = 0

    def keys_for(self, user_ids: Sequence[str]) -> dict[str, bytes]:
        return {u: self.keys[u] for u in user_ids if u in self.keys}

    def create(self, user_id: str) -> bytes | None:
        if user_id not in self.live:
            return None
        if user_id not in self.keys:
            self._next += 1
            self.keys[user_id] = self._next.to_bytes(16, "big")
        return self.keys[user_id]

    def erase(self, user_id: str) -> None:
        """What the eraser's walk does to the key (and the tombstone to the profile)."""
        self.keys.pop(user_id, None)
        self.live.discard(user_id)


class FakeLakeSink:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.down = False

    def put(self, rows: Sequence[dict[str, Any]]) -> None:
        if self.down:
            raise ConnectionError("the fake sink is down")
        self.rows.extend(rows)


class FakePlayerHistory:
    """What the backfill reads per player (real: ``adapters.player_history.PlayerHistory``):
    stored profiles and their dedupe markers."""

    def __init__(self) -> None:
        from gamification.domain.profile_records import StoredUser

        self.profiles: dict[str, StoredUser] = {}
        self.markers: dict[str, list[tuple[str, Any]]] = {}

    def user_ids(self) -> list[str]:
        return list(self.profiles)

    def load(self, user_id: str) -> Any:
        return self.profiles[user_id]

    def applied(self, user_id: str) -> list[tuple[str, Any]]:
        return list(self.markers.get(user_id, []))


class FakeBackfillFiles:
    """The backfill's day files in memory (real: ``adapters.lake_backfill_files``, a folder or
    the lake bucket; tests/adapters/contracts/test_backfill_files.py holds them equal)."""

    def __init__(self) -> None:
        self.days: dict[str, list[dict[str, Any]]] = {}

    def replace(self, day: str, rows: Sequence[dict[str, Any]]) -> None:
        self.days[day] = [dict(r) for r in rows]
