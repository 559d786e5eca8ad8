"""Team quests over HTTP and through the consumer (issue #30): an admin defines one (`mode:
team`, `pay`), validated; the members of a team of 3 read posts, the batch is delivered twice,
and the contributors are paid once each as for a solo quest (XP, the reward badge, the wallet's
credits, one notification), the idle member not; the team's progress is visible to its members
only."""

from __future__ import annotations

from typing import Any

from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import Api, LambdaContext, admin, user

ROOT = admin()
ANN, BOB, CY, DEE = user("ann"), user("bob"), user("cy"), user("dee")


def consume(stack_env: Provisioned, times: int = 1) -> None:
    from functions.consumer.handler import lambda_handler

    event = seed.sqs_event(stack_env.queue_url, stack_env.queue_arn)
    for _ in range(times):  # SQS delivers at least once
        assert lambda_handler(event, LambdaContext("consumer")) == {"batchItemFailures": []}


def test_a_team_quest_is_validated(api: Api) -> None:
    def put(**overrides: Any) -> Any:
        return api.put("/v1/admin/quests/q", as_=ROOT, body=seed.quest(**overrides))

    stray = put(pay="members")
    assert (stray.status, stray.error["code"]) == (400, "invalid_quest"), stray.text
    assert "team quests only" in stray.error["message"]
    unknown = put(mode="team", reward_badge="no-such-badge")
    assert (unknown.status, unknown.error["code"]) == (400, "invalid_quest")
    assert put(mode="team", pay="everyone").status == 422
    saved = put(mode="team")
    assert saved.status == 201, saved.text
    assert (saved.json["mode"], saved.json["pay"]) == ("team", "contributors")
    assert put(mode="team", pay="members").json["pay"] == "members"
    badge = put(mode="team", reward_badge="scholar")  # paid as a solo quest's
    assert (badge.status, badge.json["reward_badge"]) == (200, "scholar")


def test_a_team_quest_pays_its_contributors_once(api: Api, stack_env: Provisioned) -> None:
    quest = seed.quest(mode="team", reward_xp=40, reward_badge="scholar")  # 3 posts between
    assert api.put("/v1/admin/quests/together", as_=ROOT, body=quest).status == 201
    assert api.put("/v1/admin/teams/trio", as_=ROOT, body={"name": "Trio"}).status == 201
    assert api.put("/v1/admin/teams/solo", as_=ROOT, body={"name": "Solo"}).status == 201
    for name in ("ann", "bob", "cy", "dee"):
        seed.profile(name, 0)
    for who in (ANN, BOB, CY):
        assert api.post("/v1/teams/trio/join", as_=who).status == 200
    assert api.post("/v1/teams/solo/join", as_=DEE).status == 200

    for caller, post in ((ANN, "p-1"), (DEE, "p-1")):
        assert (
            api.post(
                "/v1/activities", as_=caller, body={"type": "post_read", "object_id": post}
            ).status
            == 202
        )
    consume(stack_env)
    page = api.get("/v1/teams/trio/quests", as_=CY)
    assert page.status == 200, page.text
    (seen,) = page.json["quests"]
    assert (seen["quest_id"], seen["progress"], seen["target"], seen["completed"]) == (
        "together",
        1,
        3,
        False,
    )

    for caller, post in ((ANN, "p-2"), (BOB, "p-9")):
        assert (
            api.post(
                "/v1/activities", as_=caller, body={"type": "post_read", "object_id": post}
            ).status
            == 202
        )
    consume(stack_env, times=2)

    for caller, own_xp, paid in (
        (ANN, 20, True),
        (BOB, 10, True),
        (CY, 0, False),
        (DEE, 10, False),
    ):
        me = api.get("/v1/me", as_=caller).json
        assert me["xp"] == own_xp + (40 if paid else 0), caller.user_id
        feed = api.get("/v1/me/notifications", as_=caller).json["notifications"]
        done = [n["id"] for n in feed if n["kind"] == "quest_completed"]
        assert done == (["quest#together"] if paid else []), caller.user_id
        # A solo completion's payment: the reward badge, the wallet's quest and badge credits.
        badges = api.get(f"/v1/users/{caller.user_id}/badges", as_=caller).json["badges"]
        assert [b["earned"] for b in badges if b["id"] == "scholar"] == [paid], caller.user_id
        ledger = api.get("/v1/me/wallet/ledger", as_=caller).json["entries"]
        credits = [(e["kind"], e["ref"], e["amount"]) for e in ledger]
        rewards = [("quest", "quest_reward#together", 10), ("badge", "badge_earned#scholar", 5)]
        assert [c for c in credits if c in rewards] == (rewards if paid else []), caller.user_id
    (seen,) = api.get("/v1/teams/trio/quests", as_=ANN).json["quests"]
    assert (seen["progress"], seen["contributors"], seen["completed"]) == (3, 2, True)
    assert (seen["your_count"], seen["you_were_paid"]) == (2, True)

    outsider = api.get("/v1/teams/trio/quests", as_=DEE)
    assert (outsider.status, outsider.error["code"]) == (403, "not_a_member")
    assert api.get("/v1/teams/nope/quests", as_=DEE).status == 404
