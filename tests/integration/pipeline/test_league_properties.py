"""Property: however a week's first activities are duplicated, ordered, batched and faulted, every
user who earned XP this week sits in exactly one cohort, cohorts never overflow, and they fill
in order (no empty seat without a lost race)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import timedelta
from itertools import count

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from gamification.domain.game_rules import default_game_rules
from gamification.domain.leagues import LeagueRules
from gamification.domain.periods import iso_week
from gamification.local.provision import provision
from tests.fixtures.aws import isolate_moto_transactions
from tests.integration.pipeline.support import NOW, Record, activity, build_pipeline
from tests.integration.pipeline.test_pipeline_properties import Faults

RULES = default_game_rules().model_copy(update={"leagues": LeagueRules(cohort_size=3)})
WEEK = iso_week(NOW)
_stacks = count()


@pytest.fixture(scope="module")
def moto_account() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        isolate_moto_transactions(patch)
        yield


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    reads=st.lists(st.integers(1, 3), min_size=1, max_size=8),
    data=st.data(),
)
def test_every_player_of_the_week_is_seated_exactly_once(
    reads: list[int], data: st.DataObject, redis_url: str, moto_account: None
) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    stack = provision(f"league{next(_stacks)}")
    pipeline = build_pipeline(stack, client, rules=RULES)
    faults = Faults(pipeline.dynamodb, client)  # type: ignore[arg-type]
    records = [
        Record(
            f"u{u}-{i}-{copy}",
            activity(
                user_id=f"u{u}", object_id=f"p{i}", at=NOW - timedelta(minutes=i)
            ).model_dump_json(),
        )
        for u, n in enumerate(reads)
        for i in range(n)
        for copy in range(data.draw(st.integers(1, 3), label="deliveries"))
    ]
    queue = deque(data.draw(st.permutations(records), label="arrival order"))
    rounds = 0
    while queue:
        rounds += 1
        size = data.draw(st.integers(1, 10), label="batch size")
        batch = [queue.popleft() for _ in range(min(size, len(queue)))]
        fault = data.draw(st.sampled_from(("none", "lost_response")), label="fault")
        with faults.arm(fault if rounds < 30 else "none"):
            report = pipeline.consumer.consume(batch)
        queue.extend(r for r in batch if r.message_id in report.failed_message_ids)

    cohorts = pipeline.leagues.cohorts(WEEK, len(RULES.leagues.tiers))
    members = {c: pipeline.leagues.members(WEEK, t, c) for t, c in cohorts}
    seated = [user for listed in members.values() for user in listed]
    assert sorted(seated) == sorted(f"u{u}" for u in range(len(reads)))  # each exactly once
    assert all(len(listed) <= 3 for listed in members.values())
    # No seat lost: with one consumer at a time the seats are dense (a lost commit response is
    # retried by a redelivery that finds the profile joined and takes no second seat).
    assert [len(members[c]) for _, c in cohorts] == [3] * (len(seated) // 3) + (
        [len(seated) % 3] if len(seated) % 3 else []
    )
    for user in seated:
        state = pipeline.users.load(user).state.league
        assert user in members[state.cohort or 0]
        assert state.week == WEEK
    client.close()
