"""Quests: admin-defined goals with a window ("read 3 posts this weekend for 40 XP").

A quest's criterion comes from the badge criterion language, restricted to the criteria that
count activities (``posts_read``, ``series_complete``, ``event_count``, ``xp_total``): they are
counted only for activities that *occurred* inside the window, so a late activity inside the
window counts and one outside does not. (``xp_total`` judges a daily-capped type's XP by the
user's local day instead, so completion cannot depend on arrival order: ``_Working.credit``.)

The window is a pair of absolute instants (``starts_at`` inclusive, ``ends_at`` exclusive), the
same for every user whatever their timezone: an admin who means "this weekend in New York"
writes New York's instants. (Streak days are the user's local days; a quest is an event that
starts and ends at one moment for everyone, like a sale.)

Evaluating quests needs no I/O: the quests come with the ruleset the consumer already caches,
indexed by the counters they wait for (``QuestIndex``), so an activity costs one ``where`` match
per distinct counter of its type and the quests are counted once per batch, not per activity.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from gamification.domain.attributes import Where, matches
from gamification.domain.badges import (
    EventCount,
    PostsRead,
    Progress,
    SeriesComplete,
    XpTotal,
)
from gamification.domain.tallies import Tally, TallyKind
from gamification.domain.xp import MAX_AWARD_XP

MAX_QUESTS = 100
"""Stored quests at most (the catalog query and the per-user progress stay bounded)."""

QUEST_REWARD = "quest_reward"
"""The award key prefix of a quest's bonus XP (not an event type anyone reports)."""

QuestCriterion = Annotated[
    PostsRead | SeriesComplete | EventCount | XpTotal, Field(discriminator="type")
]
"""Criteria that count activities; streak and level criteria have no meaning inside a window."""


class QuestDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=280)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    criteria: QuestCriterion
    reward_xp: int = Field(ge=0, le=MAX_AWARD_XP)
    reward_badge: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    mode: Literal["solo", "pair", "team"] = Field(
        default="solo",
        description="`pair`: two mutual friends' counts add up to one target (domain.pair_quests); "
        "`team`: a shared target, each member's count adds to their team's "
        "(domain.team_quests, docs/teams.md#team-quests).",
    )
    pay: Literal["contributors", "members"] = Field(
        default="contributors",
        description="Team quests: who is paid on completion, members who counted or all members.",
    )

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> QuestDefinition:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    @property
    def target(self) -> int:
        return self.criteria.target

    @property
    def counted_type(self) -> str | None:
        """The event type whose activities count, or ``None`` for XP (``xp_total``)."""
        if isinstance(self.criteria, XpTotal):
            return None
        return self.criteria.counted_type()  # with ``where`` too (its metric names a tally)

    def status(self, now: datetime) -> str:
        if now < self.starts_at:
            return "upcoming"
        return "active" if now < self.ends_at else "ended"


class QuestProgress(BaseModel):
    """One user's count for one quest and when they completed it (completion is never undone)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = Field(default=0, ge=0)
    completed_at: AwareDatetime | None = None

    def progress(self, quest: QuestDefinition) -> Progress:
        return Progress(current=min(self.count, quest.target), target=quest.target)


@lru_cache(maxsize=4096)
def open_progress(count: int) -> QuestProgress:
    """An open quest's progress at ``count``: frozen, so one instance serves every quest and
    user at that count (the transition makes one per quest a batch moved; building each anew
    cost more than counting)."""
    return QuestProgress(count=count)


class QuestCatalog(BaseModel):
    model_config = ConfigDict(frozen=True)

    quests: tuple[QuestDefinition, ...] = ()
    """At most ``MAX_QUESTS``, enforced when an admin saves one (not here: two admins racing
    past the limit must not make the catalog unloadable for the consumer)."""

    @model_validator(mode="after")
    def _unique_ids(self) -> QuestCatalog:
        ids = [q.id for q in self.quests]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"duplicate quest ids: {', '.join(duplicated)}")
        return self

    def __iter__(self) -> Iterator[QuestDefinition]:  # type: ignore[override]
        return iter(self.quests)

    def __len__(self) -> int:
        return len(self.quests)

    def get(self, quest_id: str) -> QuestDefinition | None:
        return self.index.by_id.get(quest_id)

    @cached_property
    def index(self) -> QuestIndex:
        return QuestIndex.of(self.quests)

    def referenced_event_types(self) -> set[str]:
        return {q.counted_type for q in self.quests if q.counted_type is not None}

    def visible(self, now: datetime) -> list[QuestDefinition]:
        """Active and upcoming quests, soonest ending first (what ``GET /v1/quests`` lists)."""
        return sorted((q for q in self.quests if now < q.ends_at), key=lambda q: (q.ends_at, q.id))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch: windows compare as integers (aware datetimes of
    different zones compare about ten times slower, and this runs per quest per activity)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


XP_COUNTER = "xp"
"""The counter ``xp_total`` quests wait for (event type names and tally keys never read so)."""


@dataclass(frozen=True, slots=True)
class QuestGroup:
    """The quests waiting for one counter over one window (``[start, end)`` in epoch
    microseconds): they gain the same amount from any batch, so an activity is judged once per
    group, not once per quest."""

    counter: str
    start: int
    end: int
    quest_ids: tuple[str, ...]


Counter = tuple[str, Where | None]
"""A counter's key (the event type, or the tally key of the type and its ``where``) and filter."""


@dataclass(frozen=True, slots=True)
class QuestIndex:
    """Quests indexed by the counters they wait for, as badges are by their number
    (``BadgeIndex``): an activity is matched once per distinct counter of its type, whatever
    the number of quests reading it, and its time is noted; once per batch, each group of
    quests on one counter and window takes the number of noted times inside its window
    (``QuestTimes.counts``). Every quest criterion is a counter (a type and an optional
    ``where``, or XP), so every quest is indexed; none is evaluated on its own."""

    counters: Mapping[str, tuple[Counter, ...]]
    """Event type -> the distinct counters quests read from its activities."""
    groups: Mapping[str, tuple[QuestGroup, ...]]
    """Counter key -> the groups (one per window) of quests waiting for it."""
    xp_groups: tuple[QuestGroup, ...]
    """``xp_total`` quests, one group per window."""
    by_id: Mapping[str, QuestDefinition]
    solo_targets: Mapping[str, int]
    """Solo quests' targets: the quests a user's own count completes (pair and team quests
    are completed on a sum, ``pair_quests`` and ``team_quests``)."""

    @classmethod
    def of(cls, quests: tuple[QuestDefinition, ...]) -> QuestIndex:
        counters: dict[str, dict[str, Where | None]] = {}
        members: dict[tuple[str, int, int], list[str]] = {}
        for quest in quests:
            key = counter_key(quest)
            if quest.counted_type is not None:
                where = getattr(quest.criteria, "where", None)
                counters.setdefault(quest.counted_type, {})[key] = where
            window = (key, micros(quest.starts_at), micros(quest.ends_at))
            members.setdefault(window, []).append(quest.id)
        groups: dict[str, list[QuestGroup]] = {}
        for (key, start, end), ids in members.items():
            groups.setdefault(key, []).append(QuestGroup(key, start, end, tuple(ids)))
        return cls(
            counters={t: tuple(keys.items()) for t, keys in counters.items()},
            groups={key: tuple(gs) for key, gs in groups.items() if key != XP_COUNTER},
            xp_groups=tuple(groups.get(XP_COUNTER, ())),
            by_id={q.id: q for q in quests},
            solo_targets={q.id: q.target for q in quests if q.mode == "solo"},
        )


def counter_key(quest: QuestDefinition) -> str:
    """What a quest waits for: equal for quests counting the same activities (a badge's tally
    key when it filters, so equal filters written differently share it)."""
    event_type = quest.counted_type
    if event_type is None:
        return XP_COUNTER
    where = getattr(quest.criteria, "where", None)
    return event_type if where is None else Tally(TallyKind.COUNT, event_type, where).key


@dataclass(slots=True)
class QuestTimes:
    """What one batch noted for the quests: the times of the activities each counter matched,
    and the XP credits in arrival order (``[lo, hi)`` in epoch microseconds: an instant, or the
    local day of a daily-capped activity, ``_Working.credit``)."""

    matched: dict[str, list[int]] = field(default_factory=dict)
    credits: list[tuple[int, int, int]] = field(default_factory=list)

    def note(
        self, index: QuestIndex, event_type: str, at: int, attributes: Mapping[str, object]
    ) -> None:
        """O(distinct counters of the type): one ``where`` match per counter, not per quest."""
        for key, where in index.counters.get(event_type, ()):
            if where is None or matches(where, attributes):
                self.matched.setdefault(key, []).append(at)

    def counts(self, index: QuestIndex) -> Iterator[tuple[QuestGroup, int, int]]:
        """Each group the batch moved, with ``(by, low)``: a quest's count ``n`` becomes
        ``max(low, n + by)``. Activities only add (``low`` = ``by``); XP credits can be negative
        (a cap slot changing hands) and each step stops at 0, which composes into one step:
        ``max(0, max(low, n + by) + x) = max(max(0, low + x), n + by + x)``."""
        for key, times in self.matched.items():
            times.sort()
            first, last, every = times[0], times[-1], len(times)
            for group in index.groups.get(key, ()):
                if group.start <= first and last < group.end:  # the usual case: all of them
                    n = every
                else:
                    n = bisect_left(times, group.end) - bisect_left(times, group.start)
                if n:
                    yield group, n, n
        if self.credits and index.xp_groups:
            credits = self.credits
            everything = _xp_step(credits)  # a batch spans minutes, a window mostly days:
            first_hi = min(hi for _, hi, _ in credits)  # most windows hold all of it or none
            last_lo = max(lo for lo, _, _ in credits)
            for group in index.xp_groups:
                if group.start < first_hi and last_lo < group.end:
                    yield group, *everything
                    continue
                inside = [c for c in credits if c[0] < group.end and group.start < c[1]]
                if inside:
                    yield group, *_xp_step(inside)
        self.matched = {}
        self.credits = []


def _xp_step(credits: list[tuple[int, int, int]]) -> tuple[int, int]:
    """``(by, low)`` of XP credits applied in order, each step stopping at 0."""
    by = low = 0
    for _, _, xp in credits:
        by, low = by + xp, max(0, low + xp)
    return by, low


def parse_quest(raw: Mapping[str, object] | str | bytes) -> QuestDefinition:
    if isinstance(raw, str | bytes):
        return QuestDefinition.model_validate_json(raw)
    return QuestDefinition.model_validate(raw)
