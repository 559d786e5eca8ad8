"""Badge definitions as validated data, and a criteria engine that needs no I/O.

Every criterion reads one number from :class:`UserStats`, a snapshot computed once from the
user's state, so evaluating 200 badges costs 200 dictionary lookups and no queries (the seed ran
one query per badge per event). Unknown criterion types or fields are rejected when a definition
is loaded, with pydantic naming the offending field.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)
from pydantic_core import PydanticCustomError

from gamification.domain.catalog import (
    DATA_DIR,
    POST_READ,
    SERIES_COMPLETED,
    EventTypeName,
)


@dataclass(frozen=True, slots=True)
class UserStats:
    """The numbers badge criteria look at, read once per evaluation."""

    xp: int
    level: int
    counters: Mapping[str, int]
    current_streak: int
    longest_streak: int
    current_challenge_streak: int
    longest_challenge_streak: int

    def value(self, metric: str) -> int:
        """The number a criterion's ``metric()`` names: ``counter:<type>`` or a field name."""
        if metric.startswith(_COUNTER):
            return self.counters.get(metric[len(_COUNTER) :], 0)
        value: int = getattr(self, metric)
        return value


_COUNTER = "counter:"


@dataclass(frozen=True, slots=True)
class Progress:
    current: int
    target: int

    @property
    def done(self) -> bool:
        return self.current >= self.target


MAX_TARGET = 10**9
"""Largest count or level a criterion may ask for: beyond reach of any player, and bounded so a
stored definition stays small and every client reads the number exactly."""
INTEGER_AS_FLOAT = "integer_written_as_float"
"""The error kind of ``1.0`` where a count is meant: JSON Schema calls it an integer, so the API
answers it as a rule the schema cannot state (400), not a schema violation (422)."""


def _written_as_integer(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        raise PydanticCustomError(INTEGER_AS_FLOAT, "must be written as an integer (1, not 1.0)")
    return value


Target = Annotated[
    int, Field(gt=0, le=MAX_TARGET, strict=True), BeforeValidator(_written_as_integer)
]
"""Strict: a count is a JSON integer, not ``"1"``, ``true`` or ``1.0`` (lax mode took all three
for 1, so a definition meaning something else was saved as if it meant 1)."""


class _Criterion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def measure(self, stats: UserStats) -> int:
        """The number that must reach the target (monotone in the user's history)."""
        return stats.value(self.metric())

    def metric(self) -> str:
        """Which number of :class:`UserStats` ``measure`` reads (badges are indexed by it)."""
        raise NotImplementedError

    def shown(self, stats: UserStats) -> int:
        """The number a progress bar shows; differs from ``measure`` only for streaks."""
        return self.measure(stats)

    @property
    def target(self) -> int:
        raise NotImplementedError

    def is_met(self, stats: UserStats) -> bool:
        return self.measure(stats) >= self.target

    def progress(self, stats: UserStats) -> Progress:
        current = self.target if self.is_met(stats) else self.shown(stats)
        return Progress(current=min(current, self.target), target=self.target)


class _Counted(_Criterion):
    count: Target

    @property
    def target(self) -> int:
        return self.count


class PostsRead(_Counted):
    """Distinct posts read (the seed counted every progress row instead)."""

    type: Literal["posts_read"]
    scope: Literal["total"] = "total"

    def metric(self) -> str:
        return f"{_COUNTER}{POST_READ}"


class StreakDays(_Counted):
    """A streak of ``count`` consecutive days, reached at any time (the longest streak counts)."""

    type: Literal["streak"]
    scope: Literal["consecutive_days"] = "consecutive_days"

    def metric(self) -> str:
        return "longest_streak"

    def shown(self, stats: UserStats) -> int:
        return stats.current_streak


class SeriesComplete(_Counted):
    """Distinct series completed (the dedupe key makes each series count once)."""

    type: Literal["series_complete"]
    scope: Literal["unique_series"] = "unique_series"

    def metric(self) -> str:
        return f"{_COUNTER}{SERIES_COMPLETED}"


class XpTotal(_Counted):
    type: Literal["xp_total"]
    scope: Literal["lifetime"] = "lifetime"

    def metric(self) -> str:
        return "xp"


class ChallengeStreak(_Counted):
    """Consecutive days with at least one solved challenge."""

    type: Literal["challenge_streak"]
    scope: Literal["consecutive_days"] = "consecutive_days"

    def metric(self) -> str:
        return "longest_challenge_streak"

    def shown(self, stats: UserStats) -> int:
        return stats.current_challenge_streak


class EventCount(_Counted):
    """``count`` XP-earning activities of any one event type."""

    type: Literal["event_count"]
    event_type: EventTypeName

    def metric(self) -> str:
        return f"{_COUNTER}{self.event_type}"


class LevelReached(_Criterion):
    type: Literal["level_reached"]
    level: Target

    @property
    def target(self) -> int:
        return self.level

    def metric(self) -> str:
        return "level"


Criterion = Annotated[
    PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached,
    Field(discriminator="type"),
]


_URL_CHAR = r"\x21-\x5b\x5d-\x7e"  # printable ASCII but space and backslash
_HOST_CHAR = r"\x21-\x22\x24-\x2e\x30-\x3e\x40-\x5b\x5d-\x7e"  # ... and not / ? #
_SEGMENT_CHAR = r"\x21-\x22\x24-\x2e\x30-\x39\x3b-\x3e\x40-\x5b\x5d-\x7e"  # ... nor :
ICON_PATTERN = (
    f"^(?:https://[{_HOST_CHAR}]+(?:[/?#][{_URL_CHAR}]*)?"  # https://host/...
    f"|/(?:[\\x21-\\x2e\\x30-\\x5b\\x5d-\\x7e][{_URL_CHAR}]*)?"  # /path, not //host
    f"|[{_SEGMENT_CHAR}]+(?:[/?#][{_URL_CHAR}]*)?)$"  # icons/owl.svg: no scheme before the first /
)
"""An ``https://`` URL or a path relative to the page, in a regex every JSON Schema dialect
reads alike (the OpenAPI document carries it)."""


def _https_or_relative(icon: str) -> str:
    """Pages render the icon as an image source: ``javascript:``, ``data:``, ``http:`` or a
    network-path (``//host``) icon would run script, track or mix content there."""
    if re.fullmatch(ICON_PATTERN, icon) is None:
        raise ValueError(
            "must be an https:// URL or a path relative to the page "
            "(printable ASCII, no spaces or backslashes)"
        )
    return icon


IconUrl = Annotated[
    str,
    Field(min_length=1, max_length=256, json_schema_extra={"pattern": ICON_PATTERN}),
    AfterValidator(_https_or_relative),
]
"""A badge icon: ``https://...`` or a path relative to the page (``icons/owl.svg``)."""


class BadgeDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=280)
    icon: IconUrl
    criteria: Criterion


class BadgeCatalog(BaseModel):
    model_config = ConfigDict(frozen=True)

    badges: tuple[BadgeDefinition, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> BadgeCatalog:
        ids = [b.id for b in self.badges]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"duplicate badge ids: {', '.join(duplicated)}")
        return self

    def __iter__(self) -> Iterator[BadgeDefinition]:  # type: ignore[override]
        return iter(self.badges)

    def __len__(self) -> int:
        return len(self.badges)

    @cached_property
    def index(self) -> BadgeIndex:
        return BadgeIndex.of(self.badges)

    def get(self, badge_id: str) -> BadgeDefinition | None:
        return next((b for b in self.badges if b.id == badge_id), None)

    def referenced_event_types(self) -> set[str]:
        return {b.criteria.event_type for b in self.badges if isinstance(b.criteria, EventCount)}


@dataclass(frozen=True, slots=True)
class _Metric:
    """The badges waiting for one number, by rising target."""

    name: str
    counter: str | None
    """The event type when the number is a counter, else ``None`` (a field of the stats)."""
    targets: list[int]
    reached: list[frozenset[str]]
    """``reached[n]``: ids of the badges with the ``n`` lowest targets."""

    def value(self, stats: UserStats) -> int:
        if self.counter is not None:
            return stats.counters.get(self.counter, 0)
        value: int = getattr(stats, self.name)
        return value


@dataclass(frozen=True, slots=True)
class BadgeIndex:
    """Badges grouped by the number they wait for, sorted by target: finding the badges a user
    now meets is one bisection and one set difference per number, not a criterion per badge."""

    metrics: tuple[_Metric, ...]
    by_id: Mapping[str, tuple[int, BadgeDefinition]]
    """Badge id -> (catalog position, definition)."""

    @classmethod
    def of(cls, badges: tuple[BadgeDefinition, ...]) -> BadgeIndex:
        grouped: dict[str, list[tuple[int, int, str]]] = {}
        for position, badge in enumerate(badges):
            criteria = badge.criteria
            grouped.setdefault(criteria.metric(), []).append((criteria.target, position, badge.id))
        metrics = []
        for name, entries in grouped.items():
            entries.sort()
            ids = [badge_id for _, _, badge_id in entries]
            counter = name[len(_COUNTER) :] if name.startswith(_COUNTER) else None
            metrics.append(
                _Metric(
                    name=name,
                    counter=counter,
                    targets=[target for target, _, _ in entries],
                    reached=[frozenset(ids[:n]) for n in range(len(ids) + 1)],
                )
            )
        by_id = {b.id: (position, b) for position, b in enumerate(badges)}
        return cls(tuple(metrics), by_id)

    def newly_met(self, earned: Mapping[str, object], stats: UserStats) -> list[BadgeDefinition]:
        """Unearned badges whose criteria ``stats`` meets, in catalog order."""
        found: set[str] = set()
        for metric in self.metrics:
            reached = bisect_right(metric.targets, metric.value(stats))
            if reached:
                found.update(metric.reached[reached] - earned.keys())
        return [self.by_id[i][1] for i in sorted(found, key=lambda i: self.by_id[i][0])]


_BADGES_ADAPTER = TypeAdapter(tuple[BadgeDefinition, ...])
DEFAULT_BADGES_FILE = DATA_DIR / "badges.json"


def parse_badge(raw: Mapping[str, object] | str | bytes) -> BadgeDefinition:
    """Validate one definition (from an admin request or a file)."""
    if isinstance(raw, str | bytes):
        return BadgeDefinition.model_validate_json(raw)
    return BadgeDefinition.model_validate(raw)


def load_badge_catalog(path: Path = DEFAULT_BADGES_FILE) -> BadgeCatalog:
    return BadgeCatalog(badges=_BADGES_ADAPTER.validate_json(path.read_bytes()))


def newly_met(catalog: BadgeCatalog, earned: Mapping[str, object], stats: UserStats) -> list[str]:
    """Ids of unearned badges whose criteria ``stats`` meets, in catalog order."""
    return [b.id for b in catalog.index.newly_met(earned, stats)]
