"""Stored cheating flags: which rule fired on whom, with its evidence, until an admin reviews it.

Two rules, both data (``data/leagues.json``):

* **velocity** (``VelocityRule``): more than ``max_per_minute`` XP-earning activities that
  occurred in one UTC minute (``occurred_at``: an offline client syncing a day of reading, or
  the simulator's back-dated import, arrives in a burst but is spread over its real minutes;
  a script stamping "now" 2,300 times is not). Evaluated by
  the consumer in the user's own transaction, over a bounded per-minute count in the profile
  (``UserState.velocity``: at most ``KEPT_MINUTES`` minutes);
* **outlier** (``domain.cheating.OutlierRule``): a league week's XP far above the cohort's,
  evaluated by the weekly close from the cohort board.

A flag is stored on the profile (``UserState.flag``) and, in the same transaction, as one item
in the flags list the admins page through (docs/data-model.md). While a flag is open the user is
left out of every league close; an admin clears it (back in from the next close) or confirms it
(optionally with the existing exclusion). A user has at most one open flag: a rule that fires
on a flagged user stores nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gamification.domain.cheating import OutlierRule, median, outliers

KEPT_MINUTES = 3
"""Minutes of counts a profile keeps: activities of one minute that arrive in different
commits (batches, retries) within this many minutes are counted together, in any order."""


class Rule(StrEnum):
    VELOCITY = "velocity"
    OUTLIER = "outlier"


class Review(StrEnum):
    CLEARED = "cleared"
    CONFIRMED = "confirmed"


class VelocityRule(BaseModel):
    """More than ``max_per_minute`` XP-earning activities that occurred in one minute."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    max_per_minute: Annotated[int, Field(ge=1, le=10_000)] = 60
    """A reader finishes a post every few seconds at most; 60 a minute is no human."""


class Flag(BaseModel):
    """One open flag: the rule, its evidence (``observed`` against ``threshold`` over
    ``window``) and when it was raised. ≤ 120 B as JSON, on the profile and in the flags list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: Rule
    observed: int = Field(description="What the user did: activities in the minute, week XP")
    threshold: int = Field(description="The least that fires the rule")
    window: str = Field(max_length=20, description="The minute (UTC) or the ISO week")
    at: AwareDatetime = Field(description="When the flag was raised")


def minute_of(moment: datetime) -> str:
    """The UTC minute ``moment`` falls in, as ``YYYY-MM-DDTHH:MM`` (sorts by time)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def velocity_step(
    counts: Mapping[str, int],
    occurred: Iterable[datetime],
    rule: VelocityRule,
    flag: Flag | None,
    now: datetime,
) -> tuple[dict[str, int], Flag | None]:
    """Add one commit's XP-earning activities (their occurrence times) to the per-minute counts.

    Returns the counts to store (the latest ``KEPT_MINUTES`` minutes) and a *new* flag when a
    minute's count crosses the rule's limit in this commit and no flag is open. An activity of
    a minute older than every kept one is not counted (it cannot make a newer count wrong).
    """
    added: dict[str, int] = {}
    for moment in occurred:
        minute = minute_of(moment)
        added[minute] = added.get(minute, 0) + 1
    if not added:
        return dict(counts), None
    merged = dict(counts)
    for minute, n in added.items():
        merged[minute] = merged.get(minute, 0) + n
    kept = dict(sorted(merged.items())[-KEPT_MINUTES:])
    if flag is not None or not rule.enabled:
        return kept, None
    limit = rule.max_per_minute
    crossed = [m for m in sorted(added) if m in kept and counts.get(m, 0) <= limit < kept[m]]
    if not crossed:
        return kept, None
    minute = crossed[0]
    return kept, Flag(
        rule=Rule.VELOCITY, observed=kept[minute], threshold=limit + 1, window=minute, at=now
    )


def outlier_threshold(week_xp: Mapping[str, int], rule: OutlierRule) -> int:
    """The least week XP the outlier rule flags in this cohort (its evidence)."""
    return max(rule.min_xp, int(rule.factor * median(list(week_xp.values()))) + 1)


def outlier_flags(
    week: str, week_xp: Mapping[str, int], rule: OutlierRule, now: datetime
) -> dict[str, Flag]:
    """The flags the close raises in one cohort (user id -> the week's XP)."""
    flagged = outliers(week_xp, rule)
    if not flagged:
        return {}
    bar = outlier_threshold(week_xp, rule)
    return {
        u: Flag(rule=Rule.OUTLIER, observed=week_xp[u], threshold=bar, window=week, at=now)
        for u in sorted(flagged)
    }


@dataclass(frozen=True, slots=True)
class FlaggedUser:
    user_id: str
    flag: Flag


@dataclass(frozen=True, slots=True)
class FlagPage:
    flags: list[FlaggedUser]
    next_cursor: str | None
