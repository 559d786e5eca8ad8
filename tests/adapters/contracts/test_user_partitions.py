"""Contract of the erasure's ``UserPartitions``: the fake (``tests/fakes/jobs.py``) and
``PartitionWalker`` on moto pass the same tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.partition_walker import PartitionWalker
from gamification.services.erasure import UserPartitions
from tests.fakes.jobs import FakeUserPartitions


@dataclass
class Harness:
    partitions: UserPartitions
    put: Callable[[str, int, str], None]
    """Store an item of the user's family (``PROFILE`` in family 0: the profile)."""
    seat: Callable[[str], str]
    """Seat the user in a cohort: its seat (as the ledger remembers it)."""
    seated: Callable[[str, str], bool]


def _fake() -> Harness:
    fake = FakeUserPartitions()

    def seat(user_id: str) -> str:
        fake.seats.setdefault("seat:w:0:0", set()).add(user_id)
        return "seat:w:0:0"

    return Harness(fake, fake.put, seat, lambda s, u: u in fake.seats[s])


def _dynamodb(table: str) -> Harness:
    client = boto3.client("dynamodb")
    partition = (keys.user_pk, keys.budget_pk, keys.graph_pk)

    def put(user_id: str, family: int, sk: str) -> None:
        client.put_item(TableName=table, Item=to_item({"PK": partition[family](user_id), "SK": sk}))

    def seat(user_id: str) -> str:
        pk = keys.cohort_pk("2026-W48", 0, 0)
        client.put_item(
            TableName=table, Item=to_item({"PK": pk, "SK": keys.cohort_member_sk(user_id)})
        )
        return pk

    def seated(seat: str, user_id: str) -> bool:
        key = to_item({"PK": seat, "SK": keys.cohort_member_sk(user_id)})
        return "Item" in client.get_item(TableName=table, Key=key)

    return Harness(PartitionWalker(client, table), put, seat, seated)


@pytest.fixture(params=["fake", "dynamodb"])
def harness(request: pytest.FixtureRequest) -> Harness:
    if request.param == "fake":
        return _fake()
    return _dynamodb(request.getfixturevalue("aws").table_name)


def test_pages_leave_the_profile_and_other_users_alone(harness: Harness) -> None:
    for sk in ("PROFILE", "SEEN#a", "SEEN#b", "SEEN#c"):
        harness.put("ann", 0, sk)
    harness.put("bob", 0, "SEEN#z")
    harness.put("ann", 1, "MINUTE#1")
    walker = harness.partitions

    first, requests = walker.page("ann", 0, 2)
    assert len(first) == 2
    assert requests >= 1
    assert set(first) < {"SEEN#a", "SEEN#b", "SEEN#c"}
    assert walker.delete_items("ann", 0, first) >= 1
    rest, _ = walker.page("ann", 0, 10)
    assert len(rest) == 1
    walker.delete_items("ann", 0, rest)
    assert walker.page("ann", 0, 10)[0] == []  # the profile stays: the tombstone
    assert walker.page("ann", 1, 10)[0] == ["MINUTE#1"]
    assert walker.page("bob", 0, 10)[0] == ["SEEN#z"]
    assert walker.families == 5


def test_leaving_a_seat_removes_only_that_member(harness: Harness) -> None:
    seat = harness.seat("ann")
    assert harness.seat("bob") == seat

    assert harness.partitions.leave_seat(seat, "ann") >= 1

    assert not harness.seated(seat, "ann")
    assert harness.seated(seat, "bob")
