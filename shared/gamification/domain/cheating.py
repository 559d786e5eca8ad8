"""Cheating flags: rules as data that single out a league week's implausible XP (pure).

Duolingo's league forums are full of "2,300 XP in one minute" complaints; a cheater who climbs
a tier every week pushes honest members out of the promotion zone. The rule here is
cohort-relative and needs nothing but the cohort board the close already reads (no per-user
state, no per-minute counters): a member is flagged when their week's XP is at least
``min_xp`` **and** more than ``factor`` times the cohort's median week XP.

It is a function of the *set* of standings, so the same activities applied in any order, in
any batch split, flag the same members (the board is order-independent; property-tested).
With ``factor >= 1`` a flagged member is above the median, so fewer than half of a cohort can
ever be flagged: a hot week for everybody flags nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class OutlierRule(BaseModel):
    """Week XP far above the cohort's: flagged for an admin and left out of the close."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    factor: Annotated[int, Field(ge=1, le=1_000)] = 10
    """Flagged above ``factor`` x the cohort's median week XP."""
    min_xp: Annotated[int, Field(ge=1)] = 2_000
    """Never flagged below this (a quiet cohort's median is near zero)."""


def median(values: list[int]) -> float:
    """The median of ``values`` (0 for none); exact for integers."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return 0.0
    middle = n // 2
    return float(ordered[middle]) if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def outliers(week_xp: Mapping[str, int], rule: OutlierRule) -> frozenset[str]:
    """The members of one cohort (user id -> the week's XP) the rule flags."""
    if not rule.enabled or not week_xp:
        return frozenset()
    bar = rule.factor * median(list(week_xp.values()))
    return frozenset(u for u, xp in week_xp.items() if xp >= rule.min_xp and xp > bar)
