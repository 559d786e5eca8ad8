"""The cohort member list of ``services.league_queries`` (``CohortMembers``): the fake
(tests/fakes/leagues.py) and ``LeagueRepository`` on moto pass the same tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from gamification.adapters.league_repository import LeagueRepository, membership_put
from gamification.domain.leagues import Membership
from gamification.local.provision import Provisioned
from tests.fakes.leagues import FakeCohorts

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@dataclass
class Subject:
    cohorts: FakeCohorts | LeagueRepository
    seat: Callable[[Membership], None]
    """What the user's transaction records with the seat."""


@pytest.fixture(params=["fake", "dynamodb"])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = FakeCohorts()
        return Subject(fake, fake.seat)
    aws: Provisioned = request.getfixturevalue("aws")
    client = boto3.client("dynamodb")

    def seat(membership: Membership) -> None:
        items: Any = [membership_put(aws.table_name, membership, NOW)]
        client.transact_write_items(TransactItems=items)

    return Subject(LeagueRepository(client, aws.table_name), seat)


def test_a_cohort_lists_its_members_and_only_them(subject: Subject) -> None:
    for user_id in ("cy", "ann", "bob"):
        subject.seat(Membership("2026-W48", 2, 0, user_id))
    subject.seat(Membership("2026-W48", 2, 1, "dee"))
    subject.seat(Membership("2026-W49", 2, 0, "eve"))

    assert subject.cohorts.members("2026-W48", 2, 0) == ["ann", "bob", "cy"]
    assert subject.cohorts.members("2026-W48", 2, 1) == ["dee"]
    assert subject.cohorts.members("2026-W48", 3, 0) == []
