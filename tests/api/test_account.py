"""Settings: partial updates under the version guard; the name reaches the boards through the
projector, so saving never needs Redis."""

from __future__ import annotations

import redis

from gamification.adapters.leaderboard import NAMES_KEY
from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import Api, user

ALICE = user("alice")


def test_settings_change_what_is_sent_and_show_on_the_profile_and_board(
    api: Api, redis_client: redis.Redis
) -> None:
    seed.profile("alice", 200)

    first = api.put(
        "/v1/me/settings",
        as_=ALICE,
        body={"display_name": "  Alice  ", "timezone": "Asia/Kolkata", "push_enabled": True},
    )
    second = api.put("/v1/me/settings", as_=ALICE, body={"push_enabled": False})

    assert first.status == 200, first.text
    assert first.json == {"display_name": "Alice", "timezone": "Asia/Kolkata", "push_enabled": True}
    assert second.json == {
        "display_name": "Alice",
        "timezone": "Asia/Kolkata",
        "push_enabled": False,
    }
    me = api.get("/v1/me", as_=ALICE).json
    assert (me["xp"], me["settings"]["timezone"]) == (200, "Asia/Kolkata")
    seed.project("alice")
    board = api.get("/v1/leaderboard", as_=ALICE).json
    assert board["entries"][0]["display_name"] == "Alice"


def test_a_null_display_name_clears_it_everywhere(api: Api, redis_client: redis.Redis) -> None:
    seed.profile("alice", 200, name="Alice")

    reply = api.put("/v1/me/settings", as_=ALICE, body={"display_name": None})
    seed.project("alice")

    assert reply.json["display_name"] is None
    assert redis_client.hget(NAMES_KEY, "alice") is None


def test_settings_save_even_while_redis_is_down(
    api: Api, stack_env: Provisioned, redis_down: None
) -> None:
    reply = api.put("/v1/me/settings", as_=ALICE, body={"display_name": "Offline"})

    assert reply.status == 200, reply.text
    assert api.get("/v1/me", as_=ALICE).json["display_name"] == "Offline"
