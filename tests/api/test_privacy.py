"""Account lifecycle routes through the real handlers: hide, export, erase, exclude."""

from __future__ import annotations

import redis

from gamification import composition
from gamification.adapters.leaderboard import ALLTIME, board_key
from tests.api import seed
from tests.api.support import Api, admin, user

ALICE = user("alice")
BOB = user("bob")


def _members(redis_client: redis.Redis) -> set[str]:
    return {str(m) for m in redis_client.zrange(board_key(ALLTIME), 0, -1)}


def test_hiding_keeps_the_users_own_rank_and_hides_them_from_others(
    api: Api, redis_client: redis.Redis
) -> None:
    seed.profile("alice", 500, name="Alice")
    seed.profile("bob", 200, name="Bob")

    hidden = api.put("/v1/me/settings", as_=ALICE, body={"leaderboard_visible": False})
    seed.project("alice")

    assert hidden.status == 200, hidden.text
    assert hidden.json["leaderboard_visible"] is False
    assert _members(redis_client) == {"bob"}
    board = api.get("/v1/leaderboard", as_=BOB).json
    assert ([e["user_id"] for e in board["entries"]], board["stale"]) == (["bob"], False)
    around = api.get("/v1/leaderboard/around/bob", as_=BOB).json
    assert [e["user_id"] for e in around["entries"]] == ["bob"]
    me = api.get("/v1/me", as_=ALICE).json
    assert (me["rank"], me["settings"]["leaderboard_visible"]) == (1, False)
    assert api.get("/v1/users/alice", as_=BOB).json["rank"] is None  # not public

    shown = api.put("/v1/me/settings", as_=ALICE, body={"leaderboard_visible": True})
    seed.project("alice")
    assert shown.json["leaderboard_visible"] is True
    assert _members(redis_client) == {"alice", "bob"}


def test_the_export_holds_the_profile_and_pages_through_the_records(api: Api) -> None:
    seed.profile("alice", 120, name="Alice")
    seed.notifications("alice", 3)

    first = api.get("/v1/me/export", as_=ALICE)

    assert first.status == 200, first.text
    document = first.json
    assert document["format"] == "gamify-export/1"
    assert document["profile"]["xp"] == 120
    assert document["profile"]["settings"]["display_name"] == "Alice"
    # Everything the profile holds, the features added after export included.
    assert {"streak_freezes", "quests", "league"} <= set(document["profile"])
    assert document["profile"]["league"]["tier"] == 0
    assert [r["kind"] for r in document["records"]] == ["notification"] * 3
    assert document["next_cursor"] is None
    others = api.get("/v1/admin/users/alice/export", as_=BOB)
    assert others.status == 403
    assert api.get("/v1/admin/users/alice/export", as_=admin()).json["profile"]["xp"] == 120
    bad_cursor = api.get("/v1/me/export", as_=ALICE, query={"cursor": "bm9wZQ"})
    assert bad_cursor.status == 400
    assert bad_cursor.error_fields() == {"query.cursor"}


def test_erasing_yourself_answers_202_and_removes_the_profile(
    api: Api, redis_client: redis.Redis
) -> None:
    seed.profile("alice", 300, name="Alice")
    seed.notifications("alice", 2)

    erased = api.delete("/v1/me", as_=ALICE)
    again = api.delete("/v1/me", as_=ALICE)

    assert erased.status == 202, erased.text
    assert erased.json["status"] == "erasing"
    assert again.status == 202
    assert api.get("/v1/users/alice", as_=BOB).status == 404
    assert api.get("/v1/me/notifications", as_=ALICE).json["notifications"] == []
    assert api.get("/v1/me/export", as_=ALICE).json["records"] == []
    assert api.get("/v1/me", as_=ALICE).json["xp"] == 0
    # Locally the launcher runs the walk in process: done by the time the 202 is sent.
    assert composition.eraser().run("alice", seed.now()).status.value == "done"


def test_admins_erase_and_exclude_users_and_others_cannot(api: Api) -> None:
    seed.profile("mallory", 900)

    refused = api.put(
        "/v1/admin/users/mallory", as_=BOB, body={"excluded": True, "reason": "cheating"}
    )
    no_reason = api.put("/v1/admin/users/mallory", as_=admin(), body={"excluded": True})
    excluded = api.put(
        "/v1/admin/users/mallory", as_=admin(), body={"excluded": True, "reason": "cheating"}
    )
    export = api.get("/v1/admin/users/mallory/export", as_=admin()).json
    lifted = api.put("/v1/admin/users/mallory", as_=admin(), body={"excluded": False})
    erased = api.delete("/v1/admin/users/mallory", as_=admin())

    assert refused.status == 403
    assert no_reason.status == 400
    assert no_reason.error_fields() == {"body.reason"}
    assert no_reason.error["code"] == "invalid_settings"
    assert excluded.status == 200, excluded.text
    assert (excluded.json["excluded"], excluded.json["reason"]) == (True, "cheating")
    assert export["profile"]["leaderboards"]["exclusion_reason"] == "cheating"
    assert (lifted.json["excluded"], lifted.json["reason"]) == (False, None)
    assert erased.status == 202
    assert api.get("/v1/users/mallory", as_=BOB).status == 404


def test_an_erased_user_exports_the_erasure_record_while_it_is_kept(api: Api) -> None:
    """Decision: the tombstone (kept 28 days) is what is stored about an erased user, so the
    admin export answers it; after it expires nothing is stored and the answer is a 404."""
    seed.profile("mallory", 300, name="Mallory")
    seed.notifications("mallory", 2)
    assert api.delete("/v1/admin/users/mallory", as_=admin()).status == 202

    reply = api.get("/v1/admin/users/mallory/export", as_=admin())

    assert reply.status == 200, reply.text
    document = reply.json
    assert document["records"] == []
    assert document["profile"]["erased_at"] is not None
    assert (document["profile"]["xp"], document["profile"]["settings"]["display_name"]) == (0, None)
