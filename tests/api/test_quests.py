"""Quests over HTTP: admin validation, the public list, progress and a reward paid once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import Api, LambdaContext, admin, user

ALICE = user("alice")


def _consume(stack_env: Provisioned) -> None:
    from functions.consumer.handler import lambda_handler

    event = seed.sqs_event(stack_env.queue_url, stack_env.queue_arn)
    assert lambda_handler(event, LambdaContext("consumer")) == {"batchItemFailures": []}


def test_a_quest_is_listed_progresses_and_pays_once(api: Api, stack_env: Provisioned) -> None:
    created = api.put("/v1/admin/quests/weekend", as_=admin(), body=seed.quest())
    upcoming = seed.quest(
        name="Next week",
        starts_at=(seed.now() + timedelta(days=3)).isoformat(),
        ends_at=(seed.now() + timedelta(days=4)).isoformat(),
    )
    api.put("/v1/admin/quests/next", as_=admin(), body=upcoming)
    listed = api.get("/v1/quests", as_=ALICE)
    assert created.status == 201, created.text
    assert [(q["id"], q["status"]) for q in listed.json["quests"]] == [
        ("weekend", "active"),
        ("next", "upcoming"),
    ]

    for post in ["p-1", "p-2", "p-1"]:
        api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": post})
    _consume(stack_env)
    mine = {q["id"]: q for q in api.get("/v1/me/quests", as_=ALICE).json["quests"]}
    assert mine["weekend"]["progress"] == {"current": 2, "target": 3}
    assert mine["weekend"]["completed"] is False

    for post in ["p-3", "p-3", "p-2"]:
        api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": post})
    _consume(stack_env)
    for post in ["p-3", "p-1"]:  # repeated reads after completion
        api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": post})
    _consume(stack_env)

    mine = {q["id"]: q for q in api.get("/v1/me/quests", as_=ALICE).json["quests"]}
    me = api.get("/v1/me", as_=ALICE).json
    feed = api.get("/v1/me/notifications", as_=ALICE).json
    assert mine["weekend"]["completed"] is True
    assert mine["weekend"]["progress"] == {"current": 3, "target": 3}
    assert me["xp"] == 30 + 40
    titles = [n["title"] for n in feed["notifications"]]
    assert titles.count("Quest Complete: Weekend Reader") == 1


def test_the_listings_carry_each_quests_mode_and_pay(api: Api) -> None:
    """The widget tells a friend or team quest by its ``mode`` (docs/widgets.md): both lists
    carry the stored mode and ``pay``, not the schema's defaults."""
    api.put("/v1/admin/quests/duo", as_=admin(), body=seed.quest(mode="pair"))
    team = seed.quest(mode="team", pay="members")
    api.put("/v1/admin/quests/crew", as_=admin(), body=team)

    for path in ("/v1/quests", "/v1/me/quests"):
        listed = {q["id"]: q for q in api.get(path, as_=ALICE).json["quests"]}
        assert (listed["duo"]["mode"], listed["duo"]["pay"]) == ("pair", "contributors"), path
        assert (listed["crew"]["mode"], listed["crew"]["pay"]) == ("team", "members"), path


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (
            seed.quest(ends_at="2020-01-01T00:00:00Z", starts_at="2020-01-02T00:00:00Z"),
            400,
            "body.ends_at",
        ),
        (
            seed.quest(criteria={"type": "event_count", "event_type": "nope", "count": 1}),
            400,
            "body.criteria.event_type",
        ),
        (seed.quest(reward_badge="no-such-badge"), 400, "body.reward_badge"),
        (seed.quest(criteria={"type": "streak", "count": 3}), 422, "body.criteria"),
        (seed.quest(colour="red"), 422, "body.colour"),
        (seed.quest(reward_xp=40.5), 422, "body.reward_xp"),
        (seed.quest(reward_xp="40"), 422, "body.reward_xp"),
        (seed.quest(reward_xp=1_000_001), 422, "body.reward_xp"),  # above MAX_AWARD_XP
    ],
)
def test_invalid_quests_are_refused_naming_the_field(
    api: Api, body: dict[str, Any], status: int, field: str
) -> None:
    reply = api.put("/v1/admin/quests/bad", as_=admin(), body=body)
    assert reply.status == status, reply.text
    assert any(f.startswith(field) for f in reply.error_fields()), reply.error


def test_a_whole_number_written_with_a_fraction_is_an_integer(api: Api) -> None:
    """JSON Schema's integer includes 40.0; the contract test's generator sends such values."""
    reply = api.put("/v1/admin/quests/whole", as_=admin(), body=seed.quest(reward_xp=40.0))
    assert reply.status == 201, reply.text
    assert reply.json["reward_xp"] == 40


def test_only_admins_change_quests_and_unknown_ones_are_404(api: Api) -> None:
    assert api.put("/v1/admin/quests/q", as_=ALICE, body=seed.quest()).status == 403
    assert api.delete("/v1/admin/quests/q", as_=admin()).status == 404
    assert api.put("/v1/admin/quests/q", as_=admin(), body=seed.quest()).status == 201
    assert api.delete("/v1/admin/quests/q", as_=admin()).status == 204
    assert api.get("/v1/quests", as_=ALICE).json["quests"] == []


def test_a_quest_ending_late_in_8999_is_stored_and_listed(api: Api) -> None:
    """The last year accepted, with the widest offset, still leaves room for the retention
    (year 9999 minus 5 hours overflowed it: a 500; now a 422, tests/api/test_hostile_inputs)."""
    body = seed.quest(ends_at="8999-12-31t23:59:59.123456789-23:59")
    saved = api.put("/v1/admin/quests/long", as_=admin(), body=body)

    assert saved.status == 201, saved.text
    listed = api.get("/v1/quests", as_=ALICE).json["quests"]
    assert [(q["id"], q["ends_at"]) for q in listed] == [
        ("long", "8999-12-31T23:59:59.123456-23:59")
    ]
