"""Event catalog: which activities exist, what they are worth and who may report them.

The catalog is data (``data/event_types.json``) so a deployment can add its own types without
touching code. Each type decides how it resists farming: a dedupe key per object (reading post X
twice earns once), an optional daily cap, and who may report it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from gamification.domain.attributes import (
    MAX_ATTRIBUTES,
    AttributeName,
    AttributeSpec,
    XpRule,
    attribute_problem,
    rule_xp,
    where_problem,
)
from gamification.domain.xp import MAX_AWARD_XP

EventTypeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]

STREAK_MILESTONE = "streak_milestone"
BADGE_EARNED = "badge_earned"
POST_READ = "post_read"
SERIES_COMPLETED = "series_completed"
CHALLENGE_SOLVED = "challenge_solved"


class Reporter(StrEnum):
    """Who may report an event type.

    ``client``: the user themself, through the public API (capped, deduplicated per object).
    ``service``: only a trusted backend (IAM-authenticated internal route).
    ``system``: only the engine itself (milestones, badges); never accepted as input.
    """

    CLIENT = "client"
    SERVICE = "service"
    SYSTEM = "system"


class Repeat(StrEnum):
    """How often one object can earn: once ever, or once per UTC day (e.g. a daily check-in)."""

    ONCE = "once"
    DAILY = "daily"


class EventType(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: EventTypeName
    base_xp: int = Field(ge=0, le=MAX_AWARD_XP)
    reporter: Reporter = Reporter.CLIENT
    repeat: Repeat = Repeat.ONCE
    daily_cap: int | None = Field(default=None, ge=1, le=10_000)
    challenge: bool = False
    description: str = ""
    attributes: dict[AttributeName, AttributeSpec] = Field(
        default_factory=dict, max_length=MAX_ATTRIBUTES
    )
    """The attributes an activity of this type may carry (``domain.attributes``)."""
    xp_rules: tuple[XpRule, ...] = Field(default=(), max_length=20)
    """XP by attribute: the first rule whose ``when`` matches pays instead of ``base_xp``."""

    @model_validator(mode="after")
    def _rules_use_declared_attributes(self) -> EventType:
        for position, rule in enumerate(self.xp_rules):
            problem = where_problem(self.attributes, rule.when)
            if problem is not None:
                name, why = problem
                raise ValueError(f"xp_rules[{position}].when.{name}: {why}")
        return self

    def attribute_problem(self, attributes: Mapping[str, object]) -> tuple[str, str] | None:
        """The first undeclared or mistyped attribute, as ``(name, why)``."""
        if not attributes:
            return None
        return attribute_problem(self.attributes, attributes)

    def xp_for(self, attributes: Mapping[str, object]) -> int:
        """XP before boosts: the first matching XP rule's, else ``base_xp``."""
        return rule_xp(self.xp_rules, self.base_xp, attributes)

    @property
    def counts_for_streak(self) -> bool:
        """A day counts for the streak when the user does any XP-earning activity on it."""
        return self.base_xp > 0 and self.reporter is not Reporter.SYSTEM


class EventCatalog(BaseModel):
    """All known event types, by name."""

    model_config = ConfigDict(frozen=True)

    types: tuple[EventType, ...]

    @model_validator(mode="after")
    def _check(self) -> EventCatalog:
        names = [t.name for t in self.types]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"duplicate event types: {', '.join(duplicated)}")
        for required in (STREAK_MILESTONE, BADGE_EARNED):
            if required not in names:
                raise ValueError(f"the catalog must define the system type {required!r}")
        return self

    def __iter__(self) -> Iterator[EventType]:  # type: ignore[override]
        return iter(self.types)

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    @cached_property
    def by_name(self) -> Mapping[str, EventType]:
        """A plain dict (the transition looks types up per activity; no pydantic access)."""
        return {t.name: t for t in self.types}

    def get(self, name: str) -> EventType | None:
        return self.by_name.get(name)

    def __getitem__(self, name: str) -> EventType:
        return self.by_name[name]

    def reportable_by(self, reporter: Reporter) -> list[str]:
        return [t.name for t in self.types if may_report(reporter, t)]

    def with_types(self, extra: Iterable[EventType]) -> EventCatalog:
        """A copy with ``extra`` added or replacing types of the same name."""
        merged = {t.name: t for t in self.types} | {t.name: t for t in extra}
        return EventCatalog(types=tuple(merged.values()))


def may_report(reporter: Reporter, event_type: EventType) -> bool:
    """Services may report any non-system type; clients only client types."""
    if Reporter.SYSTEM in (reporter, event_type.reporter):
        return False  # only the engine creates system activities; none come from outside
    return reporter is Reporter.SERVICE or event_type.reporter is Reporter.CLIENT


_TYPES_ADAPTER = TypeAdapter(tuple[EventType, ...])

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_EVENT_TYPES_FILE = DATA_DIR / "event_types.json"


def load_event_catalog(path: Path = DEFAULT_EVENT_TYPES_FILE) -> EventCatalog:
    """Load and validate a catalog file (a JSON list of event types)."""
    return EventCatalog(types=_TYPES_ADAPTER.validate_json(path.read_bytes()))
