"""Quests with ``where`` (domain/quests.py): a quest counts only the activities in its window
whose attributes match, like a badge's filtered count; checked against a brute-force count over
the full activity list, whatever the arrival order and batching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.activity import Activity
from gamification.domain.game_rules import default_game_rules
from gamification.domain.quests import QuestCatalog, counter_key, parse_quest
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities

START = datetime(2026, 11, 28, tzinfo=UTC)
END = START + timedelta(days=2)
CATEGORIES = ("python", "go", "rust")


def _quest(where: dict[str, object], count: int = 3) -> dict[str, object]:
    return {
        "id": "python-weekend",
        "name": "Python Weekend",
        "description": "Read Python posts this weekend.",
        "starts_at": START.isoformat(),
        "ends_at": END.isoformat(),
        "criteria": {"type": "posts_read", "count": count, "where": where},
        "reward_xp": 40,
    }


WHERE = {"category": {"in": ["python", "go"]}, "minutes": {"gte": 5}}
RULES = default_game_rules().with_quests(QuestCatalog(quests=(parse_quest(_quest(WHERE)),)))


def _read(post: int, at: datetime) -> Activity:
    """A post's attributes are the post's (the same whenever it is reported)."""
    return Activity(
        user_id="u",
        type="post_read",
        object_id=f"p{post}",
        occurred_at=at,
        received_at=at,
        attributes={"category": CATEGORIES[post % 3], "minutes": post % 10},
    )


def _matches(post: int) -> bool:
    return CATEGORIES[post % 3] in ("python", "go") and post % 10 >= 5


def test_a_quest_counts_only_matching_activities_inside_its_window() -> None:
    activities = [
        _read(15, START),  # python, 5 minutes: counts
        _read(6, START + timedelta(hours=1)),  # python, 6: counts
        _read(7, START + timedelta(hours=2)),  # go, 7: counts
        _read(8, START + timedelta(hours=3)),  # rust, 8 minutes: no
        _read(3, START + timedelta(hours=4)),  # python, 3 minutes: no
        _read(9, END),  # python, 9, but after the window: no
    ]

    step = apply_activities(UserState.new("u"), activities, RULES, END)

    progress = step.state.quests["python-weekend"]
    assert progress.count == 3
    assert progress.completed_at is not None
    assert "Quest Complete: Python Weekend" in [n.title for n in step.effects.notifications]


def test_the_quest_counts_the_filtered_type_and_a_plain_one_keeps_counting_all() -> None:
    filtered = parse_quest(_quest(WHERE))
    plain = parse_quest({**_quest({}), "id": "any", "criteria": {"type": "posts_read", "count": 3}})

    assert filtered.counted_type == plain.counted_type == "post_read"
    assert RULES.quests is not None
    assert RULES.quests.index.groups[counter_key(filtered)][0].quest_ids == ("python-weekend",)


posts = st.lists(
    st.tuples(st.integers(0, 40), st.integers(-600, 3500)), min_size=1, max_size=25
).map(lambda xs: {post: START + timedelta(minutes=minute) for post, minute in xs})


@settings(max_examples=60, deadline=None)
@given(posts, st.randoms(use_true_random=False), st.integers(1, 5))
def test_a_filtered_quest_is_a_brute_force_count_whatever_the_order_and_batches(
    reads: dict[int, datetime], rng: object, batches: int
) -> None:
    activities = [_read(post, at) for post, at in reads.items()]
    expected = sum(1 for post, at in reads.items() if _matches(post) and START <= at < END)
    shuffled = list(activities)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    state, seen = UserState.new("u"), set[str]()
    size = max(1, len(shuffled) // batches)
    for i in range(0, len(shuffled), size):
        batch = shuffled[i : i + size]
        step = apply_activities(state, batch, RULES, END + timedelta(days=1), frozenset(seen))
        seen.update(step.effects.applied_keys)
        state = step.state

    progress = state.quests.get("python-weekend")
    counted = progress.count if progress is not None else 0
    completed = progress is not None and progress.completed_at is not None
    assert completed == (expected >= 3)
    if not completed:  # a completed quest's count stops mattering (and stops moving)
        assert counted == expected


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ({"colour": "red"}, "criteria.where.colour"),
        ({"category": {"gte": 1}}, "criteria.where.category"),
    ],
)
def test_a_quest_where_on_an_undeclared_or_mistyped_attribute_is_refused_naming_it(
    where: dict[str, object], field: str
) -> None:
    from gamification.domain.catalog import load_event_catalog
    from gamification.domain.criteria_check import criterion_problem

    quest = parse_quest(_quest(where))

    problem = criterion_problem(quest.criteria, load_event_catalog())

    assert problem is not None
    assert problem[0] == field
