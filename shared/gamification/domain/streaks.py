"""Streak arithmetic on sets of active days, kept as sorted runs of consecutive days.

The streak is a function of the *set* of days the user was active, not of arrival order: a late
activity that fills a gap merges two runs, exactly as if it had arrived on time. Milestones are a
monotone function of that set (``sum(len(run) // 7)``), so awarding the difference after each
batch gives the same total in any order.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DayRun(BaseModel):
    """Consecutive active days, both ends included."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1


class StreakTrack(BaseModel):
    """Recent runs of active days plus a summary of the runs that were folded away."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    runs: tuple[DayRun, ...] = ()
    folded_longest: int = Field(default=0, ge=0)
    folded_milestones: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _sorted_and_apart(self) -> StreakTrack:
        for before, after in zip(self.runs, self.runs[1:], strict=False):
            if (after.start - before.end).days < 2:
                raise ValueError("runs must be sorted and separated by at least one missed day")
        return self

    @property
    def last_day(self) -> date | None:
        return self.runs[-1].end if self.runs else None

    @property
    def current_run(self) -> int:
        """Length of the run that ends on the latest active day (clock-free)."""
        return self.runs[-1].length if self.runs else 0

    @property
    def longest(self) -> int:
        return max([self.folded_longest, *(r.length for r in self.runs)])

    def milestones(self, every: int) -> int:
        return self.folded_milestones + sum(r.length // every for r in self.runs)

    def active_on(self, day: date) -> bool:
        return any(r.start <= day <= r.end for r in self.runs)

    def with_day(self, day: date) -> StreakTrack:
        """The track with ``day`` marked active (idempotent)."""
        runs = list(self.runs)
        i = bisect_left([r.end for r in runs], day)  # first run ending on or after day
        if i < len(runs) and runs[i].start <= day:
            return self
        one = timedelta(days=1)
        joins_prev = i > 0 and runs[i - 1].end == day - one
        joins_next = i < len(runs) and runs[i].start == day + one
        if joins_prev and joins_next:
            runs[i - 1 : i + 1] = [DayRun(start=runs[i - 1].start, end=runs[i].end)]
        elif joins_prev:
            runs[i - 1] = DayRun(start=runs[i - 1].start, end=day)
        elif joins_next:
            runs[i] = DayRun(start=day, end=runs[i].end)
        else:
            runs.insert(i, DayRun(start=day, end=day))
        return self.model_copy(update={"runs": tuple(runs)})

    def folded(self, keep_after: date, every: int) -> StreakTrack:
        """Fold runs that ended before ``keep_after`` into the summary counters."""
        old = [r for r in self.runs if r.end < keep_after]
        if not old:
            return self
        return StreakTrack(
            runs=tuple(r for r in self.runs if r.end >= keep_after),
            folded_longest=max([self.folded_longest, *(r.length for r in old)]),
            folded_milestones=self.folded_milestones + sum(r.length // every for r in old),
        )


def local_day(moment: datetime, timezone: str) -> date:
    """The calendar day of ``moment`` in the user's IANA timezone."""
    return moment.astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True, slots=True)
class StreakStatus:
    """The streak as a user sees it at ``now``: alive, at risk or broken."""

    current: int
    longest: int
    active_today: bool
    expires_at: datetime | None
    """The moment the streak breaks unless the user acts (end of tomorrow, local time)."""


def streak_expires_at(track: StreakTrack, timezone: str) -> datetime | None:
    """Local midnight ending the day after the last active day: the streak breaks then."""
    last = track.last_day
    if last is None:
        return None
    deadline = last + timedelta(days=2)
    return datetime(deadline.year, deadline.month, deadline.day, tzinfo=ZoneInfo(timezone))


def reminder_due_at(track: StreakTrack, timezone: str, lead: timedelta) -> datetime | None:
    """When to remind the user: ``lead`` before the streak would break."""
    expires_at = streak_expires_at(track, timezone)
    return None if expires_at is None else expires_at - lead


def streak_status(track: StreakTrack, timezone: str, now: datetime) -> StreakStatus:
    """A streak survives while the last active day is today or yesterday in the user's zone."""
    today = local_day(now, timezone)
    last = track.last_day
    alive = last is not None and (today - last).days <= 1
    expires_at = streak_expires_at(track, timezone) if alive else None
    return StreakStatus(
        current=track.current_run if alive else 0,
        longest=track.longest,
        active_today=last == today,
        expires_at=expires_at,
    )
