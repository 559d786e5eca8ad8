"""Admins review the stored cheating flags: list the open ones, clear or confirm each.

A flag is raised by a rule (``domain.flags``) in the consumer's or the close's transaction; here
it is closed: **clear** (a false alarm: the user is back in the league closes from the next
one) or **confirm** (cheating: by default the user is also excluded with the exclusion that
exists, ``services.exclusion``, which keeps them off every board and out of every cohort until
lifted). Either way the flag leaves the profile and the list in one version-guarded write with
its ``user.flag_reviewed`` event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gamification.domain.flag_events import flag_reviewed
from gamification.domain.flags import FlagPage, Review
from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError
from gamification.services.exclusion import ExclusionService

MAX_PAGE = 100

# -- ports (adapters: FlagList, UserRepository; fakes: tests/fakes/flags.py) ----------------------


class FlagPages(Protocol):
    def page(self, limit: int, cursor: str | None = None) -> FlagPage:
        """Open flags by user id; ``cursor`` continues after the previous page."""
        ...


class FlaggedProfiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def save(self, change: UserChange) -> StoredUser:
        """Write under the version guard (the flags list follows the profile's flag)."""
        ...


class NoOpenFlagError(LookupError):
    """The user has no open flag (never flagged, or reviewed already): a 404."""


@dataclass(frozen=True, slots=True)
class Reviewed:
    user_id: str
    rule: str
    review: Review
    excluded: bool


class FlagReviews:
    def __init__(
        self,
        flags: FlagPages,
        users: FlaggedProfiles,
        exclusions: ExclusionService,
        clock: Callable[[], datetime],
        *,
        max_attempts: int = 5,
    ) -> None:
        self._flags = flags
        self._users = users
        self._exclusions = exclusions
        self._clock = clock
        self._max_attempts = max_attempts

    def open_flags(self, limit: int = 50, cursor: str | None = None) -> FlagPage:
        return self._flags.page(max(1, min(limit, MAX_PAGE)), cursor)

    def clear(self, user_id: str) -> Reviewed:
        """A false alarm: the flag closes and the user counts in the next close again."""
        return self._close(user_id, Review.CLEARED, excluded=False)

    def confirm(self, user_id: str, exclude: bool = True, reason: str | None = None) -> Reviewed:
        """Cheating: the flag closes; with ``exclude`` the user is excluded first (so a failure
        between the two writes leaves the flag open, and a retry finishes the review)."""
        flag = self._users.load(user_id).state.flag
        if flag is None:
            raise NoOpenFlagError(f"user {user_id} has no open flag")
        if exclude:
            why = reason or f"cheating confirmed: {flag.rule.value} flag ({flag.window})"
            self._exclusions.set(user_id, True, why)
        return self._close(user_id, Review.CONFIRMED, excluded=exclude)

    def _close(self, user_id: str, review: Review, *, excluded: bool) -> Reviewed:
        now = self._clock()
        for _ in range(self._max_attempts):
            stored = self._users.load(user_id)
            flag = stored.state.flag
            if flag is None:
                raise NoOpenFlagError(f"user {user_id} has no open flag")
            change = UserChange(
                before=stored,
                state=stored.state.model_copy(update={"flag": None}),
                now=now,
                events=(flag_reviewed(flag, review, now),),
            )
            try:
                self._users.save(change)
            except VersionConflictError:
                continue
            return Reviewed(user_id, flag.rule.value, review, excluded)
        raise VersionConflictError(f"user {user_id} kept changing")
