"""The history lake's ``LakeKeys`` port: the fake (tests/fakes/lake.py) and ``LakeKeyStore`` on
moto's DynamoDB pass the same tests: a key is made once, only for a user with a live profile,
and erasing the user's partition takes it away for good."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.lake_keys import LAKE_KEY_SK, LakeKeyStore
from gamification.local.provision import Provisioned
from gamification.services.history_lake import LakeKeys
from tests.fakes.lake import FakeLakeKeys

# A profile with game state, a tombstone (erased) and the eraser's walk, for either store.
Live = Callable[[str], None]
Erase = Callable[[str], None]


def _dynamo(aws: Provisioned) -> tuple[LakeKeyStore, Live, Live, Erase]:
    client = boto3.client("dynamodb")
    draws = count(1)
    store = LakeKeyStore(client, aws.table_name, lambda n: next(draws).to_bytes(n, "big"))

    def put_profile(user: str, **extra: Any) -> None:
        item = {"PK": {"S": keys.user_pk(user)}, "SK": {"S": keys.PROFILE_SK}, **extra}
        client.put_item(TableName=aws.table_name, Item=item)

    def live(user: str) -> None:
        put_profile(user, state={"B": b"x"})

    def tombstone(user: str) -> None:
        put_profile(user, erased_at={"S": "2026-12-01T00:00:00+00:00"})

    def erase(user: str) -> None:
        tombstone(user)
        client.delete_item(
            TableName=aws.table_name,
            Key={"PK": {"S": keys.user_pk(user)}, "SK": {"S": LAKE_KEY_SK}},
        )

    return store, live, tombstone, erase


def _fake() -> tuple[FakeLakeKeys, Live, Live, Erase]:
    fake = FakeLakeKeys()
    return fake, fake.live.add, fake.live.discard, fake.erase


@pytest.fixture(params=["fake", "dynamodb"])
def store(request: pytest.FixtureRequest) -> tuple[LakeKeys, Live, Live, Erase]:
    if request.param == "fake":
        return _fake()
    return _dynamo(request.getfixturevalue("aws"))


def test_a_key_is_made_once_and_read_back(store: tuple[LakeKeys, Live, Live, Erase]) -> None:
    keys_port, live, _, _ = store
    live("ann")
    assert keys_port.keys_for(["ann"]) == {}

    first = keys_port.create("ann")
    again = keys_port.create("ann")  # a second publisher racing: the first key wins

    assert first is not None
    assert len(first) == 16
    assert again == first
    assert keys_port.keys_for(["ann", "bob"]) == {"ann": first}


def test_no_key_for_a_tombstone_or_a_stranger(store: tuple[LakeKeys, Live, Live, Erase]) -> None:
    keys_port, _, tombstone, _ = store
    tombstone("ann")
    assert keys_port.create("ann") is None
    assert keys_port.create("nobody") is None
    assert keys_port.keys_for(["ann", "nobody"]) == {}


def test_erasure_takes_the_key_away_for_good(store: tuple[LakeKeys, Live, Live, Erase]) -> None:
    keys_port, live, _, erase = store
    live("ann")
    assert keys_port.create("ann") is not None

    erase("ann")

    assert keys_port.keys_for(["ann"]) == {}
    assert keys_port.create("ann") is None  # a late event cannot bring a new key


def test_keys_for_reads_more_than_one_batch(aws: Provisioned) -> None:
    store, live, _, _ = _dynamo(aws)
    users = [f"u{i:03}" for i in range(130)]
    for user in users:
        live(user)
        store.create(user)
    assert sorted(store.keys_for(users)) == users
