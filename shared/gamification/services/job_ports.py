"""The ports the resumable jobs share (backfill, erasure, league close, reconciliation), in the
jobs' terms; each job's own ports sit next to it. Adapters implement them, ``tests/fakes``
stands in for them, and ``tests/contracts`` holds the two to the same behaviour.

The records and names the jobs share with the adapters are imported here, in one place, so the
jobs' services name no adapter: the board vocabulary (names, ``PlayerScore``, ``Page``,
``PageCounts``, the errors a cache read raises) and ``Membership``, being moved to
``domain/`` by the ports change; the user records (``StoredUser``, ``UserChange``,
``VersionConflictError``), staying with ``adapters.user_repository`` while it is reworked; and
the Redis layout's expiries and markers (``board_expiry``, ``weekly_expiry``,
``leagues_marker``, ``ABANDONED_REBUILD_TTL``), which belong behind the board ports next.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from gamification.adapters.board_rebuild import PageCounts
from gamification.adapters.board_schema import (
    ABANDONED_REBUILD_TTL,
    REBUILD_PAGE,
    BoardIncompleteError,
    LeaderboardUnavailableError,
    Page,
    board_expiry,
    leagues_marker,
    weekly_expiry,
)
from gamification.adapters.league_repository import Membership
from gamification.adapters.player_score import ALLTIME, LEAGUE_PREFIX, PlayerScore, league, weekly
from gamification.adapters.snapshot_repository import Snapshot
from gamification.adapters.user_repository import StoredUser, UserChange, VersionConflictError

__all__ = [
    "ABANDONED_REBUILD_TTL",
    "ALLTIME",
    "LEAGUE_PREFIX",
    "REBUILD_PAGE",
    "BoardIncompleteError",
    "ErasableProfiles",
    "LeaderboardUnavailableError",
    "Membership",
    "Page",
    "PageCounts",
    "PlayerPage",
    "PlayerPages",
    "PlayerScore",
    "Snapshot",
    "StoredUser",
    "UserChange",
    "UserProfiles",
    "VersionConflictError",
    "board_expiry",
    "league",
    "leagues_marker",
    "weekly",
    "weekly_expiry",
]


class PlayerPage(Protocol):
    @property
    def players(self) -> list[PlayerScore]: ...

    @property
    def next_key(self) -> str | None:
        """Where the shard goes on (``None``: the shard is over)."""
        ...


class PlayerPages(Protocol):
    """The player index as a resumable read: ``shards`` shards, each read a page at a time."""

    @property
    def shards(self) -> int: ...

    def page(self, shard: int, after: str | None, limit: int) -> PlayerPage: ...


class UserProfiles(Protocol):
    """The profiles, read and committed under their version guard (``VersionConflictError``)."""

    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def load_many(
        self, user_ids: Iterable[str], consistent: bool = False
    ) -> dict[str, StoredUser]: ...

    def commit(self, change: UserChange) -> int: ...


class ErasableProfiles(UserProfiles, Protocol):
    """The profiles as the erasure sees them: the tombstone is set and cleared here."""

    def begin_erasure(self, user_id: str, now: datetime, keep_for: timedelta) -> StoredUser: ...

    def finish_erasure(self, user_id: str, requested_at: datetime) -> bool: ...
