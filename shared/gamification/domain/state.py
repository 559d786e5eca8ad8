"""A user's gamification state: everything the transition function reads and writes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from hashlib import blake2b
from typing import Annotated, NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from gamification.domain import text
from gamification.domain.badges import UserStats
from gamification.domain.experiments import Assignment
from gamification.domain.flags import Flag
from gamification.domain.freezes import FreezeLedger
from gamification.domain.leagues import LeagueState
from gamification.domain.levels import level_from_xp
from gamification.domain.messages import DEFAULT_LOCALE, known_locale
from gamification.domain.quests import QuestProgress
from gamification.domain.streaks import StreakTrack
from gamification.domain.timezones import validate_timezone
from gamification.domain.wallet import WalletState


class UserSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    display_name: Annotated[str, Field(max_length=64)] | None = None
    timezone: str = "UTC"
    push_enabled: bool = False
    leaderboard_visible: bool = True
    """Off: the user leaves every public board and others' "around me" (XP, levels and badges
    stay; their own rank is still shown to them)."""
    locale: str = DEFAULT_LOCALE
    """The language notifications are written in when created (``domain.messages``)."""
    friend_passed_notices: bool = True
    """Off: no "NAME passed you on the weekly board" notifications (docs/friends.md)."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return validate_timezone(value)

    @field_validator("locale")
    @classmethod
    def _spoken(cls, value: str) -> str:
        return known_locale(value)

    @field_validator("display_name", mode="before")
    @classmethod
    def _trimmed_name(cls, value: object) -> object:
        """Names are shown on leaderboards: trimmed, NFC, nothing that spoofs (domain.text)."""
        return text.display_name(value) if isinstance(value, str) else value


class CapSlot(NamedTuple):
    """One activity that holds an XP-earning slot of a daily cap, in a fixed size.

    The activity's dedupe key is kept only as a 64-bit digest, so a slot costs the same whatever
    the length of the object id (the dedupe marker, not the slot, is the exact record).
    """

    xp: int
    at: int
    """Occurrence time, microseconds since the Unix epoch (UTC)."""
    digest: int
    """``slot_digest`` of the activity's dedupe key."""

    def rank(self) -> tuple[int, int, int]:
        """Slots keep the best XP, then the earliest, then a stable tiebreak."""
        return (-self.xp, self.at, self.digest)

    @property
    def occurred_at(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.at)

    @classmethod
    def of(cls, xp: int, occurred_at: datetime, key: str) -> CapSlot:
        return cls(xp, epoch_micros(occurred_at), slot_digest(key))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def slot_digest(key: str) -> int:
    """64 bits of BLAKE2b: two keys of one day's bucket (≤ its cap) collide with odds ~2^-52."""
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "big")


class UserState(BaseModel):
    """State that is a function of the *set* of applied activities (never of their order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str
    settings: UserSettings = UserSettings()
    xp: int = Field(default=0, ge=0)
    counters: dict[str, int] = Field(default_factory=dict)
    """XP-earning activities per event type (over-cap activities are not counted), and the
    tallies live criteria read (``~<digest>``: filtered counts, sums, distinct counts; see
    ``domain.tallies``), kept only while a live criterion references them."""
    sketches: dict[str, tuple[int, ...]] = Field(default_factory=dict)
    """Per distinct-count tally: the smallest 32-bit digests of the values seen (at most its
    largest target, ≤ ``MAX_DISTINCT``); per window tally: the recent local days' counts as
    ``(day ordinal << 16) | count`` (≤ its days + 60 entries, ``domain.tallies``)."""
    streak: StreakTrack = StreakTrack()
    challenge_streak: StreakTrack = StreakTrack()
    freezes: FreezeLedger = FreezeLedger()
    """Streak-freeze grants and the folded summary; freezes held and covered days are derived
    from it with ``streak`` (domain.freezes), never stored twice."""
    capped: dict[str, tuple[CapSlot, ...]] = Field(default_factory=dict)
    """Daily-cap slots per ``"<local day>|<event type>"``. The transition reads only the buckets of
    the days its activities fall on; storage keeps each day in its own item (see the repository),
    so the profile does not grow with the number of days a user has been active."""
    weekly_xp: dict[str, int] = Field(default_factory=dict)
    """Activity XP per ISO week (UTC) of occurrence, e.g. ``{"2026-W48": 120}``; recent weeks only.
    Bonus XP (milestones, badges) counts for the all-time total only, because the week a bonus
    belongs to would depend on arrival order."""
    badges: dict[str, AwareDatetime] = Field(default_factory=dict)
    """Earned badge ids and when they were earned. Never removed."""
    quests: dict[str, QuestProgress] = Field(default_factory=dict)
    """Progress and completion per quest, for quests still in the catalog only (an entry goes
    when its quest leaves the catalog), so at most ``MAX_QUESTS`` entries."""
    league: LeagueState = LeagueState()
    """Tier, latest cohort and latest result (bounded; written by the consumer and the league
    close job, not a function of the activities alone)."""
    experiment: Assignment | None = None
    """The user's recorded control-group assignment (domain.experiments), set at their first
    commit; ``None`` before (stored only once set: ≤ 90 B)."""
    broken_told: date | None = None
    """The last active day of the latest streak whose ``streak.broken`` event went out from the
    reminder job (``domain_events.broken_by_clock``), so the next activity does not emit it
    again: once per streak. One date, written only by the job (not a function of the activities
    alone, like ``league``); the activity path only reads it."""
    wallet: WalletState = WalletState()
    """Currency balances and the ledger's length (domain.wallet; one number per currency)."""
    flag: Flag | None = None
    """The open cheating flag (domain.flags), until an admin reviews it: left out of league
    closes meanwhile. Written by the consumer, the league close and the review (≤ 120 B)."""
    velocity: dict[str, int] = Field(default_factory=dict)
    """XP-earning activities per UTC minute of occurrence, the latest ``flags.KEPT_MINUTES``
    minutes only (≤ 3 entries): what the velocity rule counts."""

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
