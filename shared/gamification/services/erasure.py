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

**Walk** (``Eraser.run``): for each key family of ``USER_KEY_FAMILIES``, delete a page of the
partition's items (the tombstone excepted), save the checkpoint, repeat until a page comes back
empty; then take the user out of the leaderboard snapshots and clear ``erasing``. Stopped by
``should_stop`` (the handler's time budget) it returns ``paused`` and the handler starts a fresh
invocation; any run can be repeated (deleting what is already gone changes nothing). A newer
request for the same user supersedes an older run at its next checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from gamification.adapters import keys
from gamification.adapters.erasure_ledger import ErasureCheckpoint, ErasureLedger, SupersededError
from gamification.adapters.partition_walker import PartitionWalker
from gamification.adapters.player_score import ALLTIME, weekly
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.adapters.user_repository import UserRepository
from gamification.domain.leagues import LeagueState
from gamification.domain.periods import iso_week

TOMBSTONE_LIFETIME = timedelta(days=28)
"""Queue retention + DLQ retention (14 + 14 days): no activity received before the erasure can
still arrive after the tombstone expires (unless an operator redrives older messages by hand)."""


@dataclass(frozen=True, slots=True)
class KeyFamily:
    """One partition per user that the walk empties. Add a family here when a feature stores
    per-user items under a new partition key (leagues, #14: the user's league membership items)."""

    name: str
    partition: Callable[[str], str]
    keep: Callable[[str], bool] = lambda _sk: False
    """Sort keys the walk must not delete (the tombstone profile)."""


USER_KEY_FAMILIES: tuple[KeyFamily, ...] = (
    # Profile (kept as the tombstone), cap days, dedupe markers, notifications, reminder guards.
    KeyFamily("user", keys.user_pk, keep=lambda sk: sk == keys.PROFILE_SK),
    # The per-minute write budget counters (api.budget).
    KeyFamily("write_budget", keys.budget_pk),
)


class Status(Enum):
    DONE = "done"
    PAUSED = "paused"
    SUPERSEDED = "superseded"
    NOT_REQUESTED = "not_requested"


@dataclass(frozen=True, slots=True)
class ErasureProgress:
    status: Status
    user_id: str
    deleted: int = 0
    deleted_this_run: int = 0
    pages: int = 0
    requests_this_run: int = 0
    """DynamoDB requests of this invocation (queries, batch deletes, checkpoint saves)."""
    invocations: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "user_id": self.user_id,
            "deleted": self.deleted,
            "deleted_this_run": self.deleted_this_run,
            "pages": self.pages,
            "requests_this_run": self.requests_this_run,
            "invocations": self.invocations,
        }


class ErasureRequests:
    """The API side: tombstone, checkpoint, launch (idempotent: a second request restarts)."""

    def __init__(
        self,
        users: UserRepository,
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
        self._ledger.start(user_id, now, seat=_seat_partition(replaced.state.league))
        self._launch(user_id)
        return now


class Eraser:
    def __init__(
        self,
        walker: PartitionWalker,
        ledger: ErasureLedger,
        users: UserRepository,
        snapshots: SnapshotRepository,
        *,
        families: tuple[KeyFamily, ...] = USER_KEY_FAMILIES,
        page_size: int = 1000,
    ) -> None:
        self._walker = walker
        self._ledger = ledger
        self._users = users
        self._snapshots = snapshots
        self._families = families
        self._page_size = page_size

    def run(
        self,
        user_id: str,
        now: datetime,
        should_stop: Callable[[], bool] = lambda: False,
        max_pages: int | None = None,
    ) -> ErasureProgress:
        checkpoint = self._ledger.load(user_id)
        requests = 1
        if checkpoint is None:
            return ErasureProgress(Status.NOT_REQUESTED, user_id)
        if checkpoint.done:
            return _progress(Status.DONE, checkpoint, 0, 0)
        checkpoint = replace(checkpoint, invocations=checkpoint.invocations + 1)
        deleted, pages = 0, 0
        try:
            while checkpoint.family < len(self._families):
                # At least one page per invocation, so every invocation makes progress.
                if (pages and should_stop()) or (max_pages is not None and pages >= max_pages):
                    self._ledger.save(checkpoint)
                    return _progress(Status.PAUSED, checkpoint, deleted, requests + 1)
                family = self._families[checkpoint.family]
                pk = family.partition(user_id)
                found, queries = self._walker.sort_keys(pk, self._page_size, family.keep)
                requests += queries
                if not found:
                    checkpoint = replace(checkpoint, family=checkpoint.family + 1)
                    continue
                requests += self._walker.delete(pk, found)
                deleted += len(found)
                pages += 1
                checkpoint = checkpoint.advanced(len(found), now)
                self._ledger.save(checkpoint)
                requests += 1
            if checkpoint.seat is not None:  # the league seat (a new one could not be taken)
                requests += self._walker.delete(checkpoint.seat, [keys.cohort_member_sk(user_id)])
            requests += self._scrub_snapshots(user_id, checkpoint.requested_at)
            requests += 1
            if not self._users.finish_erasure(user_id, checkpoint.requested_at):
                raise SupersededError(user_id)
            checkpoint = replace(checkpoint, done=True, updated_at=now)
            requests += 1
            self._ledger.save(checkpoint)
        except SupersededError:
            return _progress(Status.SUPERSEDED, checkpoint, deleted, requests)
        return _progress(Status.DONE, checkpoint, deleted, requests)

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


def _seat_partition(league: LeagueState) -> str | None:
    """The cohort partition of the user's latest seat. Older seats (closed weeks) are read by
    nothing and expire with their week (``league_repository.expires_at``, 35 days)."""
    if league.week is None or league.cohort is None:
        return None
    return keys.cohort_pk(league.week, league.cohort_tier, league.cohort)


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
