"""The caller's own mutable state: settings, and read marks on their notifications."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from gamification.adapters.leaderboard import Leaderboard, LeaderboardUnavailableError
from gamification.adapters.notification_repository import MarkedRead, NotificationRepository
from gamification.adapters.user_repository import UserRepository
from gamification.domain.state import UserSettings
from gamification.validation import problems

logger = Logger(child=True)


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
        leaderboard: Leaderboard,
        clock: Callable[[], datetime],
    ) -> None:
        self._users = users
        self._notifications = notifications
        self._leaderboard = leaderboard
        self._clock = clock

    def update_settings(self, user_id: str, changes: Mapping[str, Any]) -> UserSettings:
        """Apply the given fields (others keep their value) under the profile's version guard.

        The repository re-derives the reminder index (push and timezone decide it). The name
        shown on leaderboards is updated best effort: if Redis is down, the next reconciliation
        copies it from the profile.
        """
        stored = self._users.update_settings(
            user_id, lambda current: _merged(current, changes), self._clock()
        )
        saved = stored.state.settings
        if "display_name" in changes:
            try:
                self._leaderboard.set_name(user_id, saved.display_name)
            except LeaderboardUnavailableError:
                logger.warning("leaderboard name not updated; reconciliation will copy it")
        return saved

    def mark_read(self, user_id: str, ids: Collection[str] | None) -> MarkedRead:
        """Mark some of the caller's notifications (or all of them, with ``None``) as read."""
        return self._notifications.mark_read(user_id, ids)


def _merged(current: UserSettings, changes: Mapping[str, Any]) -> UserSettings:
    """The current settings with ``changes`` applied, validated by the domain."""
    try:
        return UserSettings.model_validate({**current.model_dump(), **changes})
    except ValidationError as error:
        raise InvalidSettingsError(*next(problems(error))) from error
