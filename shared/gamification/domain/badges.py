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
from itertools import pairwise
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

from gamification.domain.attributes import AttributeName, Where
from gamification.domain.catalog import (
    DATA_DIR,
    POST_READ,
    SERIES_COMPLETED,
    EventTypeName,
)
from gamification.domain.tallies import (
    MAX_DISTINCT,
    MAX_WINDOW_DAYS,
    Tally,
    TallyIndex,
    TallyKind,
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


def _absent(value: object) -> bool:
    """An optional part left out is not written back as ``null`` (stored and shown alike)."""
    return value is None


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

    def tallies(self) -> Iterator[Tally]:
        """The tallies this criterion reads (``domain.tallies``): none for plain counters."""
        return iter(())

    def depth(self) -> int:
        return 1


class _Counted(_Criterion):
    count: Target

    @property
    def target(self) -> int:
        return self.count


class _Filtered(_Counted):
    """A counting criterion that may add ``where``: then it reads its own tally, counting the
    accepted activities of its type whose attributes match."""

    where: Where | None = Field(default=None, exclude_if=_absent)

    def counted_type(self) -> str:
        raise NotImplementedError

    def metric(self) -> str:
        if self.where is None:
            return f"{_COUNTER}{self.counted_type()}"
        return f"{_COUNTER}{self._tally.key}"

    @cached_property
    def _tally(self) -> Tally:
        return Tally(TallyKind.COUNT, self.counted_type(), self.where)

    def tallies(self) -> Iterator[Tally]:
        return iter(() if self.where is None else (self._tally,))


class PostsRead(_Filtered):
    """Distinct posts read (the seed counted every progress row instead)."""

    type: Literal["posts_read"]
    scope: Literal["total"] = "total"

    def counted_type(self) -> str:
        return POST_READ


class StreakDays(_Counted):
    """A streak of ``count`` consecutive days, reached at any time (the longest streak counts)."""

    type: Literal["streak"]
    scope: Literal["consecutive_days"] = "consecutive_days"

    def metric(self) -> str:
        return "longest_streak"

    def shown(self, stats: UserStats) -> int:
        return stats.current_streak


class SeriesComplete(_Filtered):
    """Distinct series completed (the dedupe key makes each series count once)."""

    type: Literal["series_complete"]
    scope: Literal["unique_series"] = "unique_series"

    def counted_type(self) -> str:
        return SERIES_COMPLETED


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


class EventCount(_Filtered):
    """``count`` XP-earning activities of any one event type (with ``where``: ``count``
    accepted activities of it whose attributes match)."""

    type: Literal["event_count"]
    event_type: EventTypeName

    def counted_type(self) -> str:
        return self.event_type


class AttributeSum(_Criterion):
    """The sum of an integer attribute over the accepted activities of a type (``where``
    optional), e.g. minutes read ≥ 600. The attribute must be declared with ``minimum ≥ 0``,
    so the sum never falls."""

    type: Literal["attribute_sum"]
    event_type: EventTypeName
    attribute: AttributeName
    where: Where | None = Field(default=None, exclude_if=_absent)
    total: Target

    @property
    def target(self) -> int:
        return self.total

    @cached_property
    def _tally(self) -> Tally:
        return Tally(TallyKind.SUM, self.event_type, self.where, self.attribute)

    def metric(self) -> str:
        return f"{_COUNTER}{self._tally.key}"

    def tallies(self) -> Iterator[Tally]:
        return iter((self._tally,))


class DistinctCount(_Criterion):
    """How many distinct values of an attribute the accepted activities of a type carried
    (``where`` optional), e.g. posts read in 5 categories; ``count`` ≤ ``MAX_DISTINCT``."""

    type: Literal["distinct_count"]
    event_type: EventTypeName
    attribute: AttributeName
    where: Where | None = Field(default=None, exclude_if=_absent)
    count: Annotated[
        int,
        Field(gt=0, le=MAX_DISTINCT, strict=True),
        BeforeValidator(_written_as_integer),
    ]

    @property
    def target(self) -> int:
        return self.count

    @cached_property
    def _tally(self) -> Tally:
        return Tally(TallyKind.DISTINCT, self.event_type, self.where, self.attribute, self.count)

    def metric(self) -> str:
        return f"{_COUNTER}{self._tally.key}"

    def tallies(self) -> Iterator[Tally]:
        return iter((self._tally,))


class LevelReached(_Criterion):
    type: Literal["level_reached"]
    level: Target

    @property
    def target(self) -> int:
        return self.level

    def metric(self) -> str:
        return "level"


class WindowCount(_Criterion):
    """``count`` matching accepted activities of a type within ``days`` consecutive days of the
    user's timezone, at any time ("5 in the last 7 days"; sliding, ``days`` ≤ 90). Met once the
    best window reaches it (a badge is never taken back); progress shows the best window."""

    type: Literal["count_in_window"]
    event_type: EventTypeName
    where: Where | None = Field(default=None, exclude_if=_absent)
    count: Annotated[int, Field(gt=0, le=0xFFFF, strict=True), BeforeValidator(_written_as_integer)]
    days: Annotated[
        int, Field(ge=1, le=MAX_WINDOW_DAYS, strict=True), BeforeValidator(_written_as_integer)
    ]

    @property
    def target(self) -> int:
        return self.count

    @cached_property
    def _tally(self) -> Tally:
        return Tally(TallyKind.WINDOW, self.event_type, self.where, days=self.days)

    def metric(self) -> str:
        return f"{_COUNTER}{self._tally.key}"

    def tallies(self) -> Iterator[Tally]:
        return iter((self._tally,))


MAX_DEPTH = 3
"""``all``/``any`` nest at most this deep (a leaf is depth 1)."""
TOO_DEEP = "criteria_too_deep"
"""The error kind of nesting past ``MAX_DEPTH``: a rule the schema cannot state (400)."""
COMPOSITE = ""
"""The ``metric()`` of ``all``/``any``: no one number, evaluated per badge instead."""


class _Composite(_Criterion):
    of: tuple[Criterion, ...] = Field(max_length=10, json_schema_extra={"minItems": 2})
    """At least two, checked after the items (a failed item is not counted as missing)."""

    @model_validator(mode="after")
    def _shallow(self) -> _Composite:
        if len(self.of) < 2:
            raise ValueError("all/any combine at least 2 criteria")
        if self.depth() > MAX_DEPTH:
            raise PydanticCustomError(TOO_DEEP, f"all/any nest at most {MAX_DEPTH} deep")
        return self

    def depth(self) -> int:
        return 1 + max(c.depth() for c in self.of)

    def metric(self) -> str:
        return COMPOSITE

    def tallies(self) -> Iterator[Tally]:
        for child in self.of:
            yield from child.tallies()

    @property
    def target(self) -> int:
        return len(self.of)

    def measure(self, stats: UserStats) -> int:
        return sum(1 for c in self.of if c.is_met(stats))


class AllOf(_Composite):
    """Every sub-criterion met; progress counts the ones met."""

    type: Literal["all"]

    def is_met(self, stats: UserStats) -> bool:
        return all(c.is_met(stats) for c in self.of)


class AnyOf(_Composite):
    """One sub-criterion met; progress is the one nearest its target."""

    type: Literal["any"]

    def is_met(self, stats: UserStats) -> bool:
        return any(c.is_met(stats) for c in self.of)

    def progress(self, stats: UserStats) -> Progress:
        shown = [c.progress(stats) for c in self.of]
        return max(shown, key=lambda p: (p.done, p.current / p.target))


Criterion = Annotated[
    PostsRead
    | StreakDays
    | SeriesComplete
    | XpTotal
    | ChallengeStreak
    | EventCount
    | LevelReached
    | AttributeSum
    | DistinctCount
    | WindowCount
    | AllOf
    | AnyOf,
    Field(discriminator="type"),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


class Level(BaseModel):
    """One level of a tiered badge (``Bronze`` at 10...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=20)
    target: Target


MAX_LEVELS = 5
LEVEL_SEPARATOR = "#"
"""Level ``n ≥ 2`` of badge ``id`` is earned under ``id#n`` (badge ids cannot hold ``#``)."""


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
    levels: tuple[Level, ...] | None = Field(
        default=None, min_length=2, max_length=MAX_LEVELS, exclude_if=_absent
    )
    """A tiered badge: the criterion's target is the first level's, each next level a higher
    target of the same number; each level is earned and notified once."""
    notify_backfill: bool = Field(default=True, exclude_if=bool)
    """``False``: the backfill that awards it to users who already qualify when it is saved
    writes no notification for it (Discourse's flood when a badge is first switched on);
    users who earn it later through their activities are notified as always."""

    @model_validator(mode="after")
    def _levels_rise_from_the_criterion(self) -> BadgeDefinition:
        if self.levels is None:
            return self
        if isinstance(self.criteria, _Composite):
            raise ValueError("levels need a single counting criterion, not all/any")
        if self.levels[0].target != self.criteria.target:
            raise ValueError(
                f"levels: the first level's target must be the criterion's ({self.criteria.target})"
            )
        targets = [level.target for level in self.levels]
        if any(a >= b for a, b in pairwise(targets)):
            raise ValueError("levels: targets must rise")
        names = [level.name for level in self.levels]
        if len(set(names)) != len(names):
            raise ValueError("levels: names must differ")
        return self

    def at_level(self, number: int) -> BadgeDefinition:
        """The definition as one level is announced: ``id#n`` (level 1 keeps the id) and the
        level's name after the badge's."""
        if self.levels is None:
            return self
        level = self.levels[number - 1]
        badge_id = self.id if number == 1 else f"{self.id}{LEVEL_SEPARATOR}{number}"
        return self.model_copy(update={"id": badge_id, "name": f"{self.name} ({level.name})"})

    def level_held(self, earned: Mapping[str, object]) -> int:
        """How many levels ``earned`` holds (0: none; 1 for an earned badge without levels)."""
        if self.id not in earned:
            return 0
        held = 1
        for number in range(2, len(self.levels or ()) + 1):
            if f"{self.id}{LEVEL_SEPARATOR}{number}" in earned:
                held = number
        return held


def is_announcement_of(notification_id: str, badge_id: str) -> bool:
    """Whether a notification id announces ``badge_id`` or one of its levels."""
    earned = notification_id.removeprefix("badge#")
    return earned != notification_id and base_badge_id(earned) == badge_id


def base_badge_id(earned_id: str) -> str:
    """The badge an earned id belongs to (``reader#2`` -> ``reader``)."""
    return earned_id.split(LEVEL_SEPARATOR, 1)[0]


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
        return {t for b in self.badges for t in event_types_of(b.criteria)}

    @cached_property
    def tallies(self) -> TallyIndex:
        """The tallies the live badges read (the transition keeps these and no others)."""
        return TallyIndex.of(t for b in self.badges for t in b.criteria.tallies())


def event_types_of(criterion: _Criterion) -> Iterator[str]:
    """Every event type a criterion names (through ``all``/``any``)."""
    if isinstance(criterion, _Composite):
        for child in criterion.of:
            yield from event_types_of(child)
    elif isinstance(criterion, EventCount | AttributeSum | DistinctCount | WindowCount):
        yield criterion.event_type


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
    """Earned id (a badge's, or ``id#n`` for a level) -> (catalog position, definition as
    that level is announced)."""
    composites: tuple[BadgeDefinition, ...] = ()
    """``all``/``any`` badges: no one number, each evaluated on its own."""

    @classmethod
    def of(cls, badges: tuple[BadgeDefinition, ...]) -> BadgeIndex:
        grouped: dict[str, list[tuple[int, int, str]]] = {}
        by_id: dict[str, tuple[int, BadgeDefinition]] = {}
        composites = []
        for position, badge in enumerate(badges):
            criteria = badge.criteria
            by_id[badge.id] = (position, badge.at_level(1))
            if isinstance(criteria, _Composite):
                composites.append(badge)
                continue
            entries = grouped.setdefault(criteria.metric(), [])
            entries.append((criteria.target, position, badge.id))
            for number, level in enumerate(badge.levels or (), start=1):
                if number > 1:
                    leveled = badge.at_level(number)
                    by_id[leveled.id] = (position, leveled)
                    entries.append((level.target, position, leveled.id))
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
        return cls(tuple(metrics), by_id, tuple(composites))

    def newly_met(self, earned: Mapping[str, object], stats: UserStats) -> list[BadgeDefinition]:
        """Unearned badges (and levels) whose criteria ``stats`` meets, in catalog order (a
        badge's levels in rising order)."""
        found: set[str] = set()
        for metric in self.metrics:
            reached = bisect_right(metric.targets, metric.value(stats))
            if reached:
                found.update(metric.reached[reached] - earned.keys())
        for badge in self.composites:
            if badge.id not in earned and badge.criteria.is_met(stats):
                found.add(badge.id)
        return [self.by_id[i][1] for i in sorted(found, key=self._order)]

    def _order(self, earned_id: str) -> tuple[int, int]:
        _, _, level = earned_id.partition(LEVEL_SEPARATOR)
        return self.by_id[earned_id][0], int(level or 1)


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
