"""Exactly-once with pending markers (docs/pipeline.md): the consumer commits a plain change as
one conditional profile write naming the new dedupe keys in ``pending``, then puts the markers.

Hypothesis delivers a user's activities 1-3 times in random batches and injects the faults this
protocol must survive: the consumer dies between the profile write and the marker puts (the
whole batch is delivered again), marker puts fail (the message still succeeds: it is applied),
the profile write's response is lost (it happened; the records are retried). The stored state
must equal one in-order application of the distinct activities, and every applied key must
have its marker or be pending on the profile: applied(A) iff marker(A) or A in pending.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any

import pytest
import redis
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.local.provision import provision
from tests.fixtures.aws import isolate_moto_transactions
from tests.integration.pipeline.support import (
    Record,
    assert_matches_the_oracle,
    scenario_pipeline,
)
from tests.strategies import Scenario, scenarios

FAULTS = ("none", "crash_before_markers", "markers_fail", "profile_response_lost")


class Crash(BaseException):
    """The function dies (timeout, out of memory): nothing after this point runs."""


class Faults:
    def __init__(self, dynamodb: Any) -> None:
        self.armed = "none"
        dynamodb.meta.events.register("provide-client-params.dynamodb.PutItem", self._remember)
        dynamodb.meta.events.register("before-call.dynamodb.PutItem", self._before)
        dynamodb.meta.events.register("after-call.dynamodb.PutItem", self._after)

    @contextmanager
    def arm(self, fault: str) -> Iterator[None]:
        self.armed = fault
        try:
            yield
        finally:
            self.armed = "none"

    @staticmethod
    def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["put_sk"] = params["Item"]["SK"]["S"]

    def _before(self, context: dict[str, Any], **_: Any) -> None:
        if not context.get("put_sk", "").startswith("SEEN#"):
            return
        if self.armed == "crash_before_markers":
            self.armed = "none"
            raise Crash("injected: died after the profile write")
        if self.armed == "markers_fail":
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "injected"}}, "PutItem"
            )

    def _after(self, context: dict[str, Any], **_: Any) -> None:
        if self.armed == "profile_response_lost" and context.get("put_sk") == "PROFILE":
            self.armed = "none"
            raise ConnectionError("injected: the profile write happened, its response was lost")


@pytest.fixture(scope="module")
def moto_account() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        isolate_moto_transactions(patch)
        yield


_stacks = count()


def _marker_exists(dynamodb: Any, table: str, user_id: str, key: str) -> bool:
    item = dynamodb.get_item(
        TableName=table,
        Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.seen_sk(key)}),
        ConsistentRead=True,
    ).get("Item")
    return item is not None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scenario=scenarios(arrival="any", max_activities=14), data=st.data())
def test_exactly_once_with_crashes_between_profile_and_markers(
    scenario: Scenario, data: st.DataObject, redis_url: str, moto_account: None
) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    stack = provision(f"pending{next(_stacks)}")
    pipeline = scenario_pipeline(stack, client, scenario)
    pipeline.users.save_settings(scenario.user_id, scenario.settings, scenario.now)
    faults = Faults(pipeline.dynamodb)

    queue: deque[Record] = deque()
    for i, item in enumerate(scenario.activities):
        copies = data.draw(st.integers(1, 3), label="deliveries")
        queue.extend(Record(f"m{i}-{c}", item.model_dump_json()) for c in range(copies))
    queue = deque(data.draw(st.permutations(list(queue)), label="arrival order"))
    rounds = 0
    while queue:
        rounds += 1
        size = data.draw(st.integers(1, 10), label="batch size")
        batch = [queue.popleft() for _ in range(min(size, len(queue)))]
        fault = data.draw(st.sampled_from(FAULTS), label="fault") if rounds < 40 else "none"
        with faults.arm(fault):
            try:
                report = pipeline.consumer.consume(batch)
            except Crash:
                queue.extend(batch)  # the invocation died: SQS delivers the whole batch again
                continue
        queue.extend(r for r in batch if r.message_id in report.failed_message_ids)

    oracle, stored = assert_matches_the_oracle(pipeline, scenario)

    for key in oracle.effects.applied_keys:
        assert key in stored.pending or _marker_exists(
            pipeline.dynamodb, stack.table_name, scenario.user_id, key
        ), key
    client.close()
