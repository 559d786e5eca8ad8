"""The caller's own mutable state: settings, and read marks on their notifications."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from gamification.adapters.notification_repository import MarkedRead, NotificationRepository
from gamification.adapters.user_repository import UserRepository
from gamification.domain.state import UserSettings
from gamification.validation import problems


class InvalidSettingsError(ValueError):
    """The settings break a rule (an unknown timezone, a blank name); ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AccountService:
    def __init__(
        self,
        users: UserRepository,
        notifications: NotificationRepository,
        clock: Callable[[], datetime],
    ) -> None:
        self._users = users
        self._notifications = notifications
        self._clock = clock

    def update_settings(self, user_id: str, changes: Mapping[str, Any]) -> UserSettings:
        """Apply the given fields (others keep their value) under the profile's version guard.

        The repository re-derives the reminder index (push and timezone decide it). The name
        shown on leaderboards reaches Redis through the projector (the profile write is on the
        table's stream), so this function needs neither Redis nor the VPC.
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
