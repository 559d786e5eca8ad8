"""The quest index (domain/quests.py ``QuestIndex``) against a brute-force evaluation.

The transition counts quests by the counters they wait for, once per batch (issue #32): these
properties check that this equals counting each quest on its own over the full activity list,
for arbitrary catalogs (shared and distinct counters and windows, filters, XP quests, pair and
team quests) and arbitrary activities, orders and batches; and that the one step a batch of XP
credits is folded into equals applying the credits one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.activity import Activity
from gamification.domain.attributes import matches
from gamification.domain.catalog import Reporter
from gamification.domain.game_rules import default_game_rules
from gamification.domain.quests import (
    QuestCatalog,
    QuestDefinition,
    QuestGroup,
    QuestIndex,
    QuestTimes,
    micros,
    parse_quest,
)
from gamification.domain.state import UserSettings, UserState
from gamification.domain.transition import apply_activities

BASE = datetime(2026, 11, 2, tzinfo=UTC)
RULES = default_game_rules()
SERVICE_TYPES = {"series_completed", "challenge_solved"}
CATEGORIES = ("python", "go", "rust")
ZONE = ZoneInfo("Asia/Kolkata")
DAY = 24 * 60
"""Minutes: windows start on whole days after ``BASE``."""

wheres: dict[str, list[dict[str, Any]]] = {
    "post_read": [
        {"category": "python"},
        {"category": {"in": ["go", "rust"]}},
        {"minutes": {"gte": 10}},
        {"premium": True, "minutes": {"lt": 20}},
        {"minutes": {"gte": 10}},  # the same filter twice: one counter
    ],
    "challenge_solved": [{"difficulty": "hard"}, {"difficulty": {"in": ["easy", "medium"]}}],
}


@st.composite
def criteria(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 6))
    kind = draw(st.sampled_from(["posts_read", "series_complete", "event_count", "xp_total"]))
    if kind == "xp_total":
        return {"type": "xp_total", "count": draw(st.sampled_from([10, 40, 100, 10**6]))}
    if kind == "series_complete":
        return {"type": kind, "count": count}
    event_type = (
        "post_read"
        if kind == "posts_read"
        else draw(st.sampled_from(["post_read", "comment_left", "challenge_solved"]))
    )
    shown = {"type": kind, "count": count}
    if kind == "event_count":
        shown["event_type"] = event_type
    if event_type in wheres and draw(st.booleans()):
        shown["where"] = draw(st.sampled_from(wheres[event_type]))
    return shown


windows = st.sampled_from([(0, 3), (1, 2), (0, 8), (2, 6), (5, 9)]) | st.tuples(
    st.integers(0, 8), st.integers(1, 4)
).map(lambda t: (t[0], t[0] + t[1]))


@st.composite
def quest_catalogs(draw: st.DrawFn) -> QuestCatalog:
    quests = []
    for i in range(draw(st.integers(1, 12))):
        start, end = draw(windows)
        quests.append(
            parse_quest(
                {
                    "id": f"q{i}",
                    "name": f"Quest {i}",
                    "description": "A property quest.",
                    "starts_at": (BASE + timedelta(days=start)).isoformat(),
                    "ends_at": (
                        BASE + timedelta(days=end, hours=draw(st.integers(0, 5)))
                    ).isoformat(),
                    "criteria": draw(criteria()),
                    "reward_xp": draw(st.sampled_from([0, 25])),
                    "mode": draw(st.sampled_from(["solo", "solo", "solo", "pair", "team"])),
                }
            )
        )
    return QuestCatalog(quests=tuple(quests))


@st.composite
def activity_lists(draw: st.DrawFn) -> list[Activity]:
    """Distinct objects (a repeat earns nothing, whichever report came first), comments under
    their daily cap, so every activity earns its full XP."""
    out = []
    comments = 0
    for i in range(draw(st.integers(0, 25))):
        kind = draw(
            st.sampled_from(["post_read", "post_read", "comment_left", "series_completed"])
            | st.just("challenge_solved")
        )
        if kind == "comment_left":
            comments += 1
            if comments > 10:
                continue
        attributes: dict[str, object] = {}
        if kind == "post_read":
            attributes = {
                "category": draw(st.sampled_from(CATEGORIES)),
                "minutes": draw(st.integers(0, 30)),
                "premium": draw(st.booleans()),
            }
            attributes = {k: v for k, v in attributes.items() if draw(st.booleans())}
        elif kind == "challenge_solved":
            attributes = {"difficulty": draw(st.sampled_from(["easy", "medium", "hard"]))}
        at = BASE + timedelta(
            minutes=draw(st.integers(-600, 10 * 24 * 60) | st.integers(0, 10).map(DAY.__mul__)),
            microseconds=draw(st.sampled_from([0, 0, -1])),  # on window edges and just before
        )
        out.append(
            Activity(
                user_id="u",
                type=kind,
                object_id=f"o{i}",
                occurred_at=at,
                received_at=at,
                source=Reporter.SERVICE if kind in SERVICE_TYPES else Reporter.CLIENT,
                attributes=attributes,
            )
        )
    return out


def brute_force(quest: QuestDefinition, activities: list[Activity]) -> int:
    """A quest's count straight from its definition: every activity, one by one."""
    total = 0
    for activity in activities:
        event_type = RULES.events[activity.type]
        if quest.counted_type is None:  # a capped type's XP counts by its local day
            if event_type.daily_cap is None:
                inside = quest.contains(activity.occurred_at)
            else:
                day = activity.occurred_at.astimezone(ZONE).date()
                first = datetime(day.year, day.month, day.day, tzinfo=ZONE)
                after = first + timedelta(days=1)  # no DST in Kolkata
                inside = first < quest.ends_at and quest.starts_at < after
            total += event_type.xp_for(activity.attributes) if inside else 0
        elif not quest.contains(activity.occurred_at):
            continue
        elif activity.type == quest.counted_type and matches(
            getattr(quest.criteria, "where", None), activity.attributes
        ):
            total += 1
    return total


@settings(max_examples=150, deadline=None)
@given(quest_catalogs(), activity_lists(), st.randoms(use_true_random=False), st.integers(1, 6))
def test_indexed_quest_counts_equal_a_brute_force_count_whatever_the_order_and_batches(
    catalog: QuestCatalog, activities: list[Activity], rng: Any, batches: int
) -> None:
    rules = RULES.with_quests(catalog)
    shuffled = list(activities)
    rng.shuffle(shuffled)
    state, seen = UserState.new("u", UserSettings(timezone=ZONE.key)), set[str]()
    size = max(1, -(-len(shuffled) // batches))
    for i in range(0, len(shuffled), size):
        now = max(a.received_at for a in shuffled[i : i + size])
        step = apply_activities(state, shuffled[i : i + size], rules, now, frozenset(seen))
        assert not step.effects.rejected
        seen.update(step.effects.applied_keys)
        state = step.state

    for quest in catalog:
        expected = brute_force(quest, activities)
        progress = state.quests.get(quest.id)
        completed = progress is not None and progress.completed_at is not None
        assert completed == (quest.mode == "solo" and expected >= quest.target), quest.id
        if not completed:  # a completed quest's count stops mattering (and stops moving)
            assert (progress.count if progress is not None else 0) == expected, quest.id


credits = st.lists(
    st.tuples(
        st.integers(0, 100),
        st.integers(1, 30),
        st.integers(-40, 40),
    ).map(lambda t: (t[0], t[0] + t[1], t[2])),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    credits,
    st.lists(st.tuples(st.integers(0, 120), st.integers(1, 60)), min_size=1, max_size=6),
    st.integers(0, 200),
)
def test_a_batch_of_xp_credits_folds_into_the_step_applying_them_one_by_one_gives(
    batch: list[tuple[int, int, int]], spans: list[tuple[int, int]], before: int
) -> None:
    """Each credit inside a window adds its XP and the count stops at 0 at every step (a cap
    slot changing hands takes XP off); one ``max(low, n + by)`` per batch is the same."""
    groups = tuple(
        QuestGroup("xp", s, s + length, (f"q{i}",)) for i, (s, length) in enumerate(spans)
    )
    index = QuestIndex(counters={}, groups={}, xp_groups=groups, by_id={}, solo_targets={})
    times = QuestTimes(credits=list(batch))

    moved = {group.quest_ids[0]: (by, low) for group, by, low in times.counts(index)}

    for group in groups:
        inside = [xp for lo, hi, xp in batch if lo < group.end and group.start < hi]
        step_by_step = before
        for xp in inside:
            step_by_step = max(0, step_by_step + xp)
        quest_id = group.quest_ids[0]
        assert (quest_id in moved) == bool(inside)
        if inside:
            by, low = moved[quest_id]
            assert max(low, before + by) == step_by_step


def test_quests_on_one_counter_and_window_share_a_group_and_equal_filters_share_a_counter() -> None:
    def quest(i: int, where: Mapping[str, object], end: int = 2) -> QuestDefinition:
        return parse_quest(
            {
                "id": f"q{i}",
                "name": "Q",
                "description": "Q.",
                "starts_at": BASE.isoformat(),
                "ends_at": (BASE + timedelta(days=end)).isoformat(),
                "criteria": {"type": "posts_read", "count": 1 + i, "where": where},
                "reward_xp": 0,
            }
        )

    index = QuestIndex.of(
        (
            quest(0, {"minutes": {"gte": 5}, "category": "go"}),
            quest(1, {"category": "go", "minutes": {"gte": 5}}),  # same filter, other order
            quest(2, {"category": "go", "minutes": {"gte": 5}}, end=3),  # other window
            quest(3, {"category": "rust"}),
        )
    )

    assert len(index.counters["post_read"]) == 2
    groups = sorted(g.quest_ids for gs in index.groups.values() for g in gs)
    assert groups == [("q0", "q1"), ("q2",), ("q3",)]
    assert micros(BASE) == index.groups[next(iter(index.groups))][0].start
