"""The ports the resumable jobs share (backfill, erasure, league close, reconciliation), in the
jobs' terms; each job's own ports sit next to it. Adapters implement them, ``tests/fakes``
stands in for them, and ``tests/contracts`` holds the two to the same behaviour.

The records and names the jobs share with the adapters are re-exported here, in one place: the
board vocabulary and ``Membership`` from ``domain/``, and the user records (``StoredUser``,
``UserChange``, ``VersionConflictError``), the last adapter import, until they move out of
``adapters.user_repository``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from gamification.domain.boards import (
    ABANDONED_REBUILD_TTL,
    ALLTIME,
    LEAGUE_PREFIX,
    REBUILD_PAGE,
    BoardIncompleteError,
    LeaderboardUnavailableError,
    Page,
    PageCounts,
    PlayerScore,
    Snapshot,
    board_expiry,
    league,
    leagues_marker,
    weekly,
    weekly_expiry,
)
from gamification.domain.leagues import Membership
from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError

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
