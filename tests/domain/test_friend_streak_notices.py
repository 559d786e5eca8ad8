"""Friend streak notices as a rule: the at-risk reminder at the personal reminder's hour for the
partner not yet active, a break and milestones for both, each named the same from both sides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gamification.domain.experiments import Assignment
from gamification.domain.friend_streak_notices import (
    NOTICE_DAYS,
    FriendNotice,
    NoticeKind,
    plan_friend_notices,
)
from gamification.domain.notifications import NotificationKind
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import StreakTrack

LEAD = timedelta(hours=6)
D = date(2026, 11, 27)


def user(user_id: str, days: list[date], timezone: str = "UTC", push: bool = True) -> UserState:
    track = StreakTrack()
    for day in days:
        track = track.with_day(day)
    settings = UserSettings(display_name=user_id.title(), timezone=timezone, push_enabled=push)
    return UserState(user_id=user_id, settings=settings, streak=track)


def run(last: date, length: int) -> list[date]:
    return [last - timedelta(days=back) for back in range(length)]


def kinds(notices: list[FriendNotice]) -> list[tuple[str, str, str]]:
    return sorted((n.recipient, n.kind.value, n.day.isoformat()) for n in notices)


def test_the_partner_not_yet_active_is_reminded_at_18_local_when_the_other_was() -> None:
    ann, bob = user("ann", run(D, 3)), user("bob", run(D - timedelta(days=1), 2))
    start = D - timedelta(days=2)
    assert (
        plan_friend_notices(bob, ann, start, datetime(2026, 11, 27, 17, 59, tzinfo=UTC), LEAD) == []
    )
    [risk] = plan_friend_notices(bob, ann, start, datetime(2026, 11, 27, 18, 5, tzinfo=UTC), LEAD)
    assert (risk.recipient, risk.kind, risk.day, risk.partner) == (
        "bob",
        NoticeKind.AT_RISK,
        D,
        "ann",
    )
    assert risk.notification.kind is NotificationKind.FRIEND_STREAK_REMINDER
    assert risk.notification.title == "Your friend streak with Ann is at risk"
    assert "2-day friend streak" in risk.notification.message
    # Ann was active: she is never the one reminded; nor is anyone when neither was active.
    assert plan_friend_notices(ann, bob, start, datetime(2026, 11, 27, 20, tzinfo=UTC), LEAD) == []
    idle = user("ann", run(D - timedelta(days=1), 3))
    assert plan_friend_notices(bob, idle, start, datetime(2026, 11, 27, 20, tzinfo=UTC), LEAD) == []


def test_the_reminder_is_at_18_in_the_recipients_own_zone_and_only_with_push_on() -> None:
    ann = user("ann", run(D, 3))
    bob = user("bob", run(D - timedelta(days=1), 2), timezone="America/New_York")
    start = D - timedelta(days=2)
    at_18_new_york = datetime(2026, 11, 27, 23, 5, tzinfo=UTC)
    assert plan_friend_notices(bob, ann, start, at_18_new_york - timedelta(hours=1), LEAD) == []
    assert [n.day for n in plan_friend_notices(bob, ann, start, at_18_new_york, LEAD)] == [D]
    quiet = user("bob", run(D - timedelta(days=1), 2), timezone="America/New_York", push=False)
    assert plan_friend_notices(quiet, ann, start, at_18_new_york, LEAD) == []


def test_no_reminder_for_a_streak_that_is_not_live_or_not_yet_started() -> None:
    ann, bob = user("ann", run(D, 5)), user("bob", run(D - timedelta(days=1), 4))
    at = datetime(2026, 11, 27, 19, tzinfo=UTC)
    assert plan_friend_notices(bob, ann, D, at, LEAD) == []  # accepted today: nothing to keep yet
    gap = user("bob", run(D - timedelta(days=2), 3))
    assert [n.kind for n in plan_friend_notices(gap, ann, D - timedelta(days=4), at, LEAD)] == [
        NoticeKind.BROKEN,
        NoticeKind.BROKEN,
    ]


def test_milestones_tell_both_partners_for_a_few_days_then_stop() -> None:
    start = D - timedelta(days=40)
    for age in range(NOTICE_DAYS + 3):
        last = D + timedelta(days=age)
        ann, bob = user("ann", run(last, 7 + age)), user("bob", run(last, 9 + age))
        found = kinds(
            plan_friend_notices(
                ann,
                bob,
                start,
                datetime.combine(last, datetime.min.time(), UTC) + timedelta(hours=12),
                LEAD,
            )
        )
        reached = D.isoformat()
        if age <= NOTICE_DAYS:
            # A run of 7 + age days reached 7 on D; 30, 100 and 365 are not reached.
            assert found == [("ann", "milestone", reached), ("bob", "milestone", reached)]
        else:
            assert found == []


def test_each_milestone_of_a_long_run_is_its_own_notice() -> None:
    ann, bob = user("ann", run(D, 30)), user("bob", run(D, 30))
    notices = plan_friend_notices(
        ann, bob, D - timedelta(days=29), datetime(2026, 11, 27, 9, tzinfo=UTC), LEAD
    )
    assert kinds(notices) == [
        ("ann", "milestone", D.isoformat()),
        ("bob", "milestone", D.isoformat()),
    ]
    assert {n.notification.id for n in notices} == {
        "fstreak-milestone#30#2026-11-27#bob",
        "fstreak-milestone#30#2026-11-27#ann",
    }
    # The run counts from the acceptance: started 10 days ago, it has reached only 7.
    later = plan_friend_notices(
        ann, bob, D - timedelta(days=9), datetime(2026, 11, 27, 9, tzinfo=UTC), LEAD
    )
    assert later == []  # 7 was reached 3 days ago: past the window


def test_a_break_tells_both_once_named_by_its_last_pair_day_from_either_side() -> None:
    last = D - timedelta(days=2)
    ann, bob = user("ann", run(D, 10)), user("bob", run(last, 5))
    at = datetime(2026, 11, 27, 18, tzinfo=UTC)
    mine = plan_friend_notices(ann, bob, D - timedelta(days=20), at, LEAD)
    theirs = plan_friend_notices(bob, ann, D - timedelta(days=20), at, LEAD)
    assert (
        kinds(mine)
        == kinds(theirs)
        == [("ann", "broken", last.isoformat()), ("bob", "broken", last.isoformat())]
    )
    assert (
        "5-day friend streak with Bob ended"
        in next(n for n in mine if n.recipient == "ann").notification.message
    )


def test_zones_a_day_apart_name_the_same_days_from_both_sides() -> None:
    ann = user("ann", run(D, 7), timezone="Pacific/Auckland")  # already the 28th there
    bob = user("bob", run(D, 7), timezone="America/Los_Angeles")
    at = datetime(2026, 11, 27, 20, tzinfo=UTC)  # 28th 09:00 Auckland, 27th 12:00 LA
    assert (
        kinds(plan_friend_notices(ann, bob, D - timedelta(days=10), at, LEAD))
        == kinds(plan_friend_notices(bob, ann, D - timedelta(days=10), at, LEAD))
        == [("ann", "milestone", D.isoformat()), ("bob", "milestone", D.isoformat())]
    )


def test_a_control_partner_is_told_nothing_while_the_treated_partner_still_is() -> None:
    control = Assignment(group="control", salt="s")
    ann = user("ann", run(D, 8)).model_copy(update={"experiment": control})
    bob = user("bob", run(D - timedelta(days=1), 8))
    at = datetime(2026, 11, 27, 19, tzinfo=UTC)
    start = D - timedelta(days=10)
    treated = ann.model_copy(update={"experiment": Assignment(group="treatment", salt="s")})
    assert {n.recipient for n in plan_friend_notices(bob, treated, start, at, LEAD)} == {
        "ann",
        "bob",
    }
    # Same streaks, ann in the control group: only bob's notices remain, from either side.
    assert {n.recipient for n in plan_friend_notices(bob, ann, start, at, LEAD)} == {"bob"}
    assert {n.recipient for n in plan_friend_notices(ann, bob, start, at, LEAD)} == {"bob"}
    # A control user is not reminded of a friend streak at risk either (bob is the one due).
    quiet_bob = bob.model_copy(update={"experiment": control})
    told = plan_friend_notices(quiet_bob, treated, start, at, LEAD)
    assert [(n.recipient, n.kind) for n in told] == [("ann", NoticeKind.MILESTONE)]
