"""A profile stored before day items (cap slots inline with full keys, plain JSON state) still
loads, and its next commit rewrites it in the current format."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.profile_codec import unpack_state
from gamification.local.provision import Provisioned
from tests.integration.pipeline.support import Clock, Pipeline, activity, build_pipeline, record

FIXTURE = Path(__file__).parents[2] / "fixtures" / "profile_before_day_items.json"
"""Written by the repository as it was (commit 9faf0bf): 2 days of 3 reads and a comment."""
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_an_old_profile_loads_and_is_rewritten_with_day_items_on_its_next_commit(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client, clock=Clock(NOW))
    pipeline.dynamodb.put_item(TableName=aws.table_name, Item=json.loads(FIXTURE.read_text()))

    old = pipeline.users.load("legacy-user")
    assert old.version == 3
    assert old.state.xp == 70
    assert old.state.settings.timezone == "Europe/Berlin"
    assert old.inline_days == {"2026-11-25", "2026-11-26"}
    assert [len(slots) for slots in old.state.capped.values()] == [3, 1, 3, 1]

    # The old format kept no marker for this read, only its slot: the slot's digest must still
    # recognise it. The second read is new.
    repeat = activity("legacy-user", object_id="post-0-0", at=datetime(2026, 11, 25, 9, tzinfo=UTC))
    fresh = activity("legacy-user", object_id="post-new", at=NOW)
    report = pipeline.consumer.consume([record(repeat), record(fresh)])

    assert report.failed_message_ids == set()
    assert report.totals()["DuplicatesDropped"] == 1
    raw = _items(pipeline, aws.table_name)
    profile = raw["PROFILE"]
    assert "B" in profile["state"]  # deflated JSON now
    body = unpack_state(from_item({"state": profile["state"]})["state"])
    assert "capped" not in body
    assert body["xp"] == 80
    assert {sk for sk in raw if sk.startswith("DAY#")} == {
        "DAY#2026-11-25",
        "DAY#2026-11-26",
        "DAY#2026-11-27",
    }

    new = pipeline.users.load("legacy-user")
    assert new.version == 4
    assert new.inline_days == frozenset()
    assert new.state.xp == 80
    assert new.state.counters["post_read"] == 7
    reloaded = pipeline.users.with_days(new, ["2026-11-25", "2026-11-26"]).state.capped
    assert {b: s for b, s in reloaded.items() if b < "2026-11-27"} == old.state.capped


def _items(pipeline: Pipeline, table: str) -> dict[str, dict[str, Any]]:
    response = pipeline.dynamodb.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues=to_item({":pk": "USER#legacy-user"}),
        ConsistentRead=True,
    )
    return {item["SK"]["S"]: item for item in response["Items"]}
