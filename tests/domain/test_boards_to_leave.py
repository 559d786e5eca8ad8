"""A player leaving the boards is removed from every board that can still hold them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gamification.adapters.board_schema import decode_xp, encode_score
from gamification.adapters.leaderboard import boards_to_leave, weekly_expiry
from gamification.adapters.player_score import ALLTIME, PlayerScore, league, weekly
from gamification.domain.periods import iso_week
from gamification.domain.xp import MAX_XP

moments = st.datetimes(
    min_value=datetime(2021, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@given(now=moments, days_back=st.integers(0, 60))
def test_every_weekly_board_still_alive_is_left(now: datetime, days_back: int) -> None:
    """A board for the week of any moment up to a week ahead that has not expired yet."""
    week = iso_week(now - timedelta(days=days_back))
    leaving = boards_to_leave(PlayerScore("u", 0, None), now)

    assert ALLTIME in leaving
    if weekly_expiry(week) > now:
        assert weekly(week) in leaving
    assert weekly(iso_week(now + timedelta(weeks=1))) in leaving  # stamped ahead


def test_the_weeks_of_the_players_weekly_xp_are_left_too() -> None:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    player = PlayerScore("u", 10, None, weekly_xp={"2026-W30": 10})

    assert weekly("2026-W30") in boards_to_leave(player, now)


def test_the_cohorts_the_erasure_tombstone_names_are_left_too() -> None:
    """The tombstone has no league of its own: it names the latest and the last closed cohort."""
    now = datetime(2026, 12, 2, tzinfo=UTC)
    tombstone = PlayerScore(
        "u", 0, None, listed=False, left_leagues=("2026-W48:0:3", "2026-W49:1:0")
    )

    leaving = boards_to_leave(tombstone, now)
    assert league("2026-W48:0:3") in leaving
    assert league("2026-W49:1:0") in leaving


def test_a_profile_stored_above_the_xp_bound_is_listed_at_the_bound() -> None:
    """Profiles written before the cap existed must not fail every projection of them."""
    legacy = PlayerScore("old", MAX_XP + 5, None, weekly_xp={"2026-W48": MAX_XP + 5})
    assert legacy.listed_xp(ALLTIME) == MAX_XP
    assert legacy.listed_xp("weekly:2026-W48") == MAX_XP
    assert decode_xp(encode_score(legacy.xp_on(ALLTIME), None)) == MAX_XP
