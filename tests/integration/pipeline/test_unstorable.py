"""Failures no retry can fix are poison: exactly the offending records go to the DLQ with their
reason, and the user's other records (and other users) are applied."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import redis
from botocore.exceptions import ClientError

from gamification.adapters.user_repository import (
    StoredUser,
    UnstorableChangeError,
    UserChange,
    UserRepository,
)
from gamification.domain.activity import MAX_ID_BYTES
from gamification.domain.state import UserState
from gamification.local.provision import Provisioned
from tests.integration.pipeline.support import NOW, activity, build_pipeline, dead_letters, record

CLEF = "\U0001d11e"  # one character, four bytes in UTF-8


def test_an_id_too_long_in_bytes_is_dead_lettered_and_the_good_ones_applied(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    """A message that bypassed the API (an older producer, a replay) with 256 four-byte
    characters: within 256 characters, but 1,024 bytes make the dedupe key too long."""
    pipeline = build_pipeline(aws, redis_client)
    good = [record(activity(object_id=f"post-{i}")) for i in range(2)]
    template = activity(object_id="placeholder").model_dump_json()
    long_id = record(template.replace("placeholder", CLEF * 256))

    report = pipeline.consumer.consume([good[0], long_id, good[1]])

    assert report.failed_message_ids == set()
    assert pipeline.users.load("alice").state.xp == 20
    (letter,) = dead_letters(pipeline.sqs, aws.dlq_url)
    assert letter["source_message_id"] == long_id.message_id
    assert letter["code"] == "invalid_message"
    assert "object_id" in letter["reason"]
    assert f"{MAX_ID_BYTES} bytes" in letter["reason"]


def test_a_commit_refused_for_good_dead_letters_only_the_activity_that_causes_it(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    """DynamoDB refuses any transaction holding one activity (as it does for an item or key
    too large): the batch is split until that activity stands alone; the rest is applied."""
    pipeline = build_pipeline(aws, redis_client)

    def refuse(params: dict[str, Any], **_: Any) -> None:
        keys = [i["Put"]["Item"]["SK"]["S"] for i in params["TransactItems"] if "Put" in i]
        if "SEEN#post_read#cursed" in keys:
            raise ClientError(
                {
                    "Error": {
                        "Code": "ValidationException",
                        "Message": "Item size has exceeded the maximum allowed size",
                    }
                },
                "TransactWriteItems",
            )

    pipeline.dynamodb.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems", refuse
    )
    alice = [record(activity(object_id=name)) for name in ("p1", "p2", "cursed", "p3", "p4")]
    again = record(activity(object_id="cursed"))  # a redelivery of the same activity
    bob = record(activity(user_id="bob", object_id="p1"))

    report = pipeline.consumer.consume([*alice, again, bob])

    assert report.failed_message_ids == set()
    assert pipeline.users.load("alice").state.xp == 40
    assert pipeline.users.load("bob").state.xp == 10
    letters = {d["source_message_id"]: d for d in dead_letters(pipeline.sqs, aws.dlq_url)}
    assert set(letters) == {alice[2].message_id, again.message_id}
    assert {d["code"] for d in letters.values()} == {"unstorable_activity"}
    assert "maximum allowed size" in letters[again.message_id]["reason"]
    assert report.totals()["PoisonMessages"] == 2


def test_dynamodb_refusing_a_key_too_long_is_unstorable_not_transient(
    aws: Provisioned,
) -> None:
    """The real error shape (moto enforces the 1,024-byte sort key limit)."""
    users = UserRepository(boto3.client("dynamodb"), aws.table_name)
    before = StoredUser(UserState.new("alice"))
    state = before.state.model_copy(update={"xp": 10})
    change = UserChange(before=before, state=state, now=NOW, new_markers=["k" * 1100])

    with pytest.raises(UnstorableChangeError):
        users.commit(change)
    assert not users.load("alice").exists
