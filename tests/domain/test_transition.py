"""The transition function: caps, uniqueness, rejections, notifications and weekly XP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gamification.domain.boosts import Boost
from gamification.domain.catalog import EventType, Repeat, Reporter
from gamification.domain.game_rules import default_game_rules
from gamification.domain.notifications import NotificationKind
from gamification.domain.policy import Policy
from gamification.domain.state import UserState
from gamification.domain.transition import RejectReason, check
from tests.domain.builders import (
    NOW,
    USER,
    activity,
    apply,
    apply_one_by_one,
    at,
    rules_with,
    user,
)

NOON = at("2026-06-10T12:00+00:00")


# --- daily caps ------------------------------------------------------------------------------


def test_the_51st_read_of_a_day_earns_nothing_and_is_not_counted() -> None:
    reads = [activity("post_read", f"p{i}", NOON + timedelta(minutes=i)) for i in range(51)]
    step = apply(user(), reads, rules_with())
    assert step.state.xp == 500
    assert step.state.counters["post_read"] == 50
    assert [a.xp for a in step.effects.awards] == [10] * 50 + [0]
    assert len(step.effects.applied_keys) == 51, "the 51st is still consumed: no retry earns it"


def test_the_cap_holds_across_batches() -> None:
    reads = [activity("post_read", f"p{i}", NOON + timedelta(minutes=i)) for i in range(51)]
    state, steps = apply_one_by_one(user(), reads, rules_with())
    assert (state.xp, state.counters["post_read"]) == (500, 50)
    assert steps[-1].effects.xp_awarded == 0


def test_the_cap_is_per_local_day() -> None:
    """50 reads on the evening of June 10 in New York (already June 11 in UTC), then one more
    at 01:00 New York time: the same UTC day, but a new local day with a fresh cap."""
    evening = at("2026-06-10T20:00-04:00")
    fifty = [activity("post_read", f"p{i}", evening + timedelta(minutes=i)) for i in range(50)]
    full = apply(user("America/New_York"), fifty, rules_with()).state
    same_day = apply(full, [activity("post_read", "late", at("2026-06-10T23:59-04:00"))])
    next_day = apply(full, [activity("post_read", "early", at("2026-06-11T01:00-04:00"))])
    assert same_day.effects.xp_awarded == 0
    assert next_day.effects.xp_awarded == 10
    assert next_day.state.counters["post_read"] == 51


def test_a_boosted_activity_takes_a_capped_slot_in_any_order() -> None:
    """Cap 1: the better (boosted) read keeps the slot, whichever arrived first."""
    plain = activity("post_read", "plain", NOON)
    boosted = activity("post_read", "boosted", NOON + timedelta(hours=2))
    rules = rules_with(
        EventType(name="post_read", base_xp=10, daily_cap=1),
        boosts=(
            Boost(
                id="happy-hour",
                multiplier=Decimal(3),
                starts_at=NOON + timedelta(hours=1),
                ends_at=NOON + timedelta(hours=3),
            ),
        ),
    )
    forward, forward_steps = apply_one_by_one(user(), [plain, boosted], rules)
    backward, backward_steps = apply_one_by_one(user(), [boosted, plain], rules)
    assert forward.xp == backward.xp == 30
    assert forward.counters == backward.counters == {"post_read": 1}
    assert forward.capped == backward.capped
    assert [s.effects.xp_awarded for s in forward_steps] == [10, 20]
    assert [s.effects.xp_awarded for s in backward_steps] == [30, 0]
    assert forward.weekly_xp == backward.weekly_xp == {"2026-W24": 30}


# --- uniqueness ------------------------------------------------------------------------------


def test_reading_the_same_post_twice_earns_once() -> None:
    twice = [activity("post_read", "p1", NOON), activity("post_read", "p1", NOON)]
    step = apply(user(), twice, rules_with())
    assert step.state.xp == 10
    assert step.effects.applied_keys == ["post_read#p1"]
    assert step.effects.duplicates == ["post_read#p1"]


def test_a_key_seen_by_an_earlier_batch_is_a_no_op() -> None:
    first = apply(user(), [activity("post_read", "p1", NOON)], rules_with())
    again = apply(
        first.state,
        [activity("post_read", "p1", NOON)],
        rules_with(),
        seen=first.effects.applied_keys,
    )
    assert again.state == first.state
    assert again.effects.duplicates == ["post_read#p1"]
    assert not again.effects.changed


def test_a_repeat_on_another_day_earns_nothing_but_keeps_the_streak() -> None:
    """Re-reading post p1 the next day: no XP, no count, but the day was an active one."""
    first = apply(user(), [activity("post_read", "p1", NOON)], rules_with())
    again = apply(
        first.state,
        [activity("post_read", "p1", NOON + timedelta(days=1))],
        rules_with(),
        seen=first.effects.applied_keys,
    )
    assert again.effects.duplicates == ["post_read#p1"]
    assert again.state.xp == first.state.xp
    assert again.state.counters == first.state.counters
    assert again.state.streak.current_run == 2
    assert again.effects.changed


def test_which_report_of_an_object_arrives_first_does_not_change_the_streak() -> None:
    day_0 = activity("post_read", "p1", NOON)
    day_1 = activity("post_read", "p1", NOON + timedelta(days=1))
    results = []
    for order in ([day_0, day_1], [day_1, day_0]):
        first = apply(user(), [order[0]], rules_with())
        second = apply(first.state, [order[1]], rules_with(), seen=first.effects.applied_keys)
        results.append(second.state)
    assert results[0].streak == results[1].streak
    assert results[0].streak.current_run == 2


def test_daily_types_earn_once_per_utc_day() -> None:
    """23:30 and 00:30 New York time are two local days but the same UTC day: one award."""
    rules = rules_with(EventType(name="daily_checkin", base_xp=5, repeat=Repeat.DAILY))
    visits = [
        activity("daily_checkin", "home", at("2026-06-10T23:30-04:00")),
        activity("daily_checkin", "home", at("2026-06-11T00:30-04:00")),
        activity("daily_checkin", "home", at("2026-06-11T21:00-04:00")),  # 01:00 UTC on the 12th
    ]
    step = apply(user("America/New_York"), visits, rules)
    assert step.effects.applied_keys == [
        "daily_checkin#home#2026-06-11",
        "daily_checkin#home#2026-06-12",
    ]
    assert step.effects.duplicates == ["daily_checkin#home#2026-06-11"]
    assert step.state.xp == 10


# --- rejections ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["challenge_solved", "series_completed"])
def test_service_only_types_are_rejected_from_a_client(kind: str) -> None:
    from_client = apply(user(), [activity(kind, "x", NOON)])
    assert [r.reason for r in from_client.effects.rejected] == [RejectReason.NOT_PERMITTED]
    assert "cannot be reported by a client" in from_client.effects.rejected[0].detail
    assert from_client.state == user()
    assert not from_client.effects.applied_keys

    from_service = apply(user(), [activity(kind, "x", NOON, source=Reporter.SERVICE)])
    assert from_service.effects.applied_keys == [f"{kind}#x"]
    assert from_service.state.xp == default_game_rules().events[kind].base_xp


@pytest.mark.parametrize("kind", ["streak_milestone", "badge_earned"])
@pytest.mark.parametrize("source", [Reporter.CLIENT, Reporter.SERVICE])
def test_system_types_are_never_accepted(kind: str, source: Reporter) -> None:
    step = apply(user(), [activity(kind, "x", NOON, source=source)])
    assert [r.reason for r in step.effects.rejected] == [RejectReason.NOT_PERMITTED]
    assert step.state.xp == 0


def test_unknown_types_and_other_users_are_rejected() -> None:
    step = apply(
        user(),
        [activity("telepathy", "x", NOON), activity("post_read", "p", NOON, user="mallory")],
    )
    assert [r.reason for r in step.effects.rejected] == [
        RejectReason.WRONG_USER,
        RejectReason.UNKNOWN_TYPE,
    ]
    assert step.state == user()


@pytest.mark.parametrize(
    ("lag", "reason"),
    [
        (timedelta(hours=48), None),
        (timedelta(hours=48, seconds=1), RejectReason.TOO_OLD),
        (timedelta(days=30), RejectReason.TOO_OLD),
        (-timedelta(minutes=5), None),
        (-timedelta(minutes=5, seconds=1), RejectReason.IN_FUTURE),
        (-timedelta(days=1), RejectReason.IN_FUTURE),
    ],
)
def test_back_dating_window_and_clock_skew(lag: timedelta, reason: RejectReason | None) -> None:
    late = activity("post_read", "p", NOON, received=NOON + lag)
    step = apply(user(), [late])
    assert [r.reason for r in step.effects.rejected] == ([reason] if reason else [])
    assert step.state.xp == (0 if reason else 10)


def test_the_back_dating_window_is_configurable() -> None:
    rules = default_game_rules(Policy(max_backdate=timedelta(hours=2)))
    late = activity("post_read", "p", NOON, received=NOON + timedelta(hours=2, seconds=1))
    verdict = check(late, USER, rules)
    assert not isinstance(verdict, EventType)
    assert verdict.reason is RejectReason.TOO_OLD
    assert verdict.detail == "more than 2 hours before it was received"
    assert check(activity("post_read", "p", NOON), USER, rules) == rules.events["post_read"]


def test_a_rejected_activity_does_not_consume_its_key() -> None:
    stale = activity("post_read", "p", NOON, received=NOON + timedelta(days=3))
    fresh = activity("post_read", "p", NOON + timedelta(days=3))
    first = apply(user(), [stale])
    second = apply(first.state, [fresh], seen=first.effects.applied_keys)
    assert second.effects.applied_keys == ["post_read#p"]
    assert second.state.xp == 10


# --- levels and notifications ----------------------------------------------------------------


def test_level_up_notification_has_the_seeds_texts() -> None:
    reads = [activity("post_read", f"p{i}", NOON + timedelta(minutes=i)) for i in range(10)]
    nine, tenth = reads[:9], reads[9:]
    state = apply(user(push=True), nine).state
    assert (state.xp, state.level) == (90, 0)
    step = apply(state, tenth, now=NOW)
    assert step.effects.level_up is not None
    assert (step.effects.level_up.old, step.effects.level_up.new) == (0, 1)
    [note] = [n for n in step.effects.notifications if n.kind is NotificationKind.LEVEL_UP]
    assert note.title == "Level 1!"
    assert note.message == "You advanced from level 0 to 1."
    assert (note.id, note.user_id, note.created_at, note.push) == ("level#1", USER, NOW, True)


def test_a_jump_over_several_levels_is_one_notification() -> None:
    series = [
        activity("series_completed", f"s{i}", NOON, source=Reporter.SERVICE) for i in range(3)
    ]
    step = apply(user(), series)
    assert (step.state.xp, step.state.level) == (300, 2)
    level_ups = [n for n in step.effects.notifications if n.kind is NotificationKind.LEVEL_UP]
    assert [(n.title, n.message) for n in level_ups] == [
        ("Level 2!", "You advanced from level 0 to 2.")
    ]
    assert level_ups[0].push is False, "push follows the user's setting"
    three_more = [
        activity("series_completed", f"t{i}", NOON, source=Reporter.SERVICE) for i in range(3)
    ]
    more = apply(step.state, three_more)
    assert (more.state.xp, more.state.level) == (600, 3)
    [note] = [n for n in more.effects.notifications if n.kind is NotificationKind.LEVEL_UP]
    assert (note.title, note.message) == ("Level 3!", "You advanced from level 2 to 3.")


def test_badge_notification_and_zero_xp_badge_event_with_default_rules() -> None:
    step = apply(user(), [activity("post_read", "p1", NOON)])
    assert step.effects.badges_earned == ["first-read"]
    [note] = [n for n in step.effects.notifications if n.kind is NotificationKind.BADGE_EARNED]
    assert (note.title, note.message) == ("Badge Unlocked: First Steps", "Read your first post.")
    assert step.state.xp == 10, "badge_earned is worth 0 XP"


def test_effects_account_for_every_point_of_xp() -> None:
    reads = [activity("post_read", f"p{i}", NOON + timedelta(days=i)) for i in range(7)]
    step = apply(user(), reads)
    assert step.effects.xp_awarded == step.state.xp == 7 * 10 + 50
    assert sorted({a.event_type for a in step.effects.awards}) == [
        "badge_earned",
        "post_read",
        "streak_milestone",
    ]


# --- weekly XP -------------------------------------------------------------------------------


def test_weekly_xp_uses_the_utc_iso_week_and_excludes_bonus_xp() -> None:
    """Sunday 22:00 in New York is Monday in UTC: the next ISO week."""
    sunday_evening = activity("post_read", "sun", at("2026-06-14T22:00-04:00"))
    sunday_noon = activity("post_completed", "noon", at("2026-06-14T12:00-04:00"))
    monday = at("2026-06-08T12:00+00:00")
    weekdays = [activity("comment_left", f"c{i}", monday + timedelta(days=i)) for i in range(6)]
    step = apply(user("America/New_York"), [sunday_noon, sunday_evening, *weekdays])
    assert step.state.weekly_xp == {"2026-W24": 6 * 5 + 25, "2026-W25": 10}
    assert step.effects.milestones == 1
    assert step.state.xp == 6 * 5 + 25 + 10 + 50, "the milestone adds to the total only"


def test_weekly_xp_keeps_the_last_active_weeks_by_date() -> None:
    reads = [activity("post_read", f"w{i}", NOON - timedelta(weeks=i)) for i in range(6)]
    state = apply(user(), reads).state
    assert state.weekly_xp == {"2026-W22": 10, "2026-W23": 10, "2026-W24": 10}


def test_a_week_left_empty_by_a_moved_cap_slot_is_not_kept() -> None:
    """The slot of Sunday 10:00 (week 11) goes to a boosted read at 23:00 the same New York
    Sunday (Monday in UTC, week 12). Whichever arrives first, week 11 ends up absent."""
    sunday_morning = activity("post_read", "a", at("2026-03-15T10:00-04:00"))
    sunday_night = activity("post_read", "b", at("2026-03-15T23:00-04:00"))
    rules = rules_with(
        EventType(name="post_read", base_xp=10, daily_cap=1),
        boosts=(
            Boost(
                id="night-owl",
                multiplier=Decimal(2),
                starts_at=sunday_night.occurred_at - timedelta(hours=1),
                ends_at=sunday_night.occurred_at + timedelta(hours=1),
            ),
        ),
    )
    for order in ([sunday_morning, sunday_night], [sunday_night, sunday_morning]):
        state, _ = apply_one_by_one(user("America/New_York"), order, rules)
        assert state.weekly_xp == {"2026-W12": 20}
        assert apply(user("America/New_York"), order, rules).state.weekly_xp == {"2026-W12": 20}


# --- purity ----------------------------------------------------------------------------------


def test_the_input_state_is_left_untouched_and_now_only_stamps() -> None:
    start = user()
    snapshot = start.model_dump()
    reads = [activity("post_read", f"p{i}", NOON + timedelta(days=i)) for i in range(8)]
    one = apply(start, reads, now=NOW)
    other = apply(start, reads, now=NOW + timedelta(days=3))
    assert start.model_dump() == snapshot
    assert one.state.model_dump(exclude={"badges"}) == other.state.model_dump(exclude={"badges"})
    assert set(one.state.badges) == set(other.state.badges)
    assert set(one.state.badges.values()) == {NOW}


def test_an_empty_batch_changes_nothing() -> None:
    state = UserState.new(USER)
    step = apply(state, [])
    assert step.state == state
    assert not step.effects.changed
    assert step.effects.notifications == []
