"""Operators take an account off the boards (a cheater, an abusive name) and put it back.

The exclusion (reason and time) is stored on the profile and carried by every later write; the
profile write reaches the projector through the stream, which removes the user from every Redis
board, and the reconciler and snapshots leave unlisted players out. XP, levels and badges stay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from gamification.domain.profile_records import Exclusion, StoredUser
from gamification.domain.text import human_text
from gamification.services.read_models import ExclusionOut

# -- port (adapter: UserRepository; fake: tests/fakes) --------------------------------------------


class Exclusions(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def set_exclusion(self, user_id: str, exclusion: Exclusion | None, now: datetime) -> StoredUser:
        """Store (or lift, with ``None``) the exclusion under the profile's version guard."""
        ...


class ReasonRequiredError(ValueError):
    """An exclusion must say why (it is shown to the user in their export)."""

    field = "reason"


class ExclusionService:
    def __init__(self, users: Exclusions, clock: Callable[[], datetime]) -> None:
        self._users = users
        self._clock = clock

    def set(self, user_id: str, excluded: bool, reason: str | None) -> ExclusionOut:
        """Exclude (with a reason) or lift; repeating either is harmless. Excluding again with
        another reason keeps the first exclusion time and stores the new reason."""
        now = self._clock()
        if excluded and not reason:
            raise ReasonRequiredError("an exclusion needs a reason")
        if excluded and reason:
            try:
                reason = human_text(reason)
            except ValueError as problem:
                raise ReasonRequiredError(str(problem)) from problem
        current = self._users.load(user_id).marks.exclusion
        exclusion = Exclusion(str(reason), current.at if current else now) if excluded else None
        self._users.set_exclusion(user_id, exclusion, now)
        return ExclusionOut(
            user_id=user_id,
            excluded=exclusion is not None,
            reason=exclusion.reason if exclusion else None,
            excluded_at=exclusion.at if exclusion else None,
        )
