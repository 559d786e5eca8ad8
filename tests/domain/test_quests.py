"""Quests: counted by occurrence time inside an absolute window, completed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from gamification.domain.activity import Activity
from gamification.domain.catalog import EventType
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.notifications import NotificationKind
from gamification.domain.quests import QuestCatalog, parse_quest
from gamification.domain.state import UserSettings, UserState
from gamification.domain.transition import apply_activities, complete_quest
from tests.domain.builders import rules_with

START = datetime(2026, 11, 28, 0, tzinfo=UTC)  # Saturday 00:00 UTC
END = datetime(2026, 11, 30, 0, tzinfo=UTC)  # Monday 00:00 UTC


def weekend(**overrides: object) -> dict[str, object]:
    return {
        "id": "weekend-reader",
        "name": "Weekend Reader",
        "description": "Read 3 posts this weekend.",
        "starts_at": START.isoformat(),
        "ends_at": END.isoformat(),
        "criteria": {"type": "posts_read", "count": 3},
        "reward_xp": 40,
        **overrides,
    }


RULES = default_game_rules().with_quests(QuestCatalog(quests=(parse_quest(weekend()),)))


def read(post: str, at: datetime, received: datetime | None = None) -> Activity:
    return Activity(
        user_id="u",
        type="post_read",
        object_id=post,
        occurred_at=at,
        received_at=received or at,
    )


def run(state: UserState, *activities: Activity) -> tuple[UserState, list[str]]:
    now = max(a.received_at for a in activities)
    step = apply_activities(state, activities, RULES, now)
    return step.state, [n.title for n in step.effects.notifications]


def test_the_window_includes_its_start_and_excludes_its_end() -> None:
    state, _ = run(
        UserState.new("u"),
        read("before", START - timedelta(microseconds=1)),
        read("first", START),
        read("last", END - timedelta(microseconds=1)),
        read("after", END),
    )
    assert state.quests["weekend-reader"].count == 2
    assert state.quests["weekend-reader"].completed_at is None


def test_the_window_is_absolute_not_the_users_local_weekend() -> None:
    """Decision: windows are instants, the same for every user. Saturday 08:00 in Auckland is
    still Friday in UTC, before the window: it does not count although it is the user's
    Saturday; Sunday 20:00 in Los Angeles is Monday in UTC: after the window."""
    auckland = UserState.new("u", UserSettings(timezone="Pacific/Auckland"))
    saturday_morning = datetime(2026, 11, 28, 8, tzinfo=ZoneInfo("Pacific/Auckland"))
    state, _ = run(auckland, read("a", saturday_morning))
    assert "weekend-reader" not in state.quests
    la = UserState.new("u", UserSettings(timezone="America/Los_Angeles"))
    sunday_evening = datetime(2026, 11, 29, 20, tzinfo=ZoneInfo("America/Los_Angeles"))
    state, _ = run(la, read("b", sunday_evening))
    assert "weekend-reader" not in state.quests


def test_a_late_activity_counts_by_when_it_occurred() -> None:
    inside_late = read("late-in", END - timedelta(hours=1), received=END + timedelta(hours=20))
    outside_late = read("late-out", END + timedelta(hours=1), received=END + timedelta(hours=20))
    state, _ = run(UserState.new("u"), inside_late, outside_late)
    assert state.quests["weekend-reader"].count == 1


def test_the_reward_is_paid_once_even_when_reads_repeat() -> None:
    reads = [read(f"p{i}", START + timedelta(hours=i)) for i in range(3)]
    state, titles = run(UserState.new("u"), *reads)
    assert "Quest Complete: Weekend Reader" in titles
    assert state.xp == 30 + 40  # three reads and the bonus
    assert state.quests["weekend-reader"].completed_at is not None
    # The same reads again (no dedupe markers passed: the cap slots catch them) and one more.
    again, titles = run(state, *reads, read("p9", START + timedelta(hours=9)))
    assert "Quest Complete: Weekend Reader" not in titles
    assert again.xp == state.xp + 10


def test_quest_xp_is_bonus_xp_not_weekly_xp() -> None:
    reads = [read(f"p{i}", START + timedelta(hours=i)) for i in range(3)]
    state, _ = run(UserState.new("u"), *reads)
    assert sum(state.weekly_xp.values()) == 30
    assert state.xp == 70


def test_a_reward_badge_is_awarded_with_the_quest() -> None:
    rules = default_game_rules()
    quest = parse_quest(
        weekend(reward_badge="bookworm", criteria={"type": "posts_read", "count": 1})
    )
    rules = rules.with_quests(QuestCatalog(quests=(quest,)))
    step = apply_activities(UserState.new("u"), [read("p", START)], rules, START)
    assert "bookworm" in step.state.badges
    kinds = [n.kind for n in step.effects.notifications]
    assert NotificationKind.QUEST_COMPLETED in kinds
    assert NotificationKind.BADGE_EARNED in kinds


def test_xp_total_quests_count_activity_xp_inside_the_window() -> None:
    quest = parse_quest(weekend(criteria={"type": "xp_total", "count": 25}))
    rules = default_game_rules().with_quests(QuestCatalog(quests=(quest,)))
    reads = [read(f"p{i}", START + timedelta(hours=i)) for i in range(3)]
    step = apply_activities(UserState.new("u"), reads, rules, START + timedelta(hours=3))
    assert step.state.quests["weekend-reader"].completed_at is not None


def test_progress_of_quests_that_left_the_catalog_is_dropped() -> None:
    state, _ = run(UserState.new("u"), read("p", START))
    assert "weekend-reader" in state.quests
    empty = default_game_rules().with_quests(QuestCatalog())
    step = apply_activities(state, [read("q", START)], empty, START)
    assert step.state.quests == {}
    # A process that did not load the quests leaves them alone.
    step = apply_activities(state, [read("r", START)], default_game_rules(), START)
    assert step.state.quests == state.quests


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": START.isoformat()}, "body"),
        ({"criteria": {"type": "streak", "count": 3}}, "criteria"),
        (
            {"criteria": {"type": "posts_read", "count": 3, "colour": "red"}},
            "criteria.posts_read.colour",
        ),
        ({"reward_xp": -1}, "reward_xp"),
        ({"starts_at": "2026-11-28T00:00:00"}, "starts_at"),
    ],
)
def test_invalid_definitions_name_what_is_wrong(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_quest(weekend(**overrides))
    from gamification.validation import problems

    assert next(f for f, _ in problems(caught.value)).startswith(field.split(".", maxsplit=1)[0])


def test_notifications_past_the_room_of_one_commit_become_one_digest() -> None:
    from gamification.domain import notifications

    many = [
        notifications.quest_completed(
            user_id="u", quest_id=f"q{i}", name=f"Q{i}", xp=1, now=START, push=False
        )
        for i in range(10)
    ]
    assert notifications.within(many, 10) == many
    fitted = notifications.within(many, 4)
    assert [n.id for n in fitted] == ["quest#q0", "quest#q1", "quest#q2", "more#quest#q3"]
    assert fitted[-1].title == "And 7 more"
    assert fitted[-1].message.startswith("Also: Quest Complete: Q3; ")
    assert notifications.within(many, 4) == fitted  # deterministic: a retry writes the same


def _capped_xp_quest_rules(starts_at: datetime) -> GameRules:
    capped = EventType(name="post_read", base_xp=10, daily_cap=1)
    quest = parse_quest(
        weekend(starts_at=starts_at.isoformat(), criteria={"type": "xp_total", "count": 10})
    )
    return rules_with(capped).with_quests(QuestCatalog(quests=(quest,)))


def test_an_xp_quest_counts_a_capped_days_xp_whichever_activity_holds_the_slot() -> None:
    """Decision: a daily-capped type's XP counts for an XP quest by its *day* (the day's capped
    XP counts if any part of the user's local day is inside the window), not by the instant of
    the activity that holds the slot. A slot can change hands to an earlier activity that arrives
    late; judged by instant, an activity inside the window could complete the quest and then
    lose its XP to one outside it, so completion (which is never undone) would depend on arrival
    order. Judged by day, both are in or both out, and a slot only ever passes to more XP."""
    window_start = START + timedelta(hours=10)
    rules = _capped_xp_quest_rules(window_start)
    before = read("early", START + timedelta(hours=9))  # same day, before the window
    inside = read("later", START + timedelta(hours=11))
    in_order = apply_activities(UserState.new("u"), [before, inside], rules, END)
    first = apply_activities(UserState.new("u"), [inside], rules, END)
    late = apply_activities(first.state, [before], rules, END)
    for state in (in_order.state, late.state):
        assert state.xp == 10 + 40  # one slot's XP and the quest's reward
        assert state.quests["weekend-reader"].completed_at is not None
    # A capped day entirely outside the window does not count.
    day_before = read("friday", START - timedelta(hours=1))
    step = apply_activities(UserState.new("u"), [day_before], rules, END)
    assert "weekend-reader" not in step.state.quests


def test_a_team_quest_counts_the_users_share_but_completes_per_team() -> None:
    """``mode: "team"``: the transition counts the user's own activities in the window (their
    share of the team's progress, domain.team_quests) and never completes or pays it itself."""
    rules = default_game_rules().with_quests(
        QuestCatalog(quests=(parse_quest(weekend(mode="team")),))
    )
    reads = [read(f"p{i}", START + timedelta(hours=i)) for i in range(4)]
    step = apply_activities(UserState.new("u"), reads, rules, reads[-1].received_at)
    assert step.state.quests["weekend-reader"].count == 4
    assert step.state.quests["weekend-reader"].completed_at is None
    assert step.state.xp == 40  # the four reads: no quest bonus
    assert not [n for n in step.effects.notifications if n.id.startswith("quest#")]


def test_a_pair_payment_is_a_solo_completion() -> None:
    """``complete_quest`` (what a pair quest's settlement commits) pays what a solo quest's
    completion inside ``apply_activities`` pays: the same award, badge, notifications, state."""
    quest = weekend(reward_badge="bookworm", criteria={"type": "posts_read", "count": 1})
    solo_rules = default_game_rules().with_quests(QuestCatalog(quests=(parse_quest(quest),)))
    pair = parse_quest({**quest, "mode": "pair"})
    pair_rules = default_game_rules().with_quests(QuestCatalog(quests=(pair,)))
    solo = apply_activities(UserState.new("u"), [read("p", START)], solo_rules, START)
    counted = apply_activities(UserState.new("u"), [read("p", START)], pair_rules, START)
    assert counted.state.quests["weekend-reader"].completed_at is None  # the pair's sum decides
    paid = complete_quest(counted.state, pair, pair_rules, START)
    assert paid.state == solo.state
    assert paid.effects.awards == [
        a for a in solo.effects.awards if a not in counted.effects.awards
    ]
    assert paid.effects.badges_earned == ["bookworm"]
    assert sorted(solo.effects.badges_earned) == sorted(
        [*counted.effects.badges_earned, "bookworm"]
    )
    assert paid.effects.notifications == [
        n for n in solo.effects.notifications if n not in counted.effects.notifications
    ]
