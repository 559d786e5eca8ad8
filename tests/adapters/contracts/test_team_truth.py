"""The team rebuild's ``TeamTruth`` port: the fake (tests/fakes/teams.py) and ``TeamTruthReader``
on moto read the same memberships, profiles and teams (the Scan keeps membership items only,
across pages; a member without a profile is still a member)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.team_repository import TeamRepository
from gamification.adapters.team_truth import TeamTruthReader
from gamification.domain.boards import PlayerScore
from gamification.domain.periods import iso_week
from gamification.domain.teams import Team
from gamification.local.provision import Provisioned
from tests.fakes.teams import FakeTeamStore, FakeTeamTruth

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
WEEK = iso_week(NOW)
Truth = FakeTeamTruth | TeamTruthReader


def _profile(user: str, xp: int, hidden: bool = False) -> dict[str, object]:
    item: dict[str, object] = {
        "PK": keys.user_pk(user),
        "SK": keys.PROFILE_SK,
        "xp": xp,
        "xp_at": (NOW - timedelta(hours=1)).isoformat(),
        "weekly_xp": {WEEK: xp // 10},
        "display_name": user.title(),
    }
    if hidden:
        item["unlisted"] = True
    return item


PLAYERS = {
    "ann": PlayerScore("ann", 500, NOW - timedelta(hours=1), "Ann", {WEEK: 50}),
    "bob": PlayerScore("bob", 30, NOW - timedelta(hours=1), "Bob", {WEEK: 3}, listed=False),
}


@pytest.fixture(params=["fake", "dynamodb"])
def truth(request: pytest.FixtureRequest) -> Truth:
    joins = [("red", "ann"), ("red", "bob"), ("blue", "ann"), ("blue", "cy")]
    if request.param == "fake":
        store = FakeTeamStore()
        for team in ("red", "blue", "empty"):
            store.put(Team(team, team))
        for team, user in joins:
            store.join(team, user, NOW, limit=10, by_admin=True)
        return FakeTeamTruth(store, dict(PLAYERS))
    aws: Provisioned = request.getfixturevalue("aws")
    client = boto3.client("dynamodb")
    repository = TeamRepository(client, aws.table_name)
    for team in ("red", "blue", "empty"):
        repository.put(Team(team, team))
    for team, user in joins:
        repository.join(team, user, NOW, limit=10, by_admin=True)
    client.put_item(TableName=aws.table_name, Item=to_item(_profile("ann", 500)))
    client.put_item(TableName=aws.table_name, Item=to_item(_profile("bob", 30, hidden=True)))
    return TeamTruthReader(client, aws.table_name, page_size=3)  # pages of 3 items scanned


def test_every_membership_is_read_with_its_join_time(truth: Truth) -> None:
    rows = sorted((r.team_id, r.user_id, r.joined_at) for p in truth.memberships() for r in p)
    assert rows == [
        ("blue", "ann", NOW),
        ("blue", "cy", NOW),
        ("red", "ann", NOW),
        ("red", "bob", NOW),
    ]


def test_profiles_teams_and_a_single_membership(truth: Truth) -> None:
    found = truth.profiles(["ann", "bob", "cy"])
    assert set(found) == {"ann", "bob"}
    assert (found["ann"].xp, found["ann"].weekly_xp, found["ann"].listed) == (500, {WEEK: 50}, True)
    assert (found["bob"].xp, found["bob"].listed) == (30, False)
    assert sorted(truth.teams()) == ["blue", "empty", "red"]
    assert truth.joined_at("red", "bob") == NOW
    assert truth.joined_at("red", "cy") is None
