"""The follow graph over HTTP: follow/unfollow, lists, blocks, the discoverability rule, and
identity from the authorizer only."""

from __future__ import annotations

import boto3

from gamification import composition
from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.event_codec import OUTBOX, decode_outbox
from gamification.domain.domain_events import EventDraft
from gamification.local.provision import Provisioned
from gamification.resources import PROJECTION
from tests.api import seed
from tests.api.support import Api, Identity, admin, user

ANN, BOB, CY, FAY = user("ann"), user("bob"), user("cy"), user("fay")


def _outbox(stack_env: Provisioned, user_id: str) -> list[EventDraft]:
    item = boto3.client("dynamodb").get_item(
        TableName=stack_env.table_name,
        Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
    )["Item"]
    return decode_outbox(bytes(item[OUTBOX]["B"])) if OUTBOX in item else []


def _ids(reply_json: dict[str, object]) -> list[str]:
    return [e["user_id"] for e in reply_json["entries"]]  # type: ignore[attr-defined]


def test_follow_list_unfollow(api: Api, stack_env: Provisioned) -> None:
    seed.profile("ann", 10, name="Ann")
    seed.profile("bob", 20, name="Bob")

    reply = api.put("/v1/me/following/bob", as_=ANN)
    assert reply.status == 200, reply.text
    assert reply.json == {
        "user_id": "bob",
        "following": True,
        "follows_you": False,
        "friends": False,
        "blocked": False,
    }
    assert api.put("/v1/me/following/ann", as_=BOB).json["friends"] is True
    following = api.get("/v1/me/following", as_=ANN).json
    assert [(e["user_id"], e["display_name"], e["mutual"]) for e in following["entries"]] == [
        ("bob", "Bob", True)
    ]
    assert _ids(api.get("/v1/me/followers", as_=ANN).json) == ["bob"]

    assert api.delete("/v1/me/following/bob", as_=ANN).status == 204
    assert api.delete("/v1/me/following/bob", as_=ANN).status == 204  # harmless repeat
    assert _ids(api.get("/v1/me/following", as_=ANN).json) == []


def test_lists_page_with_a_cursor(api: Api, stack_env: Provisioned) -> None:
    for other in ["b1", "b2", "b3"]:
        seed.profile(other, 5)
        assert api.put(f"/v1/me/following/{other}", as_=ANN).status == 200
    first = api.get("/v1/me/following", as_=ANN, query={"limit": "2"}).json
    assert _ids(first) == ["b1", "b2"]
    rest = api.get(
        "/v1/me/following", as_=ANN, query={"limit": "2", "cursor": first["next_cursor"]}
    ).json
    assert (_ids(rest), rest["next_cursor"]) == (["b3"], None)
    bad = api.get("/v1/me/following", as_=ANN, query={"cursor": "bm9wZQ"})
    assert bad.status == 400
    assert bad.error_fields() == {"query.cursor"}


def test_refusals_name_what_was_wrong(api: Api, stack_env: Provisioned) -> None:
    seed.profile("ann", 10)
    assert api.put("/v1/me/following/nobody", as_=ANN).error["code"] == "user_not_found"
    own = api.put("/v1/me/following/ann", as_=ANN)
    assert (own.status, own.error["code"], own.error_fields()) == (
        400,
        "cannot_follow_self",
        {"path.user_id"},
    )
    assert api.put("/v1/me/following/bad%20id", as_=ANN).status == 422
    assert api.get("/v1/me/following").status == 401


def test_a_hidden_user_is_found_only_by_those_following_them(
    api: Api, stack_env: Provisioned
) -> None:
    seed.profile("bob", 20)
    assert api.put("/v1/me/following/bob", as_=CY).status == 200
    hidden = api.put("/v1/me/settings", as_=BOB, body={"leaderboard_visible": False})
    assert hidden.status == 200, hidden.text
    assert api.put("/v1/me/following/bob", as_=ANN).status == 404
    assert api.put("/v1/me/following/bob", as_=CY).status == 200
    composition.exclusion_service().set("cy", True, "spam")  # an operator excludes cy
    assert api.put("/v1/me/following/cy", as_=ANN).status == 404


def test_a_block_removes_both_follows_and_prevents_new_ones(
    api: Api, stack_env: Provisioned
) -> None:
    seed.profile("ann", 10)
    seed.profile("bob", 20)
    api.put("/v1/me/following/bob", as_=ANN)
    api.put("/v1/me/following/ann", as_=BOB)
    assert api.put("/v1/me/blocked/ann", as_=BOB).json["blocked"] is True
    assert _ids(api.get("/v1/me/following", as_=ANN).json) == []
    assert _ids(api.get("/v1/me/followers", as_=ANN).json) == []
    assert api.put("/v1/me/following/bob", as_=ANN).status == 404  # not told why
    again = api.put("/v1/me/following/ann", as_=BOB)
    assert (again.status, again.error["code"]) == (400, "blocked")
    assert _ids(api.get("/v1/me/blocked", as_=BOB).json) == ["ann"]
    assert api.delete("/v1/me/blocked/ann", as_=BOB).status == 204
    assert api.put("/v1/me/following/bob", as_=ANN).status == 200


def test_the_friend_board_ranks_me_and_those_i_follow(api: Api, stack_env: Provisioned) -> None:
    at = seed.now()
    seed.profile("ann", 200, name="Ann", xp_at=at)
    seed.profile("bob", 300, name="Bob", xp_at=at)
    seed.profile("cy", 200, xp_at=at)  # tied with ann, same second: the lower id first
    seed.profile("stranger", 900)
    for other in ["bob", "cy"]:
        assert api.put(f"/v1/me/following/{other}", as_=ANN).status == 200

    reply = api.get("/v1/me/friends/leaderboard", as_=ANN)

    assert reply.status == 200, reply.text
    body = reply.json
    assert [(e["rank"], e["user_id"], e["xp"], e["me"]) for e in body["entries"]] == [
        (1, "bob", 300, False),
        (2, "ann", 200, True),
        (2, "cy", 200, False),
    ]
    assert (body["period"], body["total"], body["stale"]) == ("alltime", 3, False)
    weekly = api.get("/v1/me/friends/leaderboard", as_=ANN, query={"period": "weekly"})
    assert weekly.json["entries"] == []
    assert weekly.json["week"]
    assert api.get("/v1/me/friends/leaderboard", as_=ANN, query={"period": "daily"}).status == 422


def test_the_friend_board_survives_the_cache(
    api: Api, stack_env: Provisioned, redis_down: None
) -> None:
    seed.profile("bob", 300, publish=False)
    seed.profile("ann", 100, publish=False)
    api.put("/v1/me/following/bob", as_=ANN)

    body = api.get("/v1/me/friends/leaderboard", as_=ANN).json

    assert body["stale"] is True
    assert [e["user_id"] for e in body["entries"]] == ["bob", "ann"]


def test_a_friend_streak_over_http(api: Api, stack_env: Provisioned) -> None:
    today = seed.now().date()
    seed.profile("ann", 10, streak_days=[today])
    seed.profile("bob", 10, streak_days=[today])
    api.put("/v1/me/following/bob", as_=ANN)
    refused = api.put("/v1/me/friend-streaks/bob", as_=ANN)
    assert (refused.status, refused.error["code"]) == (400, "not_friends")
    api.put("/v1/me/following/ann", as_=BOB)

    assert api.put("/v1/me/friend-streaks/bob", as_=ANN).json["status"] == "invited"
    accepted = api.put("/v1/me/friend-streaks/ann", as_=BOB)
    assert accepted.status == 200, accepted.text
    assert (accepted.json["status"], accepted.json["current"]) == ("active", 1)
    listed = api.get("/v1/me/friend-streaks", as_=ANN).json["streaks"]
    assert [(s["user_id"], s["current"], s["both_active_today"]) for s in listed] == [
        ("bob", 1, True)
    ]
    public = api.get("/v1/users/ann", as_=CY).json["friend_streaks"]  # on anyone's view of ann
    assert public == [{"user_id": "bob", "display_name": None, "days": 1}]
    assert api.get("/v1/me", as_=BOB).json["friend_streaks"][0]["user_id"] == "ann"
    assert api.delete("/v1/me/friend-streaks/bob", as_=ANN).status == 204
    assert api.get("/v1/users/ann", as_=CY).json["friend_streaks"] == []
    assert api.get("/v1/me/friend-streaks", as_=BOB).json["streaks"] == []


def test_the_export_carries_the_users_own_edges(api: Api, stack_env: Provisioned) -> None:
    """`GET /v1/me/export` (and the admin export) answer `graph`: whom the caller follows,
    blocks and their friend streaks; followers are other users' edges, paged elsewhere."""
    today = seed.now().date()
    seed.profile("ann", 10, streak_days=[today])
    seed.profile("bob", 10, streak_days=[today])
    seed.profile("cy", 10)
    api.put("/v1/me/following/bob", as_=ANN)
    api.put("/v1/me/following/ann", as_=BOB)
    api.put("/v1/me/following/ann", as_=CY)  # a follower of ann: not ann's own edge
    api.put("/v1/me/blocked/dora", as_=ANN)
    api.put("/v1/me/friend-streaks/bob", as_=ANN)

    reply = api.get("/v1/me/export", as_=ANN)

    assert reply.status == 200, reply.text
    graph = reply.json["graph"]
    assert [e["user_id"] for e in graph["following"]] == ["bob"]
    assert [e["user_id"] for e in graph["blocked"]] == ["dora"]
    assert all(e["since"] for e in graph["following"] + graph["blocked"])
    assert [(s["user_id"], s["status"], s["started_on"]) for s in graph["friend_streaks"]] == [
        ("bob", "invited", None)
    ]
    assert "followers" not in graph
    bobs = api.get("/v1/admin/users/bob/export", as_=admin()).json["graph"]
    assert [(s["user_id"], s["status"]) for s in bobs["friend_streaks"]] == [("ann", "invited_me")]
    assert api.get("/v1/me/export", as_=CY).json["graph"]["following"][0]["user_id"] == "ann"


def test_a_friend_passing_you_on_the_weekly_board_is_told_once(
    api: Api, stack_env: Provisioned
) -> None:
    """Through the projector's handler and the real adapters (the follow graph, the week's board
    in Redis, the guarded notice): ann is told in her feed, once though the batch is replayed;
    bob, who turned it off, is not."""
    from functions.projector.handler import lambda_handler
    from gamification.domain.periods import iso_week
    from tests.integration.jobs.support import Context, Stream

    stream = Stream(stack_env.table_name)
    week = iso_week(seed.now())
    for name, xp in (("ann", 100), ("bob", 120), ("fay", 50)):
        seed.profile(name, xp, name=name.title(), weekly_xp={week: xp})
    for friend in (ANN, BOB):
        api.put("/v1/me/following/fay", as_=friend)
        api.put(f"/v1/me/following/{friend.user_id}", as_=FAY)
    assert api.put("/v1/me/settings", as_=BOB, body={"friend_passed_notices": False}).status == 200
    stream.read()
    seed.profile("fay", 200, name="Fay", weekly_xp={week: 200}, publish=False)
    records = [r for r in stream.read() if PROJECTION.accepts(r)]

    for _ in range(2):  # the stream delivers at least once
        assert lambda_handler({"Records": records}, Context("p")) == {"batchItemFailures": []}

    def passed(caller: Identity) -> list[str]:
        feed = api.get("/v1/me/notifications", as_=caller).json["notifications"]
        return [n["title"] for n in feed if n["kind"] == "friend_passed"]

    assert passed(ANN) == ["Fay passed you on the weekly board"]
    assert passed(BOB) == []
    board = api.get("/v1/me/friends/leaderboard", as_=ANN, query={"period": "weekly"}).json
    assert [e["user_id"] for e in board["entries"]] == ["fay", "ann"]


def test_a_pair_quest_pays_both_partners_once(api: Api, stack_env: Provisioned) -> None:
    """A friend quest over HTTP and through the consumer: ann and bob pair, their reads add up
    to the target, and each is paid the reward once though the batch is delivered twice."""
    from functions.consumer.handler import lambda_handler
    from tests.api.support import LambdaContext

    quest = seed.quest(mode="pair", reward_xp=40)
    assert api.put("/v1/admin/quests/duo", as_=admin(), body=quest).status == 201
    assert api.put("/v1/admin/quests/solo", as_=admin(), body=seed.quest()).status == 201
    for name in ("ann", "bob", "cy"):
        seed.profile(name, 0)
    api.put("/v1/me/following/bob", as_=ANN)
    api.put("/v1/me/following/ann", as_=BOB)

    stranger = api.put("/v1/me/quests/duo/partner/cy", as_=ANN)
    assert (stranger.status, stranger.error["code"]) == (400, "not_friends")
    assert api.put("/v1/me/quests/solo/partner/bob", as_=ANN).error["code"] == "not_a_pair_quest"
    assert api.put("/v1/me/quests/nope/partner/bob", as_=ANN).status == 404
    paired = api.put("/v1/me/quests/duo/partner/bob", as_=ANN)
    assert paired.status == 200, paired.text
    assert (paired.json["partner"], paired.json["count"], paired.json["target"]) == ("bob", 0, 3)
    assert api.get("/v1/me/quests/duo/partner", as_=BOB).json["partner"] == "ann"

    for caller, post in ((ANN, "p-1"), (ANN, "p-2"), (BOB, "p-9")):
        body = {"type": "post_read", "object_id": post}
        assert api.post("/v1/activities", as_=caller, body=body).status == 202
    event = seed.sqs_event(stack_env.queue_url, stack_env.queue_arn)
    for _ in range(2):  # SQS delivers at least once
        assert lambda_handler(event, LambdaContext("consumer")) == {"batchItemFailures": []}

    for caller, own_xp in ((ANN, 20), (BOB, 10)):
        me = api.get("/v1/me", as_=caller).json
        assert me["xp"] == own_xp + 40, caller.user_id
        # The payment is the profile's last commit: its outbox holds a solo completion's events.
        events = {(d.type, d.fact) for d in _outbox(stack_env, str(caller.user_id))}
        assert {("quest.completed", "duo"), ("xp.awarded", "quest_reward#duo")} <= events
        feed = api.get("/v1/me/notifications", as_=caller).json["notifications"]
        assert [n["id"] for n in feed if n["kind"] == "quest_completed"] == ["quest#duo"]
        status = api.get("/v1/me/quests/duo/partner", as_=caller).json
        assert (status["completed"], status["count"]) == (True, 3)
    assert api.delete("/v1/me/quests/duo/partner", as_=ANN).status == 204
    assert api.get("/v1/me/quests/duo/partner", as_=BOB).json["partner"] is None


def test_a_block_ends_a_pairing(api: Api, stack_env: Provisioned) -> None:
    """Over HTTP on moto: a block ends the pairing on both sides, in the block's transaction,
    and the two cannot pair again while it stands."""
    quest = seed.quest(mode="pair", reward_xp=40)
    assert api.put("/v1/admin/quests/duo", as_=admin(), body=quest).status == 201
    for name in ("ann", "bob"):
        seed.profile(name, 0)
    api.put("/v1/me/following/bob", as_=ANN)
    api.put("/v1/me/following/ann", as_=BOB)
    assert api.put("/v1/me/quests/duo/partner/bob", as_=ANN).status == 200
    assert api.put("/v1/me/blocked/ann", as_=BOB).status == 200
    for caller in (ANN, BOB):
        assert api.get("/v1/me/quests/duo/partner", as_=caller).json["partner"] is None
    again = api.put("/v1/me/quests/duo/partner/bob", as_=ANN)
    assert (again.status, again.error["code"]) == (400, "not_friends")
