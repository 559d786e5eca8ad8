"""The board's order, on a real Redis: more XP first, then the earlier achiever (to the second,
the score's resolution), then the lower user id; ranks are ``RANK()``; every way of writing a
board (the projector's ``publish``, the rebuild, the snapshot's top N) gives the same order."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamification.adapters.board_schema import EPOCH, SCALE, encode_score, seconds_since_epoch
from gamification.adapters.leaderboard import ALLTIME, Leaderboard, PlayerScore, board_key
from gamification.domain.activity import Activity
from gamification.domain.boosts import Boost
from gamification.domain.catalog import EventType, Reporter, load_event_catalog
from gamification.domain.game_rules import GameRules
from gamification.domain.ranking import competition_ranks
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities
from gamification.domain.xp import MAX_AWARD_XP, MAX_XP
from gamification.services.board_truth import TopN, top_entries

START = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
NOW = START + timedelta(hours=1)
_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

user_ids = st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=6)
players = st.dictionaries(
    user_ids,
    st.tuples(
        st.sampled_from([1, 2, 100, MAX_XP - 1, MAX_XP]),  # few values: many ties, at the bound
        st.integers(0, 4_000),  # milliseconds: several players inside one second
    ),
    max_size=25,
)


def _scores(drawn: dict[str, tuple[int, int]]) -> list[PlayerScore]:
    return [
        PlayerScore(user_id=u, xp=xp, xp_at=START + timedelta(milliseconds=ms), display_name=u)
        for u, (xp, ms) in drawn.items()
    ]


def _expected(scores: list[PlayerScore]) -> list[tuple[int, str, int]]:
    """``sorted(by xp desc, achieved_at asc (to the second), user_id asc)``, ranked."""
    ordered = sorted(scores, key=lambda p: (-p.xp, seconds_since_epoch(p.xp_at), p.user_id))
    ranks = competition_ranks([p.xp for p in ordered], 0, 0)
    return [(r, p.user_id, p.xp) for r, p in zip(ranks, ordered, strict=True)]


@_SETTINGS
@given(players, st.randoms(use_true_random=False))
def test_the_board_lists_more_xp_then_the_earlier_second_then_the_lower_user_id(
    redis_client: redis.Redis, drawn: dict[str, tuple[int, int]], rnd: object
) -> None:
    redis_client.flushdb()
    scores = _scores(drawn)
    board = Leaderboard(redis_client)
    shuffled = list(scores)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    board.publish(shuffled, NOW)  # the projector's writes, in any order
    board.stamp(ALLTIME, "test", None)
    want = _expected(scores)

    page = board.page(ALLTIME, 0, 100)
    assert [(e.rank, e.user_id, e.xp) for e in page.entries] == want
    for rank, user_id, _ in want:
        assert board.rank(ALLTIME, user_id) == rank
    assert [(e.rank, e.user_id, e.xp) for e in top_entries(scores, ALLTIME, 100)] == want
    top = TopN(ALLTIME, 100)
    top.offer(shuffled)
    assert [(e.rank, e.user_id, e.xp) for e in top.entries()] == want

    board.replace(ALLTIME, shuffled, None, "rebuilt")  # the reconciler's rebuild
    assert [(e.rank, e.user_id, e.xp) for e in board.page(ALLTIME, 0, 100).entries] == want


@_SETTINGS
@given(players, st.integers(0, 30), st.integers(0, 5))
def test_a_page_and_around_me_agree_with_the_whole_board(
    redis_client: redis.Redis, drawn: dict[str, tuple[int, int]], offset: int, radius: int
) -> None:
    redis_client.flushdb()
    scores = _scores(drawn)
    board = Leaderboard(redis_client)
    board.publish(scores, NOW)
    board.stamp(ALLTIME, "test", None)
    want = _expected(scores)

    page = board.page(ALLTIME, offset, 7)
    assert [(e.rank, e.user_id, e.xp) for e in page.entries] == want[offset : offset + 7]
    for i, (_, user_id, _) in enumerate(want):
        around = board.around(ALLTIME, user_id, radius)
        got = [(e.rank, e.user_id, e.xp) for e in around.entries]
        assert got == want[max(0, i - radius) : i + radius + 1]


def test_writes_only_ever_raise_a_player(redis_client: redis.Redis) -> None:
    """``ZADD LT`` of the negated score: a late image (less XP, or the same XP reached later)
    never moves a player down; a later one with more XP moves them up."""
    board = Leaderboard(redis_client)
    first = PlayerScore("ana", 100, START)
    board.publish([first], NOW)
    board.publish([PlayerScore("ana", 90, START - timedelta(hours=1))], NOW)
    board.publish([PlayerScore("ana", 100, START + timedelta(hours=1))], NOW)
    assert redis_client.zscore(board_key(ALLTIME), "ana") == encode_score(100, START)
    board.publish([PlayerScore("ana", 120, START + timedelta(hours=2))], NOW)
    held = redis_client.zscore(board_key(ALLTIME), "ana")
    assert held == encode_score(120, START + timedelta(hours=2))


def test_the_score_is_exact_at_its_bounds() -> None:
    """Every score fits a double exactly; the time keeps whole seconds until 2054-01-09."""
    last = EPOCH + timedelta(seconds=SCALE - 1)
    assert last.isoformat() == "2054-01-09T13:37:03+00:00"
    for xp in (0, 1, MAX_XP):
        for at in (None, EPOCH, START, last, last + timedelta(days=1)):
            score = encode_score(xp, at)
            assert abs(score) < 2**53
            assert float(score) == score
    assert encode_score(MAX_XP, START) < encode_score(MAX_XP - 1, START)  # more XP: first
    assert encode_score(5, START) < encode_score(5, START + timedelta(seconds=1))
    assert encode_score(5, START) == encode_score(5, START + timedelta(milliseconds=999))


_BIG = EventType(name="jackpot", base_xp=MAX_AWARD_XP, reporter=Reporter.SERVICE)
_JACKPOT_RULES = GameRules(
    events=load_event_catalog().with_types([_BIG]),
    boosts=(
        Boost(
            id="x10",
            multiplier=Decimal(10),
            starts_at=START - timedelta(days=1),
            ends_at=START + timedelta(days=1),
        ),
    ),
)
"""The largest award the rules allow (``MAX_AWARD_XP`` under a x10 boost), as often as wanted."""


@_SETTINGS
@given(
    st.dictionaries(
        user_ids,
        st.tuples(st.integers(MAX_XP - 25_000_000, MAX_XP), st.integers(0, 3), st.integers(0, 5)),
        min_size=1,
        max_size=12,
    )
)
def test_no_sequence_of_allowed_awards_ranks_a_user_wrongly_at_the_xp_bound(
    redis_client: redis.Redis, drawn: dict[str, tuple[int, int, int]]
) -> None:
    """Users a few of the largest allowed awards away from the bound are applied those awards
    by the transition, each commit at its own second:
    no total passes ``MAX_XP``, and the board ranks them exactly as their stored XP (ties at the
    bound by the second they reached it, then by id)."""
    redis_client.flushdb()
    players = []
    for user_id, (held, awards, second) in drawn.items():
        state = UserState.new(user_id).model_copy(update={"xp": max(held, 0)})
        at = START + timedelta(seconds=second)
        activities = [
            Activity(
                user_id=user_id,
                type="jackpot",
                object_id=f"j{i}",
                occurred_at=at,
                received_at=at,
                source=Reporter.SERVICE,
            )
            for i in range(awards)
        ]
        after = apply_activities(state, activities, _JACKPOT_RULES, at).state
        assert after.xp <= MAX_XP
        changed = after.xp != state.xp
        players.append(PlayerScore(user_id, after.xp, at if changed else START, display_name=None))
    board = Leaderboard(redis_client)
    board.publish([p for p in players if p.xp > 0], NOW)
    board.stamp(ALLTIME, "test", None)

    got = [(e.rank, e.user_id, e.xp) for e in board.page(ALLTIME, 0, 100).entries]
    assert got == _expected([p for p in players if p.xp > 0])
