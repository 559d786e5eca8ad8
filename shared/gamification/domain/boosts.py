"""Server-side XP multipliers ("double XP weekend").

A boost is chosen by the activity's occurrence time, never by processing time, so reprocessing an
activity always gives it the same XP. Boosts do not stack: the best matching one applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class Boost(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    multiplier: Decimal = Field(gt=Decimal(1), le=Decimal(10), decimal_places=2)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    event_types: frozenset[str] | None = None
    """The types it applies to; ``None`` means every XP-earning type."""

    @model_validator(mode="after")
    def _window(self) -> Boost:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    def applies(self, event_type: str, occurred_at: datetime) -> bool:
        in_window = self.starts_at <= occurred_at < self.ends_at
        return in_window and (self.event_types is None or event_type in self.event_types)


def best_boost(boosts: Iterable[Boost], event_type: str, occurred_at: datetime) -> Boost | None:
    """The highest multiplier that applies (ties broken by id, so the choice is deterministic)."""
    matching = [b for b in boosts if b.applies(event_type, occurred_at)]
    return max(matching, key=lambda b: (b.multiplier, b.id), default=None)


def boosted_xp(base_xp: int, boost: Boost | None) -> int:
    """XP after the boost, rounded down to a whole point."""
    if boost is None:
        return base_xp
    return int((Decimal(base_xp) * boost.multiplier).to_integral_value(rounding=ROUND_FLOOR))
