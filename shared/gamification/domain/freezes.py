"""Streak freezes: a held freeze covers a missed day, so one bad day does not erase months.

Nothing here is mutated incrementally. The freezes a user holds, the days they covered and the
streak they kept alive are *derived* by one scan over the recent active days (the streak runs)
and the recent grants, starting from a carried summary of what was folded away. So the result
is a function of the set of active days and grants, never of arrival order: a late activity
that fills a covered day simply makes the scan bridge nothing there, and the freeze is back.

Rules (``FreezeRules``, data in the policy):

- one freeze is earned on every ``earn_every``-th active day of a streak (7, 14, ...); a trusted
  service can grant one (the service-only ``streak_freeze_granted`` event type);
- at most ``max_held`` freezes are held: more are lost (earning or granting at the cap is a no-op);
- a gap of missed days is bridged when the freezes held (plus those granted during the gap) cover
  every missed day: the streak lives on, covered days do not add to its length, one freeze is
  spent per covered day. A gap the freezes cannot cover breaks the streak and spends nothing
  (so a two-day gap with one freeze is not bridged and the freeze is kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from gamification.domain.streaks import StreakTrack, local_day

FREEZE_GRANTED = "streak_freeze_granted"
"""The service-only event type that grants one freeze on the day it occurred."""

ONE_DAY = timedelta(days=1)


class FreezeRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    earn_every: int = Field(default=7, ge=1)
    """A freeze is earned on every Nth active day of a streak."""
    max_held: int = Field(default=2, ge=0, le=10)
    """Freezes held at most; the cap is also the most grants kept per day."""
    recent_shown: int = Field(default=5, ge=0, le=30)
    """How many of the latest covered days the profile lists."""


class FreezeCarry(BaseModel):
    """The scan's state right after the last active day that was folded out of the history."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last: date
    length: int = Field(ge=1)
    """Active days of the streak ending on ``last`` (covered days excluded)."""
    held: int = Field(ge=0)
    longest: int = Field(ge=1)


class FreezeLedger(BaseModel):
    """What freezes are derived from, besides the streak runs: grants and the folded summary.

    Bounded: grants are kept per day (at most ``max_held`` counted per day) only for days the
    history still holds; older ones are folded into ``carry`` with the runs they follow."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grants: dict[date, int] = Field(default_factory=dict)
    carry: FreezeCarry | None = None

    def with_grant(self, day: date, rules: FreezeRules) -> FreezeLedger:
        """One more grant on ``day`` (a distinct grant activity; the dedupe marker is exact)."""
        count = min(rules.max_held, self.grants.get(day, 0) + 1)
        if count == self.grants.get(day, 0):
            return self
        return self.model_copy(update={"grants": {**self.grants, day: count}})


@dataclass(frozen=True, slots=True)
class Frozen:
    day: date
    streak: int
    """The streak's length (active days) that the freeze kept alive."""


@dataclass(frozen=True, slots=True)
class Chain:
    """The streak as freezes shape it, as of the last active day."""

    last: date | None
    length: int
    held: int
    longest: int
    frozen: tuple[Frozen, ...]


def _grants_between(grants: Mapping[date, int], first: date, last: date) -> int:
    return sum(n for d, n in grants.items() if first <= d <= last)


def _bridge(
    held: int, first: date, last: date, grants: Mapping[date, int], rules: FreezeRules
) -> int | None:
    """Freezes left after covering every day ``first..last``, or ``None`` when they cannot."""
    if (last - first).days + 1 > held + _grants_between(grants, first, last):
        return None  # cheap refusal: a long gap is never walked day by day
    day = first
    while day <= last:
        held = min(rules.max_held, held + grants.get(day, 0))
        if held == 0:
            return None
        held -= 1
        day += ONE_DAY
    return held


def chain(track: StreakTrack, ledger: FreezeLedger, rules: FreezeRules) -> Chain:
    """Scan the runs (oldest first) from the carried summary: a pure function of the sets."""
    carry = ledger.carry
    last = carry.last if carry else None
    length = carry.length if carry else 0
    held = carry.held if carry else 0
    longest = carry.longest if carry else 0
    grants = ledger.grants
    frozen: list[Frozen] = []
    cap = rules.max_held
    for run in track.runs:
        if last is not None and run.start <= last:
            continue  # folded already (cannot happen for a well-formed state)
        if last is None:
            before = sum(n for d, n in grants.items() if d < run.start)
            held, length = min(cap, held + before), 0
        else:
            gap_first, gap_last = last + ONE_DAY, run.start - ONE_DAY
            left = _bridge(held, gap_first, gap_last, grants, rules)
            if left is None:
                held = min(cap, held + _grants_between(grants, gap_first, gap_last))
                length = 0
            else:
                day = gap_first
                while day <= gap_last:
                    frozen.append(Frozen(day, length))
                    day += ONE_DAY
                held = left
        earned = (length + run.length) // rules.earn_every - length // rules.earn_every
        held = min(cap, held + earned + _grants_between(grants, run.start, run.end))
        length += run.length
        longest = max(longest, length)
        last = run.end
    return Chain(last=last, length=length, held=held, longest=longest, frozen=tuple(frozen))


@dataclass(frozen=True, slots=True)
class FreezeStatus:
    """The streak at ``today`` with freezes: what the profile and the reminder job read."""

    current: int
    longest: int
    held: int
    frozen: tuple[date, ...]
    """Covered days, oldest first: bridged gaps and the days already missed since the last
    active day that held freezes will cover (pending until the user is active again)."""
    expires_at: datetime | None
    """Local midnight after which the streak is broken unless the user acts."""


def freeze_status(
    track: StreakTrack, ledger: FreezeLedger, rules: FreezeRules, timezone: str, now: datetime
) -> FreezeStatus:
    """The chain continued to ``now``: missed days since the last active day are covered while
    freezes last (spent only for display; the stored state changes when the user is back)."""
    scan = chain(track, ledger, rules)
    today = local_day(now, timezone)
    frozen = [f.day for f in scan.frozen]
    if scan.last is None:
        held = min(rules.max_held, scan.held + sum(n for d, n in ledger.grants.items()))
        return FreezeStatus(0, scan.longest, held, tuple(frozen), None)
    after = sum(n for d, n in ledger.grants.items() if scan.last < d <= today)
    current, held = scan.length, scan.held
    if (today - scan.last).days >= 2:  # yesterday (at least) was missed
        first, last = scan.last + ONE_DAY, today - ONE_DAY
        left = _bridge(held, first, last, ledger.grants, rules)
        if left is None:
            held = min(rules.max_held, held + after)
            return FreezeStatus(0, scan.longest, held, tuple(frozen), None)
        frozen.extend(first + timedelta(days=i) for i in range((last - first).days + 1))
        held = min(rules.max_held, left + ledger.grants.get(today, 0))
    else:
        held = min(rules.max_held, held + after)
    deadline = max(today, scan.last + ONE_DAY) + timedelta(days=1 + held)
    expires = datetime(deadline.year, deadline.month, deadline.day, tzinfo=ZoneInfo(timezone))
    return FreezeStatus(current, scan.longest, held, tuple(frozen), expires)


def expires_without_clock(
    track: StreakTrack, ledger: FreezeLedger, rules: FreezeRules, timezone: str
) -> datetime | None:
    """When the streak breaks if the user is never active again: the day after the last active
    day, plus one day per freeze held then (the reminder index is keyed by it)."""
    scan = chain(track, ledger, rules)
    if scan.last is None:
        return None
    later = sum(n for d, n in ledger.grants.items() if d > scan.last)
    held = min(rules.max_held, scan.held + later)
    deadline = scan.last + timedelta(days=2 + held)
    return datetime(deadline.year, deadline.month, deadline.day, tzinfo=ZoneInfo(timezone))


MAX_GRANT_DAYS = 60
"""Grant days kept after the last folded active day. Past it the oldest are added to the carried
count: reachable only when a service grants freezes on more than 60 distinct days while the
user's streak waits on a gap (the one approximation, documented in docs/data-model.md)."""


def fold(
    track: StreakTrack, ledger: FreezeLedger, rules: FreezeRules, keep_after: date
) -> FreezeLedger:
    """Summarise the runs ending before ``keep_after`` (the streak folds them away) into the
    carry and drop the grants up to the last of them: exact, since the carry is the scan's state
    right after that day. Grants after it stay (a gap after the carried day is decided only by
    the next active day); their number is bounded by ``MAX_GRANT_DAYS``."""
    old = StreakTrack(runs=tuple(r for r in track.runs if r.end < keep_after))
    carry = ledger.carry
    if old.runs:
        scan = chain(old, ledger, rules)
        if scan.last is not None:
            carry = FreezeCarry(
                last=scan.last, length=scan.length, held=scan.held, longest=max(1, scan.longest)
            )
    limit = carry.last if carry else None
    grants = {d: n for d, n in ledger.grants.items() if limit is None or d > limit}
    if carry is None and grants and min(grants) < keep_after:
        # No active day yet: grants before the first active day only add up (capped), and no
        # active day can still arrive before ``keep_after``: the oldest kept day carries them.
        early = sum(n for d, n in grants.items() if d < keep_after)
        grants = {d: n for d, n in grants.items() if d >= keep_after}
        grants[keep_after] = min(rules.max_held, grants.get(keep_after, 0) + early)
    if len(grants) > MAX_GRANT_DAYS:
        days = sorted(grants)
        excess = days[: len(days) - MAX_GRANT_DAYS]
        extra = sum(grants.pop(d) for d in excess)
        if carry is not None:
            carry = carry.model_copy(update={"held": min(rules.max_held, carry.held + extra)})
        else:
            first = min(grants)
            grants[first] = min(rules.max_held, grants[first] + extra)
    if grants == ledger.grants and carry == ledger.carry:
        return ledger
    return FreezeLedger(grants=grants, carry=carry)
