"""Profiles and badge progress: computed from the stored state, rank from the leaderboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis

from gamification import composition
from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import Api, user

ALICE = user("alice")


def test_a_new_user_sees_a_zero_profile_with_their_settings(api: Api) -> None:
    seed.complete_boards()
    reply = api.get("/v1/me", as_=ALICE)

    assert reply.status == 200, reply.text
    me = reply.json
    assert (me["user_id"], me["xp"], me["level"], me["badge_count"]) == ("alice", 0, 0, 0)
    assert me["progress"] == {
        "level": 0,
        "xp_into_level": 0,
        "xp_to_next_level": 100,
        "level_floor_xp": 0,
        "next_level_xp": 100,
        "fraction": 0.0,
    }
    assert (me["rank"], me["rank_available"]) == (None, True)
    assert me["streak"] == {
        "current": 0,
        "longest": 0,
        "active_today": False,
        "expires_at": None,
        "freezes": 0,
        "frozen_days": [],
    }
    assert me["settings"] == {
        "display_name": None,
        "timezone": "UTC",
        "push_enabled": False,
        "leaderboard_visible": True,
        "locale": "en",
        "friend_passed_notices": True,
    }


def test_while_the_board_is_incomplete_the_rank_is_not_available(
    api: Api, redis_client: redis.Redis
) -> None:
    """A flushed (or restarted) cache: the projector has written alice again, but the board is
    not the whole board until a rebuild, so no rank is shown rather than a wrong one."""
    seed.profile("bob", 4000)
    seed.profile("alice", 300)
    redis_client.flushdb()
    seed.profile("alice", 310, publish=False)
    composition.leaderboard().publish([seed.score_of("alice")], datetime.now(UTC))

    me = api.get("/v1/me", as_=ALICE).json

    assert (me["xp"], me["rank"], me["rank_available"]) == (310, None, False)


def test_a_profile_shows_level_progress_streak_and_rank(api: Api) -> None:
    today = datetime.now(UTC).date()
    seed.profile("bob", 4000, name="Bob")
    seed.profile(
        "alice",
        3162,  # exactly level 10: the seed showed this as level 9
        name="Alice",
        streak_days=[today - timedelta(days=d) for d in range(4)],
        badges={"first-read": datetime(2026, 11, 1, tzinfo=UTC)},
    )

    reply = api.get("/v1/users/alice", as_=user("carol"))

    assert reply.status == 200, reply.text
    alice = reply.json
    assert (alice["xp"], alice["level"], alice["rank"]) == (3162, 10, 2)
    assert alice["progress"]["xp_into_level"] == 0
    assert alice["progress"]["next_level_xp"] == 3648  # floor(100 * 11 ** 1.5)
    assert alice["streak"]["current"] == 4
    assert alice["streak"]["active_today"] is True
    assert alice["badge_count"] == 1
    assert alice["display_name"] == "Alice"
    assert "settings" not in alice  # a public profile does not show someone's settings


def test_a_broken_streak_shows_zero_but_keeps_the_longest(api: Api) -> None:
    today = datetime.now(UTC).date()
    seed.profile("alice", 50, streak_days=[today - timedelta(days=d) for d in range(3, 8)])

    streak = api.get("/v1/me", as_=ALICE).json["streak"]

    assert (streak["current"], streak["longest"], streak["expires_at"]) == (0, 5, None)


def test_an_unknown_user_is_a_404(api: Api) -> None:
    reply = api.get("/v1/users/nobody", as_=ALICE)

    assert reply.status == 404
    assert reply.error["code"] == "user_not_found"


def test_badges_show_earned_progress_and_retired(api: Api) -> None:
    earned = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    seed.profile(
        "alice",
        30,
        counters={"post_read": 3},
        badges={"first-read": earned, "retired-badge": earned},
    )

    reply = api.get("/v1/users/alice/badges", as_=user("bob"))

    assert reply.status == 200, reply.text
    body = reply.json
    by_id = {b["id"]: b for b in body["badges"]}
    assert body["earned_count"] == 2
    assert by_id["first-read"]["earned"] is True
    assert datetime.fromisoformat(by_id["first-read"]["earned_at"]) == earned
    assert by_id["first-read"]["progress"] == {"current": 1, "target": 1}
    assert by_id["bookworm"]["earned"] is False
    assert by_id["bookworm"]["progress"] == {"current": 3, "target": 10}
    assert by_id["retired-badge"]["retired"] is True
    assert by_id["retired-badge"]["progress"] is None
    assert len(body["badges"]) == 16  # 15 in the catalog + 1 retired


def test_the_catalog_lists_every_badge_with_its_criteria(api: Api) -> None:
    reply = api.get("/v1/badges", as_=ALICE)

    assert reply.status == 200, reply.text
    badges = {b["id"]: b for b in reply.json["badges"]}
    assert len(badges) == 15
    assert badges["bookworm"]["criteria"] == {"type": "posts_read", "count": 10, "scope": "total"}


def test_without_redis_the_profile_answers_with_rank_null(
    api: Api, stack_env: Provisioned, redis_down: None
) -> None:
    seed.profile("alice", 500, publish=False)

    reply = api.get("/v1/me", as_=ALICE)

    assert reply.status == 200, reply.text
    assert (reply.json["xp"], reply.json["rank"], reply.json["rank_available"]) == (
        500,
        None,
        False,
    )
