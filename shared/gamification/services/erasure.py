"""Erasure of everything stored about one user, in the background, resumable and idempotent.

**Request** (``DELETE /v1/me``, ``DELETE /v1/admin/users/{id}``): the profile is replaced by the
erasure tombstone (``UserRepository.begin_erasure``: no game data, no index keys, the next
version, ``erased_at`` and ``erasing``), a checkpoint is started and the walk is launched; the
API answers 202. From that moment:

* the profile, the reminder index (GSI1) and the player index (GSI2) no longer hold the user;
* the projector sees the tombstone on the stream and removes the user from every Redis board
  and the names hash (``Leaderboard.publish``);
* the consumer drops activities *received* before ``erased_at`` (they belong to the erased
  data; a commit it prepared from the old profile fails its version guard) and holds those
  received after it until the walk is done, so they start from nothing.

**Walk** (``Eraser.run``, on ``services.jobs``' runner): for each key family of the user's
partitions (``adapters.partition_walker.USER_KEY_FAMILIES``), delete a page of the items (the
tombstone excepted), save the checkpoint, repeat until a page comes back empty; then take the
user out of their league seat and the leaderboard snapshots and clear ``erasing``. Stopped by
its budget (the handler's time) it returns ``paused`` and the runner continues it in a fresh
invocation; any run can be repeated (deleting what is already gone changes nothing). A newer
request for the same user supersedes an older run at its next checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from gamification.domain.checkpoints import ErasureCheckpoint, SupersededError, tally
from gamification.domain.leagues import LeagueState
from gamification.domain.periods import iso_week
from gamification.services.job_ports import ALLTIME, ErasableProfiles, Snapshot, weekly
from gamification.services.jobs import Budget, JobProgress, Status, never, run_units

__all__ = ["TOMBSTONE_LIFETIME", "Eraser", "ErasureProgress", "ErasureRequests", "Status"]

TOMBSTONE_LIFETIME = timedelta(days=28)
"""Queue retention + DLQ retention (14 + 14 days): no activity received before the erasure can
still arrive after the tombstone expires (unless an operator redrives older messages by hand)."""


class ErasureLedger(Protocol):
    """Each user's erasure checkpoint (``adapters.erasure_ledger``)."""

    def start(
        self, user_id: str, requested_at: datetime, league: LeagueState | None = None
    ) -> ErasureCheckpoint:
        """A fresh checkpoint for a new request (replacing an earlier one's progress), with
        where the user's latest league seat is."""
        ...

    def load(self, user_id: str) -> ErasureCheckpoint | None: ...

    def save(self, checkpoint: ErasureCheckpoint) -> None:
        """Store progress; raises ``SupersededError`` if a newer request took over."""
        ...


class UserPartitions(Protocol):
    """Everything stored under one user, as ``families`` families of items, emptied a page at a
    time (``adapters.partition_walker``). Each call returns the requests it took."""

    @property
    def families(self) -> int: ...

    def page(self, user_id: str, family: int, limit: int) -> tuple[list[str], int]:
        """Up to ``limit`` items of the family still there (never the tombstone)."""
        ...

    def delete_items(self, user_id: str, family: int, items: Sequence[str]) -> int: ...

    def leave_seat(self, seat: str, user_id: str) -> int:
        """Take the user off the member list of the cohort ``seat``."""
        ...


class Snapshots(Protocol):
    """The top-N snapshots the API serves while the cache is down."""

    def load(self, board: str) -> Snapshot | None: ...

    def save(self, snapshot: Snapshot) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasureProgress(JobProgress):
    user_id: str
    deleted: int = 0
    deleted_this_run: int = 0
    pages: int = 0
    requests_this_run: int = 0
    """DynamoDB requests of this invocation (queries, batch deletes, checkpoint saves)."""
    invocations: int = 0


class ErasureRequests:
    """The API side: tombstone, checkpoint, launch (idempotent: a second request restarts)."""

    def __init__(
        self,
        users: ErasableProfiles,
        ledger: ErasureLedger,
        launch: Callable[[str], object],
        clock: Callable[[], datetime],
    ) -> None:
        self._users = users
        self._ledger = ledger
        self._launch = launch
        self._clock = clock

    def request(self, user_id: str) -> datetime:
        now = self._clock()
        replaced = self._users.begin_erasure(user_id, now, TOMBSTONE_LIFETIME)
        self._ledger.start(user_id, now, replaced.state.league)
        self._launch(user_id)
        return now


class _Walk:
    """One run of the walk: a page of one family's items is its unit of work."""

    def __init__(self, eraser: Eraser, checkpoint: ErasureCheckpoint, now: datetime) -> None:
        self.partitions, self.ledger = eraser._partitions, eraser._ledger
        self.page_size = eraser._page_size
        self.checkpoint, self.now = checkpoint, now
        self.deleted = 0
        self.requests = 1  # the checkpoint's read

    def finished(self) -> bool:
        return self.checkpoint.family >= self.partitions.families

    def unit(self) -> bool:
        checkpoint, user_id = self.checkpoint, self.checkpoint.user_id
        found, queries = self.partitions.page(user_id, checkpoint.family, self.page_size)
        self.requests += queries
        if not found:
            self.checkpoint = replace(checkpoint, family=checkpoint.family + 1)
            return False
        self.requests += self.partitions.delete_items(user_id, checkpoint.family, found)
        self.deleted += len(found)
        self.checkpoint = tally(
            checkpoint, {"deleted": len(found), "pages": 1}, updated_at=self.now
        )
        self.ledger.save(self.checkpoint)
        self.requests += 1
        return True


class Eraser:
    def __init__(
        self,
        partitions: UserPartitions,
        ledger: ErasureLedger,
        users: ErasableProfiles,
        snapshots: Snapshots,
        *,
        page_size: int = 1000,
    ) -> None:
        self._partitions = partitions
        self._ledger = ledger
        self._users = users
        self._snapshots = snapshots
        self._page_size = page_size

    def run(
        self,
        user_id: str,
        now: datetime,
        should_stop: Callable[[], bool] = never,
        max_pages: int | None = None,
    ) -> ErasureProgress:
        checkpoint = self._ledger.load(user_id)
        if checkpoint is None:
            return ErasureProgress(status=Status.NOT_REQUESTED, user_id=user_id)
        if checkpoint.done:
            return _progress(Status.DONE, checkpoint, 0, 0)
        checkpoint = replace(checkpoint, invocations=checkpoint.invocations + 1)
        walk = _Walk(self, checkpoint, now)
        try:
            if run_units(walk, Budget(should_stop, max_pages)) is Status.PAUSED:
                self._ledger.save(walk.checkpoint)
                return _progress(Status.PAUSED, walk.checkpoint, walk.deleted, walk.requests + 1)
            done = self._finish(walk)
        except SupersededError:
            return _progress(Status.SUPERSEDED, walk.checkpoint, walk.deleted, walk.requests)
        return _progress(Status.DONE, done, walk.deleted, walk.requests)

    def _finish(self, walk: _Walk) -> ErasureCheckpoint:
        """The user's partitions are empty: their seat, the snapshots, then ``erasing``."""
        checkpoint, user_id = walk.checkpoint, walk.checkpoint.user_id
        if checkpoint.seat is not None:  # the league seat (a new one could not be taken)
            walk.requests += self._partitions.leave_seat(checkpoint.seat, user_id)
        walk.requests += self._scrub_snapshots(user_id, checkpoint.requested_at) + 1
        if not self._users.finish_erasure(user_id, checkpoint.requested_at):
            raise SupersededError(user_id)
        walk.checkpoint = replace(checkpoint, done=True, updated_at=walk.now)
        walk.requests += 1
        self._ledger.save(walk.checkpoint)
        return walk.checkpoint

    def _scrub_snapshots(self, user_id: str, requested_at: datetime) -> int:
        """Take the user out of the top-N snapshots the API serves while Redis is down: the
        all-time board and the weekly boards that can still be served. Returns requests made."""
        requests = 0
        for board in _snapshot_boards(requested_at):
            snapshot = self._snapshots.load(board)
            requests += 1
            if snapshot is None or all(e.user_id != user_id for e in snapshot.entries):
                continue
            entries = [e for e in snapshot.entries if e.user_id != user_id]
            self._snapshots.save(
                replace(snapshot, entries=entries, total=max(snapshot.total - 1, len(entries)))
            )
            requests += 1
        return requests


def _snapshot_boards(moment: datetime) -> Iterable[str]:
    yield ALLTIME
    for weeks_back in range(4):
        yield weekly(iso_week(moment - timedelta(weeks=weeks_back)))


def _progress(
    status: Status, checkpoint: ErasureCheckpoint, deleted: int, requests: int
) -> ErasureProgress:
    return ErasureProgress(
        status=status,
        user_id=checkpoint.user_id,
        deleted=checkpoint.deleted,
        deleted_this_run=deleted,
        pages=checkpoint.pages,
        requests_this_run=requests,
        invocations=checkpoint.invocations,
    )
