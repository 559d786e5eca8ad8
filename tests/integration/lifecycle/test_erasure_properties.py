"""Erasure against queued activity, as a property: whatever arrives when (before or after the
request, repeated, in any order and batching, the walk running between any two batches), the
user ends exactly as if only the activities received after the erasure had ever happened."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from itertools import count

import boto3
import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from gamification.adapters.erasure_ledger import ErasureLedger
from gamification.adapters.partition_walker import PartitionWalker
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.domain.activity import Activity
from gamification.domain.game_rules import default_game_rules
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities
from gamification.local.provision import provision
from gamification.services.erasure import Eraser, ErasureRequests, Status
from tests.fixtures.aws import isolate_moto_transactions
from tests.integration.pipeline.support import NOW, Clock, Record, build_pipeline, record

_stacks = count()
ERASED_AT = NOW + timedelta(minutes=10)


@pytest.fixture(scope="module")
def moto_account() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        isolate_moto_transactions(patch)
        yield


def _activity(object_id: str, type_: str, received: timedelta) -> Activity:
    return Activity.model_validate(
        {
            "user_id": "alice",
            "type": type_,
            "object_id": object_id,
            "occurred_at": ERASED_AT + received - timedelta(seconds=30),
            "received_at": ERASED_AT + received,
            "source": "client",
        }
    )


activities = st.lists(
    st.tuples(
        st.sampled_from(["p1", "p2", "p3", "p4"]),
        st.sampled_from(["post_read", "comment_left"]),
        st.sampled_from([-timedelta(minutes=5), -timedelta(seconds=1), timedelta(seconds=1)]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(history=activities, queued=activities, seed=st.integers(0, 2**32 - 1))
def test_only_activity_received_after_the_erasure_survives(
    history: list[tuple[str, str, timedelta]],
    queued: list[tuple[str, str, timedelta]],
    seed: int,
    redis_url: str,
    moto_account: None,
) -> None:
    rng = random.Random(seed)
    stack = provision(f"erase{next(_stacks)}")
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    pipeline = build_pipeline(stack, client, clock=Clock(NOW))
    dynamodb = boto3.client("dynamodb")
    ledger = ErasureLedger(dynamodb, stack.table_name)
    eraser = Eraser(
        PartitionWalker(dynamodb, stack.table_name),
        ledger,
        pipeline.users,
        SnapshotRepository(dynamodb, stack.table_name),
        page_size=3,  # many pages: the walk is interrupted between batches too
    )
    # The past: applied before the erasure (all received before it, whatever the draw says).
    past = [_activity(f"old-{o}", t, -timedelta(minutes=9)) for o, t, _ in history]
    pipeline.consumer.consume([record(a) for a in past])
    pipeline.clock.now = ERASED_AT
    ErasureRequests(pipeline.users, ledger, lambda _: None, pipeline.clock).request("alice")

    deliveries: list[Record] = []
    for object_id, type_, received in queued:
        item = record(_activity(object_id, type_, received))
        deliveries.extend([item] * rng.randint(1, 2))
    rng.shuffle(deliveries)
    pending = list(deliveries)
    pipeline.clock.now = ERASED_AT + timedelta(seconds=2)
    walking = True
    for _ in range(40):
        if walking and rng.random() < 0.5:
            walking = eraser.run("alice", pipeline.clock(), max_pages=1).status is Status.PAUSED
        if not pending:
            if not walking:
                break
            continue
        size = rng.randint(1, min(10, len(pending)))
        batch, pending = pending[:size], pending[size:]
        failed = pipeline.consumer.consume(batch).failed_message_ids
        pending.extend(r for r in batch if r.message_id in failed)  # SQS redelivers them
    while walking:
        walking = eraser.run("alice", pipeline.clock()).status is Status.PAUSED
    if pending:
        assert not pipeline.consumer.consume(pending).failed_message_ids

    after = [_activity(o, t, r) for o, t, r in queued if r > timedelta(0)]
    expected = apply_activities(
        UserState.new("alice"), after, default_game_rules(), pipeline.clock()
    ).state
    stored = pipeline.users.load("alice").state
    assert (stored.xp, stored.counters, set(stored.badges)) == (
        expected.xp,
        expected.counters,
        set(expected.badges),
    )
