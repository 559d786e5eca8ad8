"""Settings: partial updates under the version guard; the boards follow the profile write
(the projector carries the name and ``leaderboard_visible``; the account function has no Redis)."""

from __future__ import annotations

import pytest
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
    assert first.json == {
        "display_name": "Alice",
        "timezone": "Asia/Kolkata",
        "push_enabled": True,
        "leaderboard_visible": True,
        "locale": "en",
        "friend_passed_notices": True,
    }
    assert second.json == {
        "display_name": "Alice",
        "timezone": "Asia/Kolkata",
        "push_enabled": False,
        "leaderboard_visible": True,
        "locale": "en",
        "friend_passed_notices": True,
    }
    seed.project("alice")
    me = api.get("/v1/me", as_=ALICE).json
    assert (me["xp"], me["settings"]["timezone"]) == (200, "Asia/Kolkata")
    board = api.get("/v1/leaderboard", as_=ALICE).json
    assert board["entries"][0]["display_name"] == "Alice"


def test_the_language_of_notifications_is_a_setting(api: Api) -> None:
    seed.profile("alice", 200)

    german = api.put("/v1/me/settings", as_=ALICE, body={"locale": "de"})
    unknown = api.put("/v1/me/settings", as_=ALICE, body={"locale": "xx"})
    malformed = api.put("/v1/me/settings", as_=ALICE, body={"locale": "deutsch"})

    assert german.status == 200, german.text
    assert german.json["locale"] == "de"
    assert api.get("/v1/me", as_=ALICE).json["settings"]["locale"] == "de"  # stored and read back
    assert unknown.status == 400, unknown.text
    assert "unknown locale 'xx'" in unknown.error["message"]
    assert malformed.status == 422
    assert malformed.error_fields() == {"body.locale"}


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


@pytest.mark.parametrize("name", ["Zoë", "李小龙", "Ana María", "❤️ Ann", "o'Neil-2"])
def test_visible_names_are_kept_trimmed(api: Api, name: str) -> None:
    """The text rule refuses names that only look blank, never a visible one (emoji with their
    variation selector included)."""
    reply = api.put("/v1/me/settings", as_=ALICE, body={"display_name": f" {name} "})
    assert reply.status == 200, reply.text
    assert reply.json["display_name"] == name
