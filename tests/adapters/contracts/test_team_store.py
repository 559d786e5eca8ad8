"""The teams' ``TeamStore`` port: the fake (tests/fakes/teams.py) and ``TeamRepository`` on moto
pass the same tests (definitions, the two limits as conditions, repeats, paging)."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from gamification.adapters.team_repository import TeamRepository
from gamification.domain.teams import Membership, Team, TeamError, TeamNotFoundError
from gamification.local.provision import Provisioned
from tests.fakes.teams import FakeTeamStore

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
Store = FakeTeamStore | TeamRepository


@pytest.fixture(params=["fake", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "fake":
        return FakeTeamStore()
    aws: Provisioned = request.getfixturevalue("aws")
    return TeamRepository(boto3.client("dynamodb"), aws.table_name)


def test_a_definition_is_replaced_and_keeps_its_members(store: Store) -> None:
    assert store.put(Team("red", "Red", "the reds", "code", 2, "sesame")) is True
    assert store.join("red", "ann", NOW, limit=10, by_admin=False) is True
    assert store.put(Team("red", "Red!", "", "open", 5)) is False
    assert store.get("red", consistent=True) == Team("red", "Red!", "", "open", 5, None, 1)
    assert store.get("blue") is None


def test_the_team_and_user_limits_hold(store: Store) -> None:
    for team in ("a", "b", "c"):
        store.put(Team(team, team.upper(), max_members=1))
    assert store.join("a", "ann", NOW, limit=2, by_admin=False) is True
    assert store.join("a", "ann", NOW, limit=2, by_admin=False) is False  # a repeat
    with pytest.raises(TeamError) as full:
        store.join("a", "bob", NOW, limit=2, by_admin=True)
    assert full.value.code == "team_full"
    assert store.join("b", "ann", NOW, limit=2, by_admin=True) is True
    with pytest.raises(TeamError) as limit:
        store.join("c", "ann", NOW, limit=2, by_admin=False)
    assert limit.value.code == "team_limit"
    with pytest.raises(TeamNotFoundError):
        store.join("nope", "bob", NOW, limit=2, by_admin=False)
    assert store.memberships("ann") == [
        Membership("a", NOW, False),
        Membership("b", NOW, True),
    ]
    assert store.leave("a", "ann") is True
    assert store.leave("a", "ann") is False
    assert store.join("c", "ann", NOW, limit=2, by_admin=False) is True
    assert {t: store.get(t, consistent=True).members for t in "abc"} == {"a": 0, "b": 1, "c": 1}  # type: ignore[union-attr]


def test_only_an_empty_team_is_deleted(store: Store) -> None:
    store.put(Team("red", "Red"))
    store.join("red", "ann", NOW, limit=10, by_admin=False)
    with pytest.raises(TeamError) as busy:
        store.delete("red")
    assert busy.value.code == "team_not_empty"
    store.leave("red", "ann")
    assert store.delete("red") is True
    assert store.delete("red") is False


def test_the_directory_pages_by_id(store: Store) -> None:
    for team in ("c", "a", "b"):
        store.put(Team(team, team.upper()))
    pages, cursor = [], None
    while True:
        teams, cursor = store.directory(cursor, 2)
        pages.append([t.team_id for t in teams])
        if cursor is None:
            break
    assert [t for page in pages for t in page] == ["a", "b", "c"]
    assert store.many(["b", "zz", "a"]).keys() == {"a", "b"}
