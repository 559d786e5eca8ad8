"""The caller's own mutable state: settings, and read marks on their notifications."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from gamification.domain.notifications import MarkedRead
from gamification.domain.profile_records import StoredUser
from gamification.domain.state import UserSettings
from gamification.validation import problems

# -- ports (adapters: UserRepository, NotificationRepository; fakes: tests/fakes) ---------------


class SettingsStore(Protocol):
    def update_settings(
        self, user_id: str, update: Callable[[UserSettings], UserSettings], now: datetime
    ) -> StoredUser:
        """Apply ``update`` to the stored settings under the profile's version guard (it runs
        again on every re-read)."""
        ...


class ReadMarks(Protocol):
    def mark_read(self, user_id: str, ids: Collection[str] | None) -> MarkedRead:
        """Mark the given notifications (all unread ones with ``None``) as read."""
        ...


class InvalidSettingsError(ValueError):
    """The settings break a rule (an unknown timezone, a blank name); ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AccountService:
    def __init__(
        self,
        users: SettingsStore,
        notifications: ReadMarks,
        clock: Callable[[], datetime],
    ) -> None:
        self._users = users
        self._notifications = notifications
        self._clock = clock

    def update_settings(self, user_id: str, changes: Mapping[str, Any]) -> UserSettings:
        """Apply the given fields (others keep their value) under the profile's version guard.

        The repository re-derives the reminder index (push and timezone decide it). The boards
        follow from the profile write on the table's stream (the projector carries the name and
        ``leaderboard_visible``), so this function never talks to Redis.
        """
        stored = self._users.update_settings(
            user_id, lambda current: _merged(current, changes), self._clock()
        )
        return stored.state.settings

    def mark_read(self, user_id: str, ids: Collection[str] | None) -> MarkedRead:
        """Mark some of the caller's notifications (or all of them, with ``None``) as read."""
        return self._notifications.mark_read(user_id, ids)


def _merged(current: UserSettings, changes: Mapping[str, Any]) -> UserSettings:
    """The current settings with ``changes`` applied, validated by the domain."""
    try:
        return UserSettings.model_validate({**current.model_dump(), **changes})
    except ValidationError as error:
        raise InvalidSettingsError(*next(problems(error))) from error
