"""Hypothesis strategies for rulesets, users and activity deliveries.

Shared by the domain property tests and the pipeline's: both replay the same generated deliveries
(duplicates, late arrivals, arbitrary batch splits) and compare the outcome with one in-order
application. The generated rulesets are small on purpose (caps of 1-3, targets of a few units,
milestones every 2-7 days) so that short streams hit caps, swap cap slots under boosts, reach
milestones and unlock badges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from hypothesis import strategies as st

from gamification.domain.activity import Activity
from gamification.domain.attributes import AttributeSpec, AttributeType, XpRule
from gamification.domain.badges import BadgeCatalog, BadgeDefinition
from gamification.domain.boosts import Boost
from gamification.domain.catalog import (
    BADGE_EARNED,
    STREAK_MILESTONE,
    EventCatalog,
    EventType,
    Repeat,
    Reporter,
)
from gamification.domain.freezes import FREEZE_GRANTED, FreezeRules
from gamification.domain.game_rules import GameRules
from gamification.domain.policy import Policy
from gamification.domain.quests import QuestCatalog, parse_quest
from gamification.domain.state import UserSettings
from gamification.domain.transition import activity_key

USER_ID = "user-1"

TIMEZONES = (
    "UTC",
    "America/New_York",  # DST on 2026-03-08 and 2026-11-01
    "Europe/Berlin",  # DST on 2026-03-29 and 2026-10-25
    "Asia/Kolkata",  # +05:30, no DST
    "Australia/Lord_Howe",  # half-hour DST shifts (2026-04-05, 2026-10-04)
    "Pacific/Kiritimati",  # +14: local days run a whole UTC day ahead
    "Pacific/Pago_Pago",  # -11
)

EPOCHS = (
    datetime(2026, 3, 1, tzinfo=UTC),  # spring DST changes in New York, Berlin, Lord Howe
    datetime(2026, 10, 1, tzinfo=UTC),  # autumn DST changes
    datetime(2026, 12, 24, tzinfo=UTC),  # the year boundary: ISO weeks 2026-W53 and 2027-W01
)

DAILY_TYPE = "daily_checkin"
"""A ``repeat: daily`` type in the generated catalogs: one object earns once per UTC day."""

UNKNOWN_TYPE = "not_in_catalog"

Arrival = Literal["any", "realistic"]


def event_catalogs() -> st.SearchStrategy[EventCatalog]:
    """Catalogs shaped like the default one, with small random XP and caps (``None`` = no cap)."""
    caps = st.none() | st.integers(1, 3)

    @st.composite
    def build(draw: st.DrawFn) -> EventCatalog:
        return EventCatalog(
            types=(
                EventType(
                    name="post_read",
                    base_xp=draw(st.integers(1, 20)),
                    daily_cap=draw(caps),
                    attributes=POST_ATTRIBUTES,
                    xp_rules=draw(
                        st.lists(
                            st.builds(
                                lambda c, xp: XpRule(when={"category": c}, xp=xp),
                                st.sampled_from(CATEGORIES),
                                st.integers(0, 30),
                            ),
                            max_size=2,
                        )
                    ),
                ),
                EventType(
                    name="post_completed", base_xp=draw(st.integers(1, 40)), daily_cap=draw(caps)
                ),
                EventType(
                    name="comment_left", base_xp=draw(st.integers(0, 10)), daily_cap=draw(caps)
                ),
                EventType(
                    name=DAILY_TYPE,
                    base_xp=draw(st.integers(1, 10)),
                    repeat=Repeat.DAILY,
                    daily_cap=draw(caps),
                ),
                EventType(name="series_completed", base_xp=100, reporter=Reporter.SERVICE),
                EventType(
                    name="challenge_solved",
                    base_xp=draw(st.integers(0, 40)),
                    reporter=Reporter.SERVICE,
                    challenge=True,
                    daily_cap=draw(caps),
                ),
                EventType(name=FREEZE_GRANTED, base_xp=0, reporter=Reporter.SERVICE),
                EventType(
                    name=STREAK_MILESTONE,
                    base_xp=draw(st.sampled_from([50, 0])),
                    reporter=Reporter.SYSTEM,
                ),
                EventType(
                    name=BADGE_EARNED,
                    base_xp=draw(st.sampled_from([0, 5])),
                    reporter=Reporter.SYSTEM,
                ),
            )
        )

    return build()


CATEGORIES = ("a", "b", "c")
POST_ATTRIBUTES = {
    "category": AttributeSpec(type=AttributeType.STRING, values=CATEGORIES),
    "minutes": AttributeSpec(type=AttributeType.INTEGER, minimum=0, maximum=60),
}
"""What generated ``post_read`` activities may carry (attributes and filters are drawn from it)."""


def post_attributes() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {}, optional={"category": st.sampled_from(CATEGORIES), "minutes": st.integers(0, 60)}
    )


def wheres() -> st.SearchStrategy[dict[str, Any]]:
    """Filters on the generated ``post_read`` attributes: equality, ``in`` and ranges."""
    return st.one_of(
        st.builds(lambda c: {"category": c}, st.sampled_from(CATEGORIES)),
        st.builds(
            lambda cs: {"category": {"in": cs}},
            st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True),
        ),
        st.builds(lambda lo: {"minutes": {"gte": lo}}, st.integers(0, 60)),
        st.builds(
            lambda c, hi: {"category": c, "minutes": {"lt": hi}},
            st.sampled_from(CATEGORIES),
            st.integers(1, 60),
        ),
    )


def attribute_criteria() -> st.SearchStrategy[dict[str, Any]]:
    """Filtered counts, sums and distinct counts over ``post_read``'s attributes."""
    optional_where = st.none() | wheres()

    def drop_none(criterion: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in criterion.items() if v is not None}

    return st.one_of(
        st.builds(
            lambda w, n: {"type": "event_count", "event_type": "post_read", "where": w, "count": n},
            wheres(),
            st.integers(1, 5),
        ),
        st.builds(
            lambda w, n: {"type": "posts_read", "where": w, "count": n}, wheres(), st.integers(1, 5)
        ),
        st.builds(
            lambda w, n: drop_none(
                {
                    "type": "attribute_sum",
                    "event_type": "post_read",
                    "attribute": "minutes",
                    "where": w,
                    "total": n,
                }
            ),
            optional_where,
            st.integers(1, 150),
        ),
        st.builds(
            lambda w, n: drop_none(
                {
                    "type": "distinct_count",
                    "event_type": "post_read",
                    "attribute": "category",
                    "where": w,
                    "count": n,
                }
            ),
            optional_where,
            st.integers(1, 3),
        ),
        st.builds(
            lambda w, n, d: drop_none(
                {
                    "type": "count_in_window",
                    "event_type": "post_read",
                    "where": w,
                    "count": n,
                    "days": d,
                }
            ),
            optional_where,
            st.integers(1, 4),
            st.integers(1, 10),
        ),
    )


def composite_criteria(event_types: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    """``all``/``any`` of two or three leaves, sometimes nested once more."""
    leaf = criteria(event_types) | attribute_criteria()
    pair = st.builds(
        lambda kind, of: {"type": kind, "of": of},
        st.sampled_from(["all", "any"]),
        st.lists(leaf, min_size=2, max_size=3),
    )
    return pair | st.builds(
        lambda kind, a, b: {"type": kind, "of": [a, b]}, st.sampled_from(["all", "any"]), pair, leaf
    )


_TARGET_FIELDS = ("count", "total", "level")


def with_levels(draw: st.DrawFn, criterion: dict[str, Any]) -> dict[str, Any] | None:
    """Sometimes levels rising from a leaf criterion's target (a tiered badge)."""
    field = next((f for f in _TARGET_FIELDS if f in criterion), None)
    if field is None or criterion["type"] == "distinct_count" or not draw(st.booleans()):
        return None
    steps = draw(st.lists(st.integers(1, 4), min_size=1, max_size=2))
    targets = [criterion[field]]
    for step in steps:
        targets.append(targets[-1] + step)
    return {"levels": [{"name": f"L{n}", "target": t} for n, t in enumerate(targets, 1)]}


def criteria(event_types: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Every criterion type, with targets small enough for short streams to reach."""
    return st.one_of(
        st.builds(lambda n: {"type": "posts_read", "count": n}, st.integers(1, 6)),
        st.builds(lambda n: {"type": "streak", "count": n}, st.integers(1, 8)),
        st.builds(lambda n: {"type": "series_complete", "count": n}, st.integers(1, 3)),
        st.builds(lambda n: {"type": "xp_total", "count": n}, st.integers(1, 600)),
        st.builds(lambda n: {"type": "challenge_streak", "count": n}, st.integers(1, 4)),
        st.builds(
            lambda t, n: {"type": "event_count", "event_type": t, "count": n},
            st.sampled_from(list(event_types)),
            st.integers(1, 5),
        ),
        st.builds(lambda n: {"type": "level_reached", "level": n}, st.integers(1, 4)),
    )


def badge_catalogs(
    event_types: Sequence[str], max_size: int = 12
) -> st.SearchStrategy[BadgeCatalog]:
    return _badge_catalogs(tuple(event_types), max_size)


@cache
def _badge_catalogs(event_types: tuple[str, ...], max_size: int) -> st.SearchStrategy[BadgeCatalog]:
    """Built once per argument: hypothesis validates a strategy the first time it is drawn
    from, and a ruleset draws a catalog per example."""
    any_criterion = criteria(event_types) | attribute_criteria() | composite_criteria(event_types)

    @st.composite
    def leveled(draw: st.DrawFn) -> dict[str, Any]:
        criterion = draw(any_criterion)
        return {"criteria": criterion, **(with_levels(draw, criterion) or {})}

    def build(all_criteria: list[dict[str, Any]]) -> BadgeCatalog:
        return BadgeCatalog(
            badges=tuple(
                BadgeDefinition.model_validate(
                    {
                        "id": f"badge-{i}",
                        "name": f"Badge {i}",
                        "description": f"Generated badge {i}.",
                        "icon": f"icons/{i}.svg",
                        **c,
                    }
                )
                for i, c in enumerate(all_criteria)
            )
        )

    return st.lists(leveled(), max_size=max_size).map(build)


@st.composite
def boosts(
    draw: st.DrawFn, epoch: datetime, span_days: int, event_types: Sequence[str]
) -> tuple[Boost, ...]:
    """Up to three overlapping windows of whole hours, some for all types, some for a few."""
    found: list[Boost] = []
    for i in range(draw(st.integers(0, 3))):
        start = epoch + timedelta(hours=draw(st.integers(-24, span_days * 24 + 24)))
        found.append(
            Boost(
                id=f"boost-{i}",
                multiplier=Decimal(draw(st.sampled_from(["2", "1.5", "3", "1.25", "2.75"]))),
                starts_at=start,
                ends_at=start + timedelta(hours=draw(st.integers(1, 72))),
                event_types=draw(
                    st.none() | st.frozensets(st.sampled_from(list(event_types)), min_size=1)
                ),
            )
        )
    return tuple(found)


@st.composite
def quest_catalogs(draw: st.DrawFn, epoch: datetime, span_days: int) -> QuestCatalog:
    """A few quests with windows inside (or across) the stream's span, over counting criteria."""
    quests = []
    for i in range(draw(st.integers(0, 3))):
        start = epoch + timedelta(hours=draw(st.integers(-24, 24 * (span_days + 1))))
        criteria = draw(
            st.sampled_from(
                [
                    {"type": "posts_read", "count": draw(st.integers(1, 4))},
                    {"type": "event_count", "event_type": "comment_left", "count": 2},
                    {"type": "xp_total", "count": draw(st.integers(1, 60))},
                ]
            )
        )
        quests.append(
            parse_quest(
                {
                    "id": f"q{i}",
                    "name": f"Quest {i}",
                    "description": "generated",
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=draw(st.integers(1, 24 * 10)))).isoformat(),
                    "criteria": criteria,
                    "reward_xp": draw(st.sampled_from([0, 40])),
                }
            )
        )
    return QuestCatalog(quests=tuple(quests))


@st.composite
def rulesets(
    draw: st.DrawFn,
    epoch: datetime,
    span_days: int,
    history_days: Sequence[int] = (7, 14, 60),
    max_badges: int = 12,
) -> GameRules:
    events = draw(event_catalogs())
    names = [t.name for t in events]
    earning = [t.name for t in events if t.reporter is not Reporter.SYSTEM]
    return GameRules(
        events=events,
        badges=draw(badge_catalogs(names, max_size=max_badges)),
        boosts=draw(boosts(epoch, span_days, earning)),
        quests=draw(st.none() | quest_catalogs(epoch, span_days)),
        policy=Policy(
            streak_history_days=draw(st.sampled_from(list(history_days))),
            milestone_every=draw(st.sampled_from([7, 2, 3])),
            freezes=FreezeRules(
                earn_every=draw(st.sampled_from([7, 2, 3])),
                max_held=draw(st.sampled_from([2, 0, 1, 3])),
            ),
        ),
    )


def user_settings() -> st.SearchStrategy[UserSettings]:
    return st.builds(UserSettings, timezone=st.sampled_from(TIMEZONES), push_enabled=st.booleans())


@st.composite
def activity_streams(
    draw: st.DrawFn,
    rules: GameRules,
    epoch: datetime,
    span_days: int,
    user_id: str = USER_ID,
    max_size: int = 40,
) -> list[Activity]:
    """Distinct activities (one per dedupe key) as the user did them, over ``span_days``.

    Most are acceptable; a few are not (too old or in the future for their ``received_at``, a
    service-only type from a client, a system type, an unknown type), which must be rejected in
    any order. Days are drawn independently, so streams have gaps and runs.
    """
    earning = [t.name for t in rules.events if t.reporter is not Reporter.SYSTEM]
    type_pool = earning * 6 + [UNKNOWN_TYPE, STREAK_MILESTONE]
    found: dict[str, Activity] = {}
    for _ in range(draw(st.integers(0, max_size))):
        type_name = draw(st.sampled_from(type_pool))
        event_type = rules.events.get(type_name)
        source = Reporter.CLIENT
        if event_type is not None and event_type.reporter is Reporter.SERVICE:
            source = Reporter.CLIENT if draw(st.integers(0, 9)) == 9 else Reporter.SERVICE
        objects = 3 if type_name == DAILY_TYPE else 40
        occurred_at = epoch + timedelta(
            days=draw(st.integers(0, span_days)), minutes=draw(st.integers(0, 24 * 60 - 1))
        )
        kind = draw(st.integers(0, 19))  # 18: from the future, 19: too old, else accepted
        if kind == 19:
            lag = timedelta(hours=48, minutes=draw(st.integers(1, 3000)))
        elif kind == 18:
            lag = -timedelta(minutes=draw(st.integers(6, 600)))
        else:
            lag = timedelta(minutes=draw(st.integers(-5, 48 * 60)))
        activity = Activity(
            user_id=user_id,
            type=type_name,
            object_id=f"o{draw(st.integers(0, objects - 1))}",
            occurred_at=occurred_at,
            received_at=occurred_at + lag,
            source=source,
            attributes=draw(post_attributes()) if type_name == "post_read" else {},
        )
        found.setdefault(activity_key(activity, rules), activity)
    return list(found.values())


@st.composite
def arrivals_any_order(draw: st.DrawFn, activities: Sequence[Activity]) -> list[Activity]:
    """Every activity at least once, some again (redeliveries), in any order at all."""
    redelivered = (
        draw(st.lists(st.sampled_from(activities), max_size=len(activities)))
        if (activities)
        else []
    )
    return list(draw(st.permutations([*activities, *redelivered])))


@st.composite
def arrivals_realistic(draw: st.DrawFn, activities: Sequence[Activity]) -> list[Activity]:
    """Arrival in ``received_at`` order plus queue jitter; redeliveries up to two days later.

    Activities reach the consumer shuffled within the back-dating window (``received_at`` may
    trail ``occurred_at`` by up to 48 h), which is the reordering the product promises to absorb.
    """
    timed: list[tuple[datetime, int, Activity]] = []
    for i, activity in enumerate(activities):
        timed.append(
            (activity.received_at + timedelta(seconds=draw(st.integers(0, 1800))), i, activity)
        )
        if draw(st.integers(0, 3)) == 0:
            later = timedelta(minutes=draw(st.integers(0, 2 * 24 * 60)))
            timed.append((activity.received_at + later, i, activity))
    return [a for _, _, a in sorted(timed, key=lambda t: (t[0], t[1]))]


@st.composite
def batch_splits(draw: st.DrawFn, items: Sequence[Activity]) -> list[list[Activity]]:
    """``items`` cut into consecutive non-empty batches at arbitrary points."""
    batches: list[list[Activity]] = []
    for item in items:
        if not batches or draw(st.booleans()):
            batches.append([])
        batches[-1].append(item)
    return batches


@dataclass(frozen=True)
class Scenario:
    """One user's activities, and how the queue delivered them."""

    rules: GameRules
    settings: UserSettings
    activities: tuple[Activity, ...]
    """Distinct activities, one per dedupe key (what the user did)."""
    batches: tuple[tuple[Activity, ...], ...]
    """The deliveries: every activity at least once, duplicated, reordered and split."""
    now: datetime
    """A clock after every delivery (it only stamps badges and notifications)."""

    @property
    def user_id(self) -> str:
        return USER_ID


@st.composite
def scenarios(
    draw: st.DrawFn,
    arrival: Arrival = "any",
    max_activities: int = 40,
    max_span_days: int = 30,
    max_badges: int = 12,
) -> Scenario:
    """A ruleset, a user and their deliveries.

    ``arrival="any"``: any order at all, so the stream spans fewer days than the streak history
    the ruleset keeps (older days are, by design, beyond reach). ``arrival="realistic"``: in
    ``received_at`` order with jitter and redeliveries, over spans longer than the history, so
    old runs and cap buckets are folded away while the stream goes on.
    """
    epoch = draw(st.sampled_from(EPOCHS))
    history = draw(st.sampled_from([7, 14, 60]))
    longest = max_span_days if arrival == "realistic" else min(max_span_days, history - 2)
    span = draw(st.integers(0, longest))
    rules = draw(rulesets(epoch, span, history_days=[history], max_badges=max_badges))
    activities = draw(activity_streams(rules, epoch, span, max_size=max_activities))
    if arrival == "any":
        arrived = draw(arrivals_any_order(activities))
    else:
        arrived = draw(arrivals_realistic(activities))
    return Scenario(
        rules=rules,
        settings=draw(user_settings()),
        activities=tuple(activities),
        batches=tuple(tuple(b) for b in draw(batch_splits(arrived))),
        now=epoch + timedelta(days=span + 10),
    )
