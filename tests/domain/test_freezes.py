"""Streak freezes: earned every 7th streak day, at most two held, a missed day covered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gamification.domain.activity import Activity
from gamification.domain.catalog import Reporter
from gamification.domain.freezes import (
    FREEZE_GRANTED,
    FreezeLedger,
    FreezeRules,
    chain,
    expires_without_clock,
    freeze_status,
)
from gamification.domain.game_rules import default_game_rules
from gamification.domain.notifications import NotificationKind
from gamification.domain.state import UserState
from gamification.domain.streaks import StreakTrack
from gamification.domain.transition import apply_activities

RULES = FreezeRules()
D0 = date(2026, 3, 1)


def track(*offsets: int) -> StreakTrack:
    t = StreakTrack()
    for n in offsets:
        t = t.with_day(D0 + timedelta(days=n))
    return t


def days(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


def test_a_freeze_is_earned_on_day_7_and_day_14_and_at_most_two_are_held() -> None:
    assert chain(track(*days(0, 5)), FreezeLedger(), RULES).held == 0
    assert chain(track(*days(0, 6)), FreezeLedger(), RULES).held == 1
    assert chain(track(*days(0, 12)), FreezeLedger(), RULES).held == 1
    assert chain(track(*days(0, 13)), FreezeLedger(), RULES).held == 2
    assert chain(track(*days(0, 20)), FreezeLedger(), RULES).held == 2  # capped at two


def test_a_one_day_gap_is_bridged_and_the_frozen_day_does_not_count() -> None:
    scan = chain(track(*days(0, 6), *days(8, 9)), FreezeLedger(), RULES)
    assert scan.length == 9  # 7 + 2: the covered day adds nothing
    assert scan.held == 0
    assert [(f.day, f.streak) for f in scan.frozen] == [(D0 + timedelta(days=7), 7)]


def test_a_two_day_gap_with_one_freeze_breaks_the_streak_and_keeps_the_freeze() -> None:
    scan = chain(track(*days(0, 6), *days(9, 10)), FreezeLedger(), RULES)
    assert scan.length == 2
    assert scan.held == 1
    assert scan.frozen == ()
    assert scan.longest == 7


def test_a_two_day_gap_with_two_freezes_is_bridged() -> None:
    scan = chain(track(*days(0, 13), *days(16, 16)), FreezeLedger(), RULES)
    assert (scan.length, scan.held, len(scan.frozen)) == (15, 0, 2)


def test_a_gap_filled_late_gives_the_freeze_back() -> None:
    covered = chain(track(*days(0, 6), *days(8, 9)), FreezeLedger(), RULES)
    filled = chain(track(*days(0, 9)), FreezeLedger(), RULES)
    assert covered.held == 0
    assert (filled.held, filled.length, filled.frozen) == (1, 10, ())


def test_a_granted_freeze_covers_a_missed_day() -> None:
    ledger = FreezeLedger().with_grant(D0 + timedelta(days=1), RULES)
    scan = chain(track(0, 1, 3), ledger, RULES)
    assert (scan.length, scan.held, [f.day for f in scan.frozen]) == (3, 0, [D0 + timedelta(2)])
    # Grants beyond the cap on one day are not kept: the ledger stays bounded.
    many = FreezeLedger()
    for _ in range(5):
        many = many.with_grant(D0, RULES)
    assert many.grants == {D0: 2}


def test_status_shows_a_missed_day_covered_until_the_freezes_run_out() -> None:
    t = track(*days(0, 6))  # 7 days, one freeze, last active 2026-03-07
    ledger = FreezeLedger()
    day_after_missed = datetime(2026, 3, 9, 12, tzinfo=UTC)  # 2026-03-08 missed
    status = freeze_status(t, ledger, RULES, "UTC", day_after_missed)
    assert (status.current, status.held) == (7, 0)
    assert status.frozen == (date(2026, 3, 8),)
    assert status.expires_at == datetime(2026, 3, 10, tzinfo=UTC)  # tonight (2026-03-09)
    broken = freeze_status(t, ledger, RULES, "UTC", datetime(2026, 3, 10, 1, tzinfo=UTC))
    assert (broken.current, broken.held, broken.expires_at) == (0, 1, None)
    # The reminder index: with one freeze held the streak breaks a day later than without.
    assert expires_without_clock(t, ledger, RULES, "UTC") == datetime(2026, 3, 10, tzinfo=UTC)
    assert expires_without_clock(track(0), ledger, RULES, "UTC") == datetime(2026, 3, 3, tzinfo=UTC)


def _read(
    day: int, post: str, source: Reporter = Reporter.CLIENT, kind: str = "post_read"
) -> Activity:
    at = datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=day)
    return Activity(
        user_id="u", type=kind, object_id=post, occurred_at=at, received_at=at, source=source
    )


def test_transition_covers_a_missed_day_once_and_announces_it() -> None:
    rules = default_game_rules()
    state = UserState.new("u")
    notices = []
    for day in [*days(0, 6), 8, 9]:
        step = apply_activities(state, [_read(day, f"p{day}")], rules, _read(day, "x").received_at)
        state = step.state
        notices += [
            n for n in step.effects.notifications if n.kind is NotificationKind.STREAK_FREEZE_USED
        ]
    scan = chain(state.streak, state.freezes, rules.policy.freezes)
    assert (scan.length, scan.held) == (9, 0)
    assert [n.title for n in notices] == ["Streak Freeze used"]
    assert notices[0].message.startswith("Streak Freeze used: your 7-day streak is safe")
    assert notices[0].created_at == datetime(2026, 3, 9, tzinfo=UTC)  # when 03-08 ended
    # The missed day's activity arrives late: the freeze comes back, nothing more is announced.
    late = _read(7, "late")
    late = late.model_copy(update={"received_at": late.occurred_at + timedelta(hours=30)})
    step = apply_activities(state, [late], rules, late.received_at)
    scan = chain(step.state.streak, step.state.freezes, rules.policy.freezes)
    assert (scan.length, scan.held, scan.frozen) == (10, 1, ())
    assert not [
        n for n in step.effects.notifications if n.kind is NotificationKind.STREAK_FREEZE_USED
    ]


def test_a_service_grant_is_stored_by_day_and_a_client_cannot_grant() -> None:
    rules = default_game_rules()
    state = UserState.new("u")
    grant = _read(0, "purchase-1", Reporter.SERVICE, FREEZE_GRANTED)
    step = apply_activities(state, [grant], rules, grant.received_at)
    assert step.state.freezes.grants == {D0: 1}
    assert step.state.xp == 0
    forged = _read(0, "purchase-2", Reporter.CLIENT, FREEZE_GRANTED)
    refused = apply_activities(state, [forged], rules, forged.received_at)
    assert refused.effects.rejected
    assert refused.state.freezes.grants == {}
