"""Tunable limits of the engine, with the defaults the product documents."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from gamification.domain.experiments import ControlGroup
from gamification.domain.freezes import FreezeRules


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_backdate: timedelta = Field(default=timedelta(hours=48))
    """How far before its arrival an activity may have happened and still count for its day."""

    max_clock_skew: timedelta = Field(default=timedelta(minutes=5))
    """How far after its arrival a client clock may place an activity (clock skew)."""

    streak_history_days: int = Field(default=60, ge=7)
    """Days of streak and cap history kept per user. It only has to exceed the back-dating window
    plus the queue's retention (14 days), because no older activity can still arrive."""

    milestone_every: int = Field(default=7, ge=1)
    """Every Nth day of a streak awards a streak milestone."""

    freezes: FreezeRules = Field(default_factory=FreezeRules)
    """How streak freezes are earned and held (domain.freezes)."""

    control: ControlGroup = Field(default_factory=ControlGroup)
    """The control group's share and salt (domain.experiments; off by default)."""
