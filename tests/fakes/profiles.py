"""In-memory profiles: the profile ports of the read, account, exclusion, export and reminder
services (real: ``adapters.user_repository.UserRepository``; the contract:
tests/adapters/contracts/test_profiles.py).

Each write bumps the version, as the real commit does; ``save`` (the reminder job's commit of a
``streak.broken``) checks the version read and keeps each write's events (``outbox``), as the
profile's outbox attribute does; the activity write path (``commit``) is not part of these ports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from gamification.adapters.user_repository import Exclusion, StoredUser
from gamification.domain.domain_events import EventDraft
from gamification.domain.notifications import Notification
from gamification.domain.profile_records import UserChange, VersionConflictError
from gamification.domain.state import UserSettings, UserState
from gamification.domain.wallet import LedgerEntry


class FakeProfiles:
    def __init__(self) -> None:
        self.stored: dict[str, StoredUser] = {}
        self.outbox: list[tuple[str, int, tuple[EventDraft, ...]]] = []
        """(user, version written, events) of every ``save`` that carried events."""
        self.notifications: dict[str, list[Notification]] = {}
        """The notifications each ``save`` committed, by user (the real one writes an item each)."""
        self.ledger: dict[str, list[LedgerEntry]] = {}
        """The wallet's ledger entries each ``save`` committed, by user (the real one writes an
        item each, with the profile's balances)."""

    def put(self, stored: StoredUser) -> StoredUser:
        """Store a profile as a test arranges it (version 1 if it had none)."""
        stored = stored if stored.version else replace(stored, version=1)
        self.stored[stored.state.user_id] = stored
        return stored

    def load(self, user_id: str, consistent: bool = True) -> StoredUser:
        return self.stored.get(user_id) or StoredUser(UserState.new(user_id))

    def load_many(self, user_ids: Iterable[str], consistent: bool = False) -> dict[str, StoredUser]:
        return {u: self.load(u) for u in dict.fromkeys(user_ids)}

    def update_settings(
        self, user_id: str, update: Callable[[UserSettings], UserSettings], now: datetime
    ) -> StoredUser:
        stored = self.load(user_id)
        state = stored.state.model_copy(update={"settings": update(stored.state.settings)})
        return self._write(replace(stored, state=state))

    def set_exclusion(self, user_id: str, exclusion: Exclusion | None, now: datetime) -> StoredUser:
        stored = self.load(user_id)
        return self._write(replace(stored, marks=replace(stored.marks, exclusion=exclusion)))

    def save(self, change: UserChange) -> StoredUser:
        user_id = change.state.user_id
        if self.load(user_id).version != change.before.version:
            raise VersionConflictError("profile changed since it was read")
        written = self._write(replace(change.before, state=change.state, marks=change.new_marks))
        if change.outbox:
            self.outbox.append((user_id, written.version, change.outbox))
        self.notifications.setdefault(user_id, []).extend(change.notifications)
        if change.wallet.entries:
            self.ledger.setdefault(user_id, []).extend(change.wallet.entries)
        return written

    def _write(self, stored: StoredUser) -> StoredUser:
        written = replace(stored, version=stored.version + 1)
        self.stored[stored.state.user_id] = written
        return written
