"""The write budget's in-container allowance: exact in one container, bounded over several."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3

from gamification.adapters import keys
from gamification.adapters.request_budget import RequestBudget
from gamification.local.provision import Provisioned

NOW = datetime(2026, 11, 27, 12, 0, 5, tzinfo=UTC)


def _budget(aws: Provisioned, free: int = 1) -> RequestBudget:
    return RequestBudget(
        boto3.client("dynamodb"),
        aws.table_name,
        limit=3,
        window_seconds=60,
        clock=lambda: NOW,
        free_per_container=free,
    )


def _counter_items(aws: Provisioned) -> list[Any]:
    response = boto3.client("dynamodb").query(
        TableName=aws.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.budget_pk("alice")}},
    )
    return list(response["Items"])


def test_a_users_first_request_writes_nothing(aws: Provisioned) -> None:
    budget = _budget(aws)
    assert budget.spend("alice").allowed
    assert _counter_items(aws) == []


def test_one_container_refuses_exactly_as_the_counter_alone(aws: Provisioned) -> None:
    for free in (0, 1, 2):
        budget = _budget(aws, free)
        user = f"user-{free}"
        assert [budget.spend(user).allowed for _ in range(4)] == [True, True, True, False]


def test_several_containers_overspend_by_at_most_their_allowance(aws: Provisioned) -> None:
    containers = [_budget(aws) for _ in range(3)]
    allowed = sum(c.spend("alice").allowed for _ in range(5) for c in containers)
    assert 3 <= allowed <= 3 + len(containers)  # limit + containers x free_per_container
