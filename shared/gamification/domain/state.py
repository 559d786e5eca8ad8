"""A user's gamification state: everything the transition function reads and writes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from gamification.domain import text
from gamification.domain.badges import UserStats
from gamification.domain.levels import level_from_xp
from gamification.domain.streaks import StreakTrack
from gamification.domain.timezones import validate_timezone


class UserSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    display_name: Annotated[str, Field(max_length=64)] | None = None
    timezone: str = "UTC"
    push_enabled: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return validate_timezone(value)

    @field_validator("display_name", mode="before")
    @classmethod
    def _trimmed_name(cls, value: object) -> object:
        """Names are shown on leaderboards: trimmed, NFC, nothing that spoofs (domain.text)."""
        return text.display_name(value) if isinstance(value, str) else value


class CapSlot(BaseModel):
    """One activity that holds an XP-earning slot of a daily cap."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    xp: int
    occurred_at: AwareDatetime
    key: str

    def rank(self) -> tuple[int, datetime, str]:
        """Slots keep the best XP, then the earliest, then a stable tiebreak."""
        return (-self.xp, self.occurred_at, self.key)


class UserState(BaseModel):
    """State that is a function of the *set* of applied activities (never of their order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str
    settings: UserSettings = UserSettings()
    xp: int = Field(default=0, ge=0)
    counters: dict[str, int] = Field(default_factory=dict)
    """XP-earning activities per event type (over-cap activities are not counted)."""
    streak: StreakTrack = StreakTrack()
    challenge_streak: StreakTrack = StreakTrack()
    capped: dict[str, tuple[CapSlot, ...]] = Field(default_factory=dict)
    """Daily-cap slots per ``"<local day>|<event type>"``, kept for the streak history window."""
    weekly_xp: dict[str, int] = Field(default_factory=dict)
    """Activity XP per ISO week (UTC) of occurrence, e.g. ``{"2026-W48": 120}``; recent weeks only.
    Bonus XP (milestones, badges) counts for the all-time total only, because the week a bonus
    belongs to would depend on arrival order."""
    badges: dict[str, AwareDatetime] = Field(default_factory=dict)
    """Earned badge ids and when they were earned. Never removed."""

    @property
    def level(self) -> int:
        return level_from_xp(self.xp)

    def stats(self) -> UserStats:
        return user_stats(self.xp, self.counters, self.streak, self.challenge_streak)

    @classmethod
    def new(cls, user_id: str, settings: UserSettings | None = None) -> UserState:
        return cls(user_id=user_id, settings=settings or UserSettings())


def user_stats(
    xp: int, counters: Mapping[str, int], streak: StreakTrack, challenge: StreakTrack
) -> UserStats:
    """What badge criteria read, from a state's parts (the transition's working copy has them
    too, so both build the stats here)."""
    return UserStats(
        xp=xp,
        level=level_from_xp(xp),
        counters=counters,
        current_streak=streak.current_run,
        longest_streak=streak.longest,
        current_challenge_streak=challenge.current_run,
        longest_challenge_streak=challenge.longest,
    )
