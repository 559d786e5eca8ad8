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

Evaluating quests is O(live quests) per activity with no I/O: the quests come with the ruleset
the consumer already caches, indexed by the event type they count.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
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


Window = tuple[str, int, int]
"""A quest id and its window as ``[start, end)`` in epoch microseconds."""


@dataclass(frozen=True, slots=True)
class QuestIndex:
    """Quests by what they count, so an activity looks at the quests of its type only."""

    by_type: Mapping[str, tuple[Window, ...]]
    by_xp: tuple[Window, ...]
    by_id: Mapping[str, QuestDefinition]
    filters: Mapping[str, Where] = field(default_factory=dict)
    """The ``where`` of each quest that has one: an activity counts only if it matches."""

    def counts(self, quest_id: str, attributes: Mapping[str, object]) -> bool:
        """Whether an activity with ``attributes`` counts for the quest (in its window)."""
        where = self.filters.get(quest_id)
        return where is None or matches(where, attributes)

    @classmethod
    def of(cls, quests: tuple[QuestDefinition, ...]) -> QuestIndex:
        by_type: dict[str, list[Window]] = {}
        by_xp: list[Window] = []
        for quest in quests:
            window = (quest.id, micros(quest.starts_at), micros(quest.ends_at))
            if quest.counted_type is None:
                by_xp.append(window)
            else:
                by_type.setdefault(quest.counted_type, []).append(window)
        return cls(
            by_type={t: tuple(ws) for t, ws in by_type.items()},
            by_xp=tuple(by_xp),
            by_id={q.id: q for q in quests},
            filters={q.id: w for q in quests if (w := getattr(q.criteria, "where", None))},
        )


def parse_quest(raw: Mapping[str, object] | str | bytes) -> QuestDefinition:
    if isinstance(raw, str | bytes):
        return QuestDefinition.model_validate_json(raw)
    return QuestDefinition.model_validate(raw)
