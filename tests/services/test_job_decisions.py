"""The jobs' pure decisions (no port at all): reminder timing and wording, drift, top N, badge
fingerprints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gamification.domain.badges import parse_badge
from gamification.domain.boards import PlayerScore
from gamification.domain.reminders import Reminder, Skip, plan_reminder, says_tonight
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import StreakTrack
from gamification.services.backfill import criteria_fingerprint
from gamification.services.board_truth import Drift, measure_drift, top_entries
from gamification.services.reminders import StreakReminders

LEAD = timedelta(hours=6)


def state(last_days: list[date], zone: str = "UTC", push: bool = True) -> UserState:
    track = StreakTrack()
    for day in last_days:
        track = track.with_day(day)
    return UserState(
        user_id="alice",
        settings=UserSettings(timezone=zone, push_enabled=push),
        streak=track,
    )


def test_the_reminder_is_due_at_the_lead_before_local_midnight() -> None:
    alice = state([date(2026, 11, 24), date(2026, 11, 25)], zone="Asia/Kolkata")
    due = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)  # 18:00 in Kolkata

    assert plan_reminder(alice, due - timedelta(seconds=1), LEAD) is Skip.NOT_DUE
    planned = plan_reminder(alice, due, LEAD)
    assert isinstance(planned, Reminder)
    assert planned.day == date(2026, 11, 26)
    assert planned.notification.id == "reminder#2026-11-26"
    assert planned.notification.message.startswith("Your 2-day streak expires tonight")
    # Until local midnight; then the streak is gone.
    assert isinstance(plan_reminder(alice, due + timedelta(hours=5, minutes=59), LEAD), Reminder)
    assert plan_reminder(alice, due + timedelta(hours=6), LEAD) is Skip.NO_STREAK


@pytest.mark.parametrize(
    ("days", "push", "skip"),
    [
        ([date(2026, 11, 25)], False, Skip.PUSH_OFF),
        ([], True, Skip.NO_STREAK),
        ([date(2026, 11, 23)], True, Skip.NO_STREAK),
        ([date(2026, 11, 25), date(2026, 11, 26)], True, Skip.ACTIVE_TODAY),
    ],
)
def test_who_gets_no_reminder(days: list[date], push: bool, skip: Skip) -> None:
    at = datetime(2026, 11, 26, 20, tzinfo=UTC)
    assert plan_reminder(state(days, push=push), at, LEAD) is skip


def test_wording_follows_the_lead_and_the_lead_is_bounded() -> None:
    assert says_tonight(timedelta(hours=6))
    assert not says_tonight(timedelta(hours=18))
    for lead in (timedelta(0), timedelta(hours=25)):
        with pytest.raises(ValueError, match="lead"):
            StreakReminders(None, None, None, None, None, lead=lead)  # type: ignore[arg-type]


def test_drift_counts_added_removed_and_changed_members() -> None:
    cached = {"a": 10, "b": 20, "stray": 5}
    truth = {"a": 10, "b": 25, "c": 7}
    assert measure_drift(cached, truth) == Drift(added=1, removed=1, changed=1)
    assert measure_drift(truth, truth).total == 0


def test_top_entries_rank_ties_like_sql_rank_earlier_achiever_first() -> None:
    early, late = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    players = [
        PlayerScore("late", 50, late),
        PlayerScore("top", 90, late),
        PlayerScore("early", 50, early),
        PlayerScore("last", 10, early),
        PlayerScore("none", 0, None),
    ]
    entries = top_entries(players, "alltime", 10)
    assert [(e.rank, e.user_id) for e in entries] == [
        (1, "top"),
        (2, "early"),
        (2, "late"),
        (4, "last"),
    ]
    assert [e.user_id for e in top_entries(players, "alltime", 2)] == ["top", "early"]


def test_only_the_criteria_decide_whether_a_walk_restarts() -> None:
    base = {
        "id": "reader",
        "name": "Reader",
        "description": "Read 5 posts.",
        "icon": "i.svg",
        "criteria": {"type": "posts_read", "count": 5},
    }
    renamed = {**base, "name": "Keen Reader", "description": "Five posts read."}
    harder = {**base, "criteria": {"type": "posts_read", "count": 6}}
    assert criteria_fingerprint(parse_badge(base)) == criteria_fingerprint(parse_badge(renamed))
    assert criteria_fingerprint(parse_badge(base)) != criteria_fingerprint(parse_badge(harder))


def test_a_user_holding_a_freeze_is_reminded_only_the_evening_before_the_streak_breaks() -> None:
    """Decision: no "expires tonight" on a day a held freeze would cover (it would not expire);
    the reminder comes the evening before the freezes run out, when the message is true."""
    week = [date(2026, 11, 19) + timedelta(days=n) for n in range(7)]  # one freeze earned
    alice = state(week)
    assert plan_reminder(alice, datetime(2026, 11, 26, 20, tzinfo=UTC), LEAD) is Skip.NOT_DUE
    planned = plan_reminder(alice, datetime(2026, 11, 27, 18, tzinfo=UTC), LEAD)
    assert isinstance(planned, Reminder)
    assert planned.notification.message.startswith("Your 7-day streak expires tonight")
    assert plan_reminder(alice, datetime(2026, 11, 28, 0, 1, tzinfo=UTC), LEAD) is Skip.NO_STREAK
