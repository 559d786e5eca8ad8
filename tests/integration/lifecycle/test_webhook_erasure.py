"""An erasure reaches the webhook bookkeeping: the bodies of the user's parked deliveries (in the
endpoints' logs) and their places in line, found through the user's ``WEBHOOKOF#`` partition
(docs/events.md, "What is kept"). On moto and a real redis-server, with the real adapters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.webhook_lines import WebhookLines
from gamification.adapters.webhook_repository import WebhookRepository
from gamification.local.provision import Provisioned
from gamification.services.erasure import Status
from gamification.services.webhooks import (
    UnknownDeliveryError,
    WebhookAdmin,
    WebhookFanOut,
    WebhookSender,
)
from tests.fakes.webhooks import FakeDeliveryQueue, FakeSealer, ScriptedEndpoint
from tests.integration.lifecycle.support import build_lifecycle
from tests.integration.pipeline.support import NOW, activity, record

pytestmark = pytest.mark.time_machine(NOW)


def _keys(aws: Provisioned, pk: str) -> list[str]:
    response = boto3.client("dynamodb").query(
        TableName=aws.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues=to_item({":pk": pk}),
    )
    return [str(from_item(i)["SK"]) for i in response["Items"]]


def _event(n: int, user: str) -> dict[str, Any]:
    return {"id": f"evt_{user}_{n}", "type": "xp.awarded", "user_id": user, "sequence": n}


def test_an_erasure_deletes_the_users_parked_bodies_and_places_in_line(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    life = build_lifecycle(aws, redis_client)
    life.pipeline.consumer.consume([record(activity(object_id="post-1"))])  # alice exists
    client = boto3.client("dynamodb")
    store = WebhookRepository(client, aws.table_name)
    lines = WebhookLines(client, aws.table_name)
    queue, clock = FakeDeliveryQueue(), life.pipeline.clock
    admin = WebhookAdmin(
        store, clock, sealer=FakeSealer(), new_secret=lambda: "k" * 32, deliveries=queue
    )
    admin.put("crm", {"url": "https://crm.example.com/", "event_types": ["xp.awarded"]})
    refused, failing = ScriptedEndpoint(), ScriptedEndpoint(500)
    refused.refuse = True  # every crm delivery ends refused: parked with its body
    fan_out = WebhookFanOut(store, queue, clock, lines)
    for n in range(1, 31):  # more than one BatchWriteItem of bodies
        fan_out.fan_out(_event(n, "alice"))
    fan_out.fan_out(_event(1, "bob"))
    sender = WebhookSender(store, refused, queue, clock, lines=lines, sealer=FakeSealer())
    for delivery in sorted(queue.take(), key=lambda d: d.event_id):
        sender.attempt(delivery)
    admin.put("app", {"url": "https://app.example.com/", "event_types": ["xp.awarded"]})
    fan_out.fan_out(_event(31, "alice"))  # to both: crm parks it, app retries (in line)
    for delivery in queue.take():
        WebhookSender(
            store,
            refused if delivery.webhook_id == "crm" else failing,
            queue,
            clock,
            lines=lines,
            sealer=FakeSealer(),
        ).attempt(delivery)

    parked = [sk for sk in _keys(aws, keys.webhook_log_pk("crm")) if sk.startswith("PARKED#")]
    assert len(parked) == 32  # alice's 31 and bob's 1
    mine = _keys(aws, keys.webhook_user_pk("alice"))
    assert len([sk for sk in mine if sk.startswith("PARKED#")]) == 31
    assert [sk for sk in mine if sk.startswith("PENDING#")] == [
        keys.pending_sk("app", 31, "evt_alice_31")
    ]

    life.requests.request("alice")
    assert life.eraser.run("alice", clock()).status is Status.DONE

    assert _keys(aws, keys.webhook_user_pk("alice")) == []
    left = [sk for sk in _keys(aws, keys.webhook_log_pk("crm")) if sk.startswith("PARKED#")]
    assert left == [keys.parked_sk("evt_bob_1")]
    assert len(_keys(aws, keys.webhook_user_pk("bob"))) == 1
    with pytest.raises(UnknownDeliveryError):
        admin.retry("crm", "crm:evt_alice_1")
    assert admin.retry("crm", "crm:evt_bob_1").event_id == "evt_bob_1"

    # A delivery of hers still retrying when the walk ran ends refused: it parks nothing.
    queue.take()
    late = {**_event(40, "alice"), "occurred_at": (clock() - timedelta(minutes=5)).isoformat()}
    for delivery in fan_out.fan_out(late):
        if delivery.webhook_id == "crm":
            sender.attempt(delivery)
    assert store.parked("crm", "evt_alice_40") is None
    assert [sk for sk in _keys(aws, keys.webhook_user_pk("alice")) if "PARKED#" in sk] == []
