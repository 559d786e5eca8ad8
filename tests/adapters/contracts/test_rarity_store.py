"""The rarity item (``services.rarity.RarityStore``): the fake and ``adapters.rarity_store`` on
moto keep a record as saved, at its bound well under DynamoDB's 400 KB item limit."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from gamification.adapters.rarity_store import RarityStore
from gamification.domain.rarity import MAX_ENTRIES, Rarity, RarityCount, RarityRecord, RarityWalk
from gamification.local.provision import Provisioned
from tests.fakes.rarity import FakeRarityStore

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
Store = FakeRarityStore | RarityStore


@pytest.fixture(params=["fake", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "fake":
        return FakeRarityStore()
    aws: Provisioned = request.getfixturevalue("aws")
    return RarityStore(boto3.client("dynamodb"), aws.table_name)


def test_nothing_is_counted_before_the_first_save(store: Store) -> None:
    assert store.load() == RarityRecord()


def test_a_record_comes_back_as_saved(store: Store) -> None:
    record = RarityRecord(
        result=Rarity(NOW, RarityCount(7, {"reader": 3, "reader#2": 1})),
        walk=RarityWalk(NOW, 2, "USER#x", RarityCount(2, {"reader": 1})),
    )
    store.save(record)

    assert store.load() == record
    store.save(RarityRecord(result=record.result))
    assert store.load() == RarityRecord(result=record.result)


def test_the_item_at_its_bound_fits(store: Store) -> None:
    """Both counts full: 1,000 ids of 64 + 2 characters with 10-digit counts."""
    holders = {f"{'b' * 61}{i:03}#5": 9_999_999_999 for i in range(MAX_ENTRIES)}
    full = RarityCount(10**10, holders)
    record = RarityRecord(
        result=Rarity(NOW, full), walk=RarityWalk(NOW, 15, "x" * 512, RarityCount(1, holders))
    )

    store.save(record)

    assert store.load() == record
