"""Ingest: validated at the edge with the domain's rules, queued as is, nothing on any error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gamification import composition
from gamification.domain.activity import Activity
from gamification.local.provision import Provisioned
from tests.api import seed
from tests.api.support import SERVICE, Api, LambdaContext, user
from tests.integration.jobs.support import Stream

ALICE = user("alice")


def test_an_activity_is_queued_with_the_callers_identity_and_its_key(
    api: Api, stack_env: Provisioned
) -> None:
    reply = api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": "post-1"})

    assert reply.status == 202, reply.text
    assert reply.json["key"] == "post_read#post-1"
    assert reply.json["status"] == "queued"
    [body] = seed.queued_bodies(stack_env.queue_url)
    queued = Activity.model_validate(body)
    assert queued.user_id == "alice"
    assert queued.source == "client"
    assert queued.occurred_at == queued.received_at  # omitted: "now"


def test_a_back_dated_activity_keeps_its_time_within_the_window(
    api: Api, stack_env: Provisioned
) -> None:
    at = seed.now() - timedelta(hours=47)
    body = {"type": "comment_left", "object_id": "c-9", "occurred_at": at.isoformat()}

    reply = api.post("/v1/activities", as_=ALICE, body=body)

    assert reply.status == 202, reply.text
    [queued] = seed.queued_bodies(stack_env.queue_url)
    assert Activity.model_validate(queued).occurred_at == at


def _iso(delta: timedelta) -> str:
    return (seed.now() + delta).isoformat()


def test_a_batch_answers_per_item_and_queues_each_distinct_activity_once(
    api: Api, stack_env: Provisioned
) -> None:
    items = [
        {"type": "post_read", "object_id": "a"},
        {"type": "challenge_solved", "object_id": "b"},
        {"type": "post_read", "object_id": "a"},
        {"type": "comment_left", "object_id": "c"},
        {"type": "post_read", "object_id": "d", "occurred_at": _iso(timedelta(days=-3))},
    ]

    reply = api.post("/v1/activities/batch", as_=ALICE, body={"activities": items})

    assert reply.status == 202, reply.text
    assert (reply.json["accepted"], reply.json["rejected"]) == (3, 2)
    results = reply.json["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["status"] for r in results] == [
        "accepted", "rejected", "accepted", "accepted", "rejected"
    ]  # fmt: skip
    assert results[1]["error"] == {
        "code": "event_type_not_reportable_by_source",
        "message": "'challenge_solved' cannot be reported by a client",
        "field": "type",
    }
    assert results[4]["error"]["field"] == "occurred_at"
    queued = seed.queued_bodies(stack_env.queue_url)
    assert sorted(b["object_id"] for b in queued) == ["a", "c"]


def test_a_full_batch_goes_out_in_one_send_per_ten(api: Api, stack_env: Provisioned) -> None:
    calls: list[str] = []
    composition.sqs().meta.events.register(
        "before-call.sqs.*", lambda model, **_: calls.append(model.name)
    )
    items = [{"type": "post_read", "object_id": f"p-{i}"} for i in range(25)]

    reply = api.post("/v1/activities/batch", as_=ALICE, body={"activities": items})

    assert reply.status == 202, reply.text
    assert reply.json["accepted"] == 25
    assert calls == ["SendMessageBatch"] * 3
    assert seed.queue_depth(stack_env.queue_url) == 25


def test_a_service_reports_service_types_for_any_user(api: Api, stack_env: Provisioned) -> None:
    body = {"user_id": "bob", "type": "challenge_solved", "object_id": "ch-1"}

    reply = api.post("/v1/internal/activities", as_=SERVICE, body=body)

    assert reply.status == 202, reply.text
    [queued] = seed.queued_bodies(stack_env.queue_url)
    assert (queued["user_id"], queued["source"]) == ("bob", "service")


def test_when_the_queue_is_unreachable_the_caller_is_told_to_retry(
    api: Api, stack_env: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUEUE_URL", stack_env.queue_url + "-gone")
    composition.reset()

    single = api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": "p"})
    batch = api.post(
        "/v1/activities/batch",
        as_=ALICE,
        body={"activities": [{"type": "post_read", "object_id": "p"}]},
    )

    assert single.status == 503
    assert single.error["code"] == "queue_unavailable"
    assert single.headers["Retry-After"] == "1"
    assert batch.status == 202
    assert batch.json["results"][0]["error"]["code"] == "not_queued"


def test_a_reported_activity_reaches_the_profile_through_the_pipeline(
    api: Api, stack_env: Provisioned
) -> None:
    api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": "p-1"})
    api.post("/v1/activities", as_=ALICE, body={"type": "post_read", "object_id": "p-1"})
    api.post("/v1/activities", as_=ALICE, body={"type": "post_completed", "object_id": "p-1"})

    from functions.consumer.handler import lambda_handler

    event = seed.sqs_event(stack_env.queue_url, stack_env.queue_arn)
    consumed = lambda_handler(event, LambdaContext("consumer"))
    from functions.projector.handler import lambda_handler as project

    seed.complete_boards()
    projected = project({"Records": Stream(stack_env.table_name).read()}, LambdaContext("p"))
    me = api.get("/v1/me", as_=ALICE).json

    assert consumed == projected == {"batchItemFailures": []}
    assert (me["xp"], me["rank"], me["badge_count"]) == (35, 1, 1)  # first-read badge
    assert me["streak"]["current"] == 1


def test_declared_attributes_are_queued_with_the_activity(api: Api, stack_env: Provisioned) -> None:
    body = {"type": "post_read", "object_id": "p-1", "attributes": {"premium": True, "minutes": 7}}

    reply = api.post("/v1/activities", as_=ALICE, body=body)

    assert reply.status == 202, reply.text
    [queued] = seed.queued_bodies(stack_env.queue_url)
    assert Activity.model_validate(queued).attributes == {"premium": True, "minutes": 7}


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"colour": "red"}, "body.attributes.colour"),
        ({"premium": "yes"}, "body.attributes.premium"),
        ({"minutes": 9000}, "body.attributes.minutes"),
    ],
)
def test_an_undeclared_or_mistyped_attribute_is_a_400_naming_it(
    api: Api, stack_env: Provisioned, attributes: dict[str, object], field: str
) -> None:
    body = {"type": "post_read", "object_id": "p-1", "attributes": attributes}

    reply = api.post("/v1/activities", as_=ALICE, body=body)

    assert reply.status == 400, reply.text
    assert field in reply.error_fields()
    assert seed.queued_bodies(stack_env.queue_url) == []


def test_more_than_ten_attributes_are_a_422(api: Api, stack_env: Provisioned) -> None:
    attributes = {f"a{i}": i for i in range(11)}
    body = {"type": "post_read", "object_id": "p-1", "attributes": attributes}

    reply = api.post("/v1/activities", as_=ALICE, body=body)

    assert reply.status == 422, reply.text
    assert seed.queued_bodies(stack_env.queue_url) == []
