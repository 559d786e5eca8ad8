"""In-memory stand-ins for the resumable jobs' ports (``services.backfill``, ``services.erasure``,
``services.league_close``, ``services.jobs``). ``tests/adapters/contracts`` runs each against the
real adapter with the same tests, so a fake cannot drift from what it stands in for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from gamification.domain.checkpoints import (
    Checkpoint,
    CloseCheckpoint,
    ErasureCheckpoint,
    SupersededError,
)
from gamification.domain.leagues import LeagueState

PROFILE = "PROFILE"
"""The one item of the first family the walk keeps (the tombstone)."""


class FakeBackfillCheckpoints:
    """``services.backfill.BackfillCheckpoints``: a save needs the walk's fingerprint and more
    pages than the stored one."""

    def __init__(self) -> None:
        self.saved: dict[str, Checkpoint] = {}

    def load(self, badge_id: str) -> Checkpoint | None:
        return self.saved.get(badge_id)

    def start(self, checkpoint: Checkpoint) -> None:
        self.saved[checkpoint.badge_id] = checkpoint

    def save(self, checkpoint: Checkpoint) -> bool:
        stored = self.saved.get(checkpoint.badge_id)
        if stored is None or stored.fingerprint != checkpoint.fingerprint:
            return False
        if stored.pages >= checkpoint.pages:
            return False
        self.saved[checkpoint.badge_id] = checkpoint
        return True


class FakeErasureLedger:
    """``services.erasure.ErasureLedger``: a save belongs to the request time it was started
    for; a newer request supersedes it."""

    def __init__(self) -> None:
        self.saved: dict[str, ErasureCheckpoint] = {}

    def start(
        self, user_id: str, requested_at: datetime, league: LeagueState | None = None
    ) -> ErasureCheckpoint:
        seat = None
        if league is not None and league.week is not None and league.cohort is not None:
            seat = f"seat:{league.week}:{league.cohort_tier}:{league.cohort}"
        checkpoint = ErasureCheckpoint(user_id, requested_at, requested_at, seat=seat)
        self.saved[user_id] = checkpoint
        return checkpoint

    def load(self, user_id: str) -> ErasureCheckpoint | None:
        return self.saved.get(user_id)

    def save(self, checkpoint: ErasureCheckpoint) -> None:
        stored = self.saved.get(checkpoint.user_id)
        if stored is None or stored.requested_at != checkpoint.requested_at:
            raise SupersededError(checkpoint.user_id)
        self.saved[checkpoint.user_id] = checkpoint


class FakeCloseCheckpoints:
    """``services.league_close.CloseCheckpoints``: a missing checkpoint is a fresh one, and a
    save never moves one back."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, int, int], CloseCheckpoint] = {}

    def load(self, week: str, shard: int, shards: int) -> CloseCheckpoint:
        return self.saved.get((week, shard, shards), CloseCheckpoint(week, shard, shards))

    def save(self, checkpoint: CloseCheckpoint, now: datetime) -> None:
        key = (checkpoint.week, checkpoint.shard, checkpoint.shards)
        stored = self.saved.get(key)
        if stored is None or stored.position < checkpoint.position:
            self.saved[key] = checkpoint


class FakeUserPartitions:
    """``services.erasure.UserPartitions``: each user's items per family (family 0 keeps the
    profile), and the cohorts' member lists. One request per call."""

    families = 5  # user, write budget, follow graph, team memberships, parked webhook bodies

    def __init__(self) -> None:
        self.items: dict[tuple[str, int], set[str]] = {}
        self.seats: dict[str, set[str]] = {}

    def put(self, user_id: str, family: int, *sort_keys: str) -> None:
        self.items.setdefault((user_id, family), set()).update(sort_keys)

    def held(self, user_id: str, family: int) -> set[str]:
        return set(self.items.get((user_id, family), ()))

    def page(self, user_id: str, family: int, limit: int) -> tuple[list[str], int]:
        found = sorted(self.held(user_id, family) - ({PROFILE} if family == 0 else set()))
        return found[:limit], 1

    def delete_items(self, user_id: str, family: int, items: Sequence[str]) -> int:
        self.items.get((user_id, family), set()).difference_update(items)
        return 1

    def leave_seat(self, seat: str, user_id: str) -> int:
        self.seats.get(seat, set()).discard(user_id)
        return 1


class RecordingContinuation:
    """``services.jobs.Continuation``: records what it was asked to start; ``available``
    says whether there is a function to start (else the runner goes on in process)."""

    def __init__(self, *, available: bool = True) -> None:
        self.available = available
        self.started: list[dict[str, Any]] = []

    def __call__(self, payload: Mapping[str, Any], /) -> bool:
        if self.available:
            self.started.append(dict(payload))
        return self.available


def superseded(checkpoint: ErasureCheckpoint, later: datetime) -> ErasureCheckpoint:
    """The same walk's checkpoint as a newer request would have started it."""
    return replace(checkpoint, requested_at=later, updated_at=later)
