"""The catalog ports of ``services.admin`` (``BadgeStore``, ``QuestStore``): the fake
(tests/fakes/catalog.py) and ``BadgeRepository`` on moto pass the same tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from gamification.adapters.badge_repository import BadgeRepository
from gamification.domain.badges import load_badge_catalog, parse_badge
from gamification.domain.quests import parse_quest
from gamification.local.provision import Provisioned
from tests.fakes.catalog import FakeCatalog

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
BADGE = parse_badge(
    {
        "id": "reader-3",
        "name": "Reader",
        "description": "Read three posts",
        "icon": "book",
        "criteria": {"type": "posts_read", "count": 3},
    }
)
QUEST = parse_quest(
    {
        "id": "weekend",
        "name": "Weekend",
        "description": "Read three posts",
        "starts_at": NOW.isoformat(),
        "ends_at": (NOW + timedelta(days=2)).isoformat(),
        "criteria": {"type": "posts_read", "count": 3},
        "reward_xp": 40,
    }
)


@pytest.fixture(params=["fake", "dynamodb"])
def catalog(request: pytest.FixtureRequest) -> FakeCatalog | BadgeRepository:
    if request.param == "fake":
        return FakeCatalog()
    aws: Provisioned = request.getfixturevalue("aws")
    return BadgeRepository(boto3.client("dynamodb"), aws.table_name)


def test_the_shipped_badges_apply_until_the_first_change_seeds_them(
    catalog: FakeCatalog | BadgeRepository,
) -> None:
    defaults = load_badge_catalog()

    before = catalog.load()
    catalog.seed_defaults()
    catalog.put(BADGE)
    catalog.seed_defaults()  # a second seed brings nothing back
    after = catalog.load()

    assert before == defaults
    assert after.get(BADGE.id) == BADGE
    assert {b.id for b in after} == {b.id for b in defaults} | {BADGE.id}


def test_a_deleted_badge_stays_deleted(catalog: FakeCatalog | BadgeRepository) -> None:
    default_id = next(iter(load_badge_catalog())).id
    catalog.seed_defaults()

    assert catalog.delete(default_id) is True
    assert catalog.delete(default_id) is False
    catalog.seed_defaults()
    assert catalog.load().get(default_id) is None


def test_quests_are_stored_read_with_the_badges_and_deleted(
    catalog: FakeCatalog | BadgeRepository,
) -> None:
    catalog.put_quest(QUEST)

    badges, quests = catalog.load_rules()

    assert badges == load_badge_catalog()
    assert quests.get(QUEST.id) == QUEST
    assert catalog.delete_quest(QUEST.id) is True
    assert catalog.delete_quest(QUEST.id) is False
    assert catalog.load_rules()[1].get(QUEST.id) is None
