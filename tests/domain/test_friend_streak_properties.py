"""The friend streak against a literal day-by-day walk of the two users' active days, whatever
the order the days were recorded in."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.friend_streaks import friend_streak
from gamification.domain.streaks import StreakTrack

DAY0 = date(2026, 11, 1)
days = st.sets(st.integers(0, 40), max_size=35)


def _track(offsets: list[int]) -> StreakTrack:
    track = StreakTrack()
    for offset in offsets:
        track = track.with_day(DAY0 + timedelta(days=offset))
    return track


def _walk(a: set[int], b: set[int], start: int, today: int) -> tuple[int, int, bool]:
    """Day by day from the start to the pair's today: (current, longest, both today)."""
    run, longest, last = 0, 0, None
    for day in range(start, today + 1):
        if day in a and day in b:
            run += 1
            longest = max(longest, run)
            last = day
        elif day < today:
            run = 0  # a whole pair day passed without both: broken
    current = run if last is not None and last >= today - 1 else 0
    return current, longest, last == today


@given(
    days,
    days,
    st.integers(0, 20),
    st.integers(0, 45),
    st.integers(-1, 1),
    st.randoms(use_true_random=False),
)
def test_the_friend_streak_is_the_literal_walk(
    a: set[int], b: set[int], start: int, today: int, zone_gap: int, rnd: object
) -> None:
    order_a, order_b = sorted(a), sorted(b)
    rnd.shuffle(order_a)  # type: ignore[attr-defined]
    rnd.shuffle(order_b)  # type: ignore[attr-defined]
    # The other user's zone may be a day ahead or behind: the pair's today is the earlier.
    today_a, today_b = today, today + zone_gap
    pair_today = min(today_a, today_b)
    a = {d for d in a if d <= today_a}
    b = {d for d in b if d <= today_b}
    track_a, track_b = (
        _track([d for d in order_a if d in a]),
        _track([d for d in order_b if d in b]),
    )

    streak = friend_streak(
        track_a,
        track_b,
        DAY0 + timedelta(days=start),
        DAY0 + timedelta(days=today_a),
        DAY0 + timedelta(days=today_b),
    )

    current, longest, both_today = _walk(a, b, start, pair_today)
    assert (streak.current, streak.longest, streak.both_active_today) == (
        current,
        longest,
        both_today,
    )
    assert streak.at_risk == (current > 0 and not both_today)
