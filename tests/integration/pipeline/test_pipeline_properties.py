"""The whole pipeline against the domain oracle, with at-least-once delivery and faults.

Hypothesis draws a ruleset and a user's activities (tests/strategies.py), delivers each one 1-3
times in random batches of 1-10, injects faults between the steps (a throttled transaction, a
commit whose response is lost), redelivers whatever the consumer reports as failed until the
queue drains; then the table's stream goes through the projector the same way (every record
delivered 1-2 times, in any order, in random batches, with Redis failing some of them, which are
delivered again). DynamoDB and both leaderboards must equal one in-order application of the
distinct activities.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any

import boto3
import pytest
import redis
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from gamification.adapters.board_schema import LeaderboardUnavailableError, board_key, decode_xp
from gamification.adapters.player_score import ALLTIME, weekly
from gamification.local.provision import provision
from tests.fixtures.aws import isolate_moto_transactions
from tests.integration.pipeline.support import (
    Record,
    assert_matches_the_oracle,
    dead_letters,
    scenario_pipeline,
)
from tests.strategies import Scenario, scenarios

FAULTS = ("none", "throttle", "lost_response")
PROJECTION_FAULTS = ("none", "redis_down")


class Faults:
    """Fault injection at the edges: botocore hooks on DynamoDB, a Redis that refuses writes."""

    def __init__(self, dynamodb: Any, redis_client: FlakyRedis) -> None:
        self.pending = "none"
        self._redis = redis_client
        dynamodb.meta.events.register("before-call.dynamodb.TransactWriteItems", self._before)
        dynamodb.meta.events.register("after-call.dynamodb.TransactWriteItems", self._after)

    @contextmanager
    def arm(self, fault: str) -> Iterator[None]:
        self.pending = fault
        self._redis.down = fault == "redis_down"
        try:
            yield
        finally:
            self.pending = "none"
            self._redis.down = False

    def _before(self, **_: Any) -> None:
        if self.pending == "throttle":
            self.pending = "none"
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "injected"}},
                "TransactWriteItems",
            )

    def _after(self, **_: Any) -> None:
        if self.pending == "lost_response":
            self.pending = "none"
            raise ConnectionError("injected: the commit happened, its response was lost")


class FlakyRedis(redis.Redis):
    """A real Redis client whose pipelines fail while ``down`` (an outage after the commit)."""

    down = False

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        pipe = super().pipeline(transaction, shard_hint)
        original = pipe.execute

        def execute(raise_on_error: bool = True) -> Any:
            if self.down:
                raise redis.ConnectionError("injected: Redis unreachable")
            return original(raise_on_error)

        pipe.execute = execute  # type: ignore[method-assign]
        return pipe


@pytest.fixture(scope="module")
def moto_account() -> Iterator[None]:
    """One moto account for every example (each example provisions its own stack in it)."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        isolate_moto_transactions(patch)
        yield


_stacks = count()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scenario=scenarios(arrival="any", max_activities=20), data=st.data())
def test_pipeline_equals_the_oracle(
    scenario: Scenario, data: st.DataObject, redis_url: str, moto_account: None
) -> None:
    client = FlakyRedis(
        connection_pool=redis.ConnectionPool.from_url(redis_url, decode_responses=True)
    )
    client.flushdb()
    stack = provision(f"prop{next(_stacks)}")
    pipeline = scenario_pipeline(stack, client, scenario)
    pipeline.users.save_settings(scenario.user_id, scenario.settings, scenario.now)
    faults = Faults(pipeline.dynamodb, client)

    queue: deque[Record] = deque()
    for i, activity in enumerate(scenario.activities):
        copies = data.draw(st.integers(1, 3), label="deliveries")
        queue.extend(Record(f"m{i}-{c}", activity.model_dump_json()) for c in range(copies))
    shuffled = data.draw(st.permutations(list(queue)), label="arrival order")
    queue = deque(shuffled)

    rounds = 0
    while queue:
        rounds += 1
        size = data.draw(st.integers(1, 10), label="batch size")
        batch = [queue.popleft() for _ in range(min(size, len(queue)))]
        fault = data.draw(st.sampled_from(FAULTS), label="fault") if rounds < 40 else "none"
        with faults.arm(fault):
            report = pipeline.consumer.consume(batch)
        queue.extend(r for r in batch if r.message_id in report.failed_message_ids)

    images = pipeline.stream_images()
    deliveries = [image for image in images for _ in range(data.draw(st.integers(1, 2)))]
    pending = deque(data.draw(st.permutations(deliveries), label="stream delivery order"))
    rounds = 0
    while pending:
        rounds += 1
        size = data.draw(st.integers(1, 10), label="projection batch size")
        batch_images = [pending.popleft() for _ in range(min(size, len(pending)))]
        fault = data.draw(st.sampled_from(PROJECTION_FAULTS), label="projection fault")
        with faults.arm(fault if rounds < 40 else "none"):
            try:
                pipeline.projector.project(batch_images)
            except LeaderboardUnavailableError:
                pending.extend(batch_images)  # the mapping retries the batch

    oracle, _ = assert_matches_the_oracle(pipeline, scenario)
    expected = oracle.state

    rejected = {r.key for r in oracle.effects.rejected}
    letters = dead_letters(boto3.client("sqs"), stack.dlq_url)
    assert len({_key(letter["body"], scenario) for letter in letters}) == len(rejected)

    board = client.zscore(board_key(ALLTIME), scenario.user_id)
    assert decode_xp(float(board or 0)) == expected.xp
    for week, xp in expected.weekly_xp.items():
        score = client.zscore(board_key(weekly(week)), scenario.user_id)
        if score is not None:  # archived weeks are not published
            assert decode_xp(float(score)) == xp
    client.close()


def _key(body: str, scenario: Scenario) -> str:
    from gamification.domain.activity import Activity
    from gamification.domain.transition import activity_key

    return activity_key(Activity.model_validate_json(body), scenario.rules)
