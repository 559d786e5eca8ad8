"""Streaks: days in the user's zone (midnight, DST), gaps, milestones, late activities."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from gamification.domain.activity import Activity
from gamification.domain.catalog import Reporter
from gamification.domain.game_rules import default_game_rules
from gamification.domain.notifications import NotificationKind
from gamification.domain.policy import Policy
from gamification.domain.state import UserState
from gamification.domain.streaks import (
    DayRun,
    StreakTrack,
    local_day,
    reminder_due_at,
    streak_status,
)
from tests.domain.builders import activity, apply, apply_one_by_one, at, daily, user

BERLIN = ZoneInfo("Europe/Berlin")


def _reads(*instants: datetime | str) -> list[Activity]:
    return [activity("post_read", f"p{i}", moment) for i, moment in enumerate(instants)]


def _streak_in(timezone: str, activities: list[Activity]) -> tuple[int, int]:
    """(current, longest) after applying one by one, and check batching does not matter."""
    state, _ = apply_one_by_one(user(timezone), activities)
    reversed_state, _ = apply_one_by_one(user(timezone), activities[::-1])
    together = apply(user(timezone), activities).state
    assert reversed_state.streak == together.streak == state.streak
    return state.streak.current_run, state.streak.longest


# --- days in the user's timezone -------------------------------------------------------------


def test_local_day_follows_the_users_zone() -> None:
    moment = at("2026-01-10T23:30-05:00")  # 04:30 on the 11th in UTC
    assert local_day(moment, "America/New_York") == date(2026, 1, 10)
    assert local_day(moment, "UTC") == date(2026, 1, 11)
    assert local_day(moment, "Asia/Kolkata") == date(2026, 1, 11)


def test_midnight_in_new_york_is_not_midnight_in_utc() -> None:
    """23:30 and 00:30 New York time are two local days but one UTC day."""
    around_ny_midnight = _reads("2026-01-10T23:30-05:00", "2026-01-11T00:30-05:00")
    assert _streak_in("America/New_York", around_ny_midnight) == (2, 2)
    assert _streak_in("UTC", around_ny_midnight) == (1, 1)

    around_utc_midnight = _reads("2026-01-10T18:30-05:00", "2026-01-10T19:30-05:00")
    assert _streak_in("America/New_York", around_utc_midnight) == (1, 1)
    assert _streak_in("UTC", around_utc_midnight) == (2, 2)


def test_berlin_spring_forward_day_has_23_hours_and_counts_once() -> None:
    """2026-03-29: 02:00 CET jumps to 03:00 CEST."""
    reads = _reads(
        "2026-03-28T23:30+01:00",
        "2026-03-29T03:30+02:00",  # just after the jump
        "2026-03-29T23:30+02:00",  # 21:30 UTC
        "2026-03-30T00:15+02:00",  # still the 29th in UTC
    )
    assert _streak_in("Europe/Berlin", reads) == (3, 3)
    assert _streak_in("UTC", reads) == (2, 2)


def test_berlin_fall_back_day_has_25_hours_and_counts_once() -> None:
    """2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice."""
    reads = _reads(
        "2026-10-24T12:00+02:00",
        "2026-10-25T00:30+02:00",  # 22:30 UTC on the 24th
        datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=BERLIN),  # 00:30 UTC
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),  # 01:30 UTC
        "2026-10-25T23:30+01:00",
        "2026-10-26T00:10+01:00",  # 23:10 UTC on the 25th
    )
    assert local_day(reads[2].occurred_at, "Europe/Berlin") == date(2026, 10, 25)
    assert local_day(reads[3].occurred_at, "Europe/Berlin") == date(2026, 10, 25)
    assert _streak_in("Europe/Berlin", reads) == (3, 3)
    assert _streak_in("UTC", reads) == (2, 2)


def test_new_york_spring_forward() -> None:
    """2026-03-08: 02:00 EST jumps to 03:00 EDT."""
    reads = _reads(
        "2026-03-07T23:30-05:00",  # 04:30 UTC on the 8th
        "2026-03-08T23:30-04:00",  # 03:30 UTC on the 9th
        "2026-03-09T00:30-04:00",  # 04:30 UTC on the 9th
    )
    assert _streak_in("America/New_York", reads) == (3, 3)
    assert _streak_in("UTC", reads) == (2, 2)


def test_new_york_fall_back() -> None:
    """2026-11-01: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice."""
    reads = _reads(
        "2026-10-31T23:59-04:00",
        "2026-11-01T01:30-04:00",
        "2026-11-01T01:30-05:00",
        "2026-11-01T23:30-05:00",  # 04:30 UTC on the 2nd
        "2026-11-02T00:30-05:00",
    )
    assert _streak_in("America/New_York", reads) == (3, 3)
    assert _streak_in("UTC", reads) == (2, 2)


# --- runs, gaps and milestones ---------------------------------------------------------------


def test_a_missed_day_starts_a_new_streak_of_one_and_keeps_the_longest() -> None:
    june = at("2026-06-01T09:00+00:00")
    days = [*daily(june, 3), activity("post_read", "after-gap", june + timedelta(days=4))]
    state, _ = apply_one_by_one(user(), days)
    assert (state.streak.current_run, state.streak.longest) == (1, 3)
    state, _ = apply_one_by_one(state, [activity("post_read", "next", june + timedelta(days=5))])
    assert (state.streak.current_run, state.streak.longest) == (2, 3)


def test_seventh_and_fourteenth_days_award_one_milestone_each() -> None:
    days = daily(at("2026-06-01T09:00+00:00"), 14)
    state, steps = apply_one_by_one(user(push=True), days)
    assert [i + 1 for i, step in enumerate(steps) if step.effects.milestones] == [7, 14]
    assert all(step.effects.milestones <= 1 for step in steps)
    assert state.xp == 14 * 10 + 2 * 50
    assert state.counters["streak_milestone"] == 2

    seventh = steps[6].effects
    milestone_awards = [a for a in seventh.awards if a.event_type == "streak_milestone"]
    assert [(a.key, a.xp) for a in milestone_awards] == [("streak_milestone#1", 50)]
    [note] = [n for n in seventh.notifications if n.kind is NotificationKind.STREAK_MILESTONE]
    assert (note.id, note.title, note.message) == (
        "streak#1",
        "Streak milestone!",
        "7 more days in a row: +50 XP.",
    )
    assert note.push is True


def test_milestones_are_awarded_exactly_once() -> None:
    days = daily(at("2026-06-01T09:00+00:00"), 7)
    state, steps = apply_one_by_one(user(), days)
    seen = [k for step in steps for k in step.effects.applied_keys]
    again = apply(state, days, seen=seen)
    another_read_on_day_7 = apply(
        state, [activity("post_read", "extra", days[-1].occurred_at + timedelta(hours=1))]
    )
    assert again.effects.milestones == 0
    assert again.state == state
    assert another_read_on_day_7.effects.milestones == 0
    assert another_read_on_day_7.state.counters["streak_milestone"] == 1


def test_thirteen_days_award_one_milestone() -> None:
    state = apply(user(), daily(at("2026-06-01T09:00+00:00"), 13)).state
    assert state.counters["streak_milestone"] == 1


def test_each_new_run_earns_its_own_milestones() -> None:
    june = at("2026-06-01T09:00+00:00")
    state, _ = apply_one_by_one(
        user(), [*daily(june, 7), *daily(june + timedelta(days=8), 7, kind="post_completed")]
    )
    assert state.counters["streak_milestone"] == 2
    assert (state.streak.current_run, state.streak.longest) == (7, 7)


def test_a_late_activity_filling_a_gap_merges_the_runs_and_awards_the_milestone() -> None:
    june = at("2026-06-01T20:00+00:00")
    before_gap, after_gap = daily(june, 3), daily(june + timedelta(days=4), 3, "post_completed")
    state, steps = apply_one_by_one(user(), [*before_gap, *after_gap])
    assert (state.streak.current_run, state.streak.longest, state.xp) == (3, 3, 30 + 75)
    assert not any(step.effects.milestones for step in steps)

    gap_day = june + timedelta(days=3)
    late = activity("post_read", "late", gap_day, received=gap_day + timedelta(hours=47))
    filled = apply(state, [late])
    assert (filled.state.streak.current_run, filled.state.streak.longest) == (7, 7)
    assert filled.effects.milestones == 1
    assert filled.state.xp == 30 + 75 + 10 + 50
    assert "week-warrior" in filled.effects.badges_earned
    assert filled.state.streak == apply(user(), [*before_gap, late, *after_gap]).state.streak


def test_merging_runs_never_awards_a_milestone_twice() -> None:
    """7 + gap + 7 already earned two; filling the gap makes 15 days, still two."""
    june = at("2026-06-01T09:00+00:00")
    second_run = daily(june + timedelta(days=8), 7, kind="post_completed")
    state, _ = apply_one_by_one(user(), [*daily(june, 7), *second_run])
    assert state.counters["streak_milestone"] == 2
    filled = apply(state, [activity("comment_left", "gap", june + timedelta(days=7))])
    assert filled.state.streak.current_run == 15
    assert filled.effects.milestones == 0
    assert filled.state.counters["streak_milestone"] == 2


def test_challenge_streak_counts_only_days_with_a_solved_challenge() -> None:
    june = at("2026-06-01T09:00+00:00")
    solved = [
        activity("challenge_solved", f"ch{i}", june + timedelta(days=i), source=Reporter.SERVICE)
        for i in range(3)
    ]
    state = apply(user(), [*solved, activity("post_read", "p", june + timedelta(days=3))]).state
    assert (state.challenge_streak.current_run, state.challenge_streak.longest) == (3, 3)
    assert (state.streak.current_run, state.streak.longest) == (4, 4)
    later = activity("challenge_solved", "ch9", june + timedelta(days=4), source=Reporter.SERVICE)
    state = apply(state, [later]).state
    assert (state.challenge_streak.current_run, state.challenge_streak.longest) == (1, 3)
    assert state.streak.current_run == 5


def test_old_runs_are_folded_away_keeping_longest_and_milestones() -> None:
    january = daily(at("2026-01-01T09:00+00:00"), 10)
    state = apply(user(), january).state
    april = apply(state, [activity("post_read", "april", "2026-04-15T09:00+00:00")])
    track = april.state.streak
    assert [(r.start, r.end) for r in track.runs] == [(date(2026, 4, 15), date(2026, 4, 15))]
    assert (track.current_run, track.longest, track.milestones(7)) == (1, 10, 1)
    assert april.effects.milestones == 0
    assert UserState.model_validate_json(april.state.model_dump_json()) == april.state


def test_days_older_than_the_kept_history_no_longer_change_the_streak() -> None:
    """Such an activity still earns XP; only the streak history it would change is gone."""
    rules = default_game_rules(Policy(streak_history_days=7))
    state = apply(user(), [activity("post_read", "now", "2026-06-20T09:00+00:00")], rules).state
    stale = activity(
        "post_read", "stale", "2026-06-10T09:00+00:00", received=at("2026-06-11T09:00+00:00")
    )
    after = apply(state, [stale], rules)
    assert after.state.xp == state.xp + 10
    assert after.state.streak == state.streak


# --- the track itself ------------------------------------------------------------------------


def test_with_day_is_idempotent_and_merges_neighbours() -> None:
    track = StreakTrack().with_day(date(2026, 6, 1)).with_day(date(2026, 6, 3))
    assert [r.length for r in track.runs] == [1, 1]
    assert track.with_day(date(2026, 6, 3)) is track
    merged = track.with_day(date(2026, 6, 2))
    assert merged.runs == (DayRun(start=date(2026, 6, 1), end=date(2026, 6, 3)),)
    assert merged.active_on(date(2026, 6, 2))
    assert not merged.active_on(date(2026, 6, 4))


def test_runs_must_be_sorted_and_apart() -> None:
    with pytest.raises(ValidationError, match="separated by at least one missed day"):
        StreakTrack(
            runs=(
                DayRun(start=date(2026, 6, 1), end=date(2026, 6, 2)),
                DayRun(start=date(2026, 6, 3), end=date(2026, 6, 3)),
            )
        )


def test_streak_status_alive_at_risk_and_broken_in_the_users_zone() -> None:
    zone = "America/New_York"
    track = StreakTrack(runs=(DayRun(start=date(2026, 3, 6), end=date(2026, 3, 10)),))
    ny = ZoneInfo(zone)
    expires = datetime(2026, 3, 12, tzinfo=ny)

    today = streak_status(track, zone, datetime(2026, 3, 10, 20, tzinfo=ny))
    assert (today.current, today.longest, today.active_today, today.expires_at) == (
        5,
        5,
        True,
        expires,
    )
    at_risk = streak_status(track, zone, datetime(2026, 3, 11, 22, tzinfo=ny))
    assert (at_risk.current, at_risk.active_today, at_risk.expires_at) == (5, False, expires)
    broken = streak_status(track, zone, datetime(2026, 3, 12, 0, 30, tzinfo=ny))
    assert (broken.current, broken.longest, broken.expires_at) == (0, 5, None)

    due = reminder_due_at(track, zone, lead=timedelta(hours=6))
    assert due == datetime(2026, 3, 11, 18, tzinfo=ny)
    assert due is not None
    assert due.astimezone(UTC) == datetime(2026, 3, 11, 22, tzinfo=UTC)
    assert reminder_due_at(StreakTrack(), zone, lead=timedelta(hours=6)) is None
