"""The team quests' ``TeamQuestStore`` port: the fake (tests/fakes/team_quests.py) and
``TeamQuestTable`` on moto pass the same tests (raises only, only while a member, the sum kept
with the contributions, the state written once), and the roster's ``TeamRoster`` methods of
``TeamRepository`` and its fake agree (``members`` from GSI1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.team_quest_progress import TeamQuestTable
from gamification.adapters.team_repository import TeamRepository
from gamification.domain.quests import parse_quest
from gamification.domain.team_quests import PayoutCursor, TeamContribution, TeamQuestStanding
from gamification.domain.teams import Team
from gamification.local.provision import Provisioned
from tests.fakes.team_quests import FakeTeamQuestStore
from tests.fakes.teams import FakeTeamStore

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
QUEST = parse_quest(
    {
        "id": "read-10",
        "name": "Read ten",
        "description": "Ten posts between you",
        "starts_at": (NOW - timedelta(days=1)).isoformat(),
        "ends_at": (NOW + timedelta(days=6)).isoformat(),
        "criteria": {"type": "posts_read", "count": 10},
        "reward_xp": 40,
        "mode": "team",
    }
)


@dataclass
class World:
    store: FakeTeamQuestStore | TeamQuestTable
    teams: FakeTeamStore | TeamRepository
    join: Callable[[str, str], None]


@pytest.fixture(params=["fake", "dynamodb"])
def world(request: pytest.FixtureRequest) -> World:
    if request.param == "fake":
        teams: FakeTeamStore | TeamRepository = FakeTeamStore()
        store: FakeTeamQuestStore | TeamQuestTable = FakeTeamQuestStore(teams.is_member)
    else:
        aws: Provisioned = request.getfixturevalue("aws")
        client = boto3.client("dynamodb")
        teams = TeamRepository(client, aws.table_name)
        store = TeamQuestTable(client, aws.table_name)
    for team in ("red", "blue"):
        teams.put(Team(team, team.title(), max_members=100))

    def join(team: str, user: str) -> None:
        teams.join(team, user, NOW, limit=10, by_admin=False)

    return World(store, teams, join)


def test_contributions_only_rise_and_the_sum_follows_them(world: World) -> None:
    store, q = world.store, QUEST
    world.join("red", "ann")
    world.join("red", "bob")
    assert store.contribute("red", q, "ann", 3) is True
    assert store.contribute("red", q, "ann", 3) is False  # a repeat
    assert store.contribute("red", q, "ann", 2) is False  # an older count
    assert store.contribute("red", q, "bob", 4) is True
    assert store.contribute("red", q, "ann", 5) is True
    assert store.standing("red", q.id) == TeamQuestStanding(progress=9, contributors=2)
    assert sorted(store.contributions("red", q.id), key=lambda c: c.user_id) == [
        TeamContribution("ann", 5),
        TeamContribution("bob", 4),
    ]
    assert store.standings("blue", [q.id, "other"]) == {
        q.id: TeamQuestStanding(),
        "other": TeamQuestStanding(),
    }


def test_only_a_member_contributes_and_a_leaver_keeps_theirs(world: World) -> None:
    store, q = world.store, QUEST
    assert store.contribute("red", q, "ann", 3) is False  # not a member
    world.join("red", "ann")
    assert store.contribute("red", q, "ann", 3) is True
    world.teams.leave("red", "ann")
    assert store.contribute("red", q, "ann", 6) is False
    assert store.standing("red", q.id).progress == 3
    world.join("red", "ann")
    assert store.contribute("red", q, "ann", 6) is True
    assert store.standing("red", q.id) == TeamQuestStanding(progress=6, contributors=1)


def test_reached_once_settled_and_paid_hints(world: World) -> None:
    store, q = world.store, QUEST
    world.join("red", "ann")
    store.contribute("red", q, "ann", 10)
    assert store.reach("red", q, NOW) == NOW
    assert store.reach("red", q, NOW + timedelta(hours=1)) == NOW  # kept
    store.mark_paid("red", q, "ann")
    store.mark_paid("red", q, "bob")  # no contribution: nothing to mark
    store.mark_settled("red", q)
    assert store.standing("red", q.id) == TeamQuestStanding(10, 1, NOW, settled=True)
    assert store.contribution("red", q.id, "ann") == TeamContribution("ann", 10, paid=True)
    assert store.contribution("red", q.id, "bob") is None
    assert store.contribute("red", q, "ann", 11) is True
    assert store.contribution("red", q.id, "ann") == TeamContribution("ann", 11, paid=True)


def test_contributions_page_lists_each_contribution_once_in_bounded_pages(world: World) -> None:
    store, q = world.store, QUEST
    users = [f"user-{i:02d}" for i in range(40)]  # over most of the 16 shards
    for i, user in enumerate(users):
        world.join("red", user)
        store.contribute("red", q, user, 1 + i % 3)
    seen: list[TeamContribution] = []
    after: str | None = None
    for _ in range(100):
        page, after = store.contributions_page("red", q.id, after, 7)
        assert len(page) <= 7
        seen += page
        if after is None:
            break
    assert sorted(c.user_id for c in seen) == users  # each once
    assert sorted(seen, key=lambda c: c.user_id) == sorted(
        store.contributions("red", q.id), key=lambda c: c.user_id
    )
    assert store.contributions_page("blue", q.id, None, 7) == ([], None)


def test_a_payout_opens_at_the_reach_moves_by_compare_and_set_and_closes(world: World) -> None:
    store, q = world.store, QUEST
    world.join("red", "ann")
    store.contribute("red", q, "ann", 10)
    assert store.open_payouts() == []
    store.reach("red", q, NOW)
    assert store.open_payouts() == [("red", q.id)]
    start, first = PayoutCursor(), PayoutCursor("contributors", "3:ann")
    assert store.advance("red", q, start, first) is True
    assert store.advance("red", q, start, PayoutCursor("members")) is False  # moved already
    assert store.standing("red", q.id).cursor == first
    members = PayoutCursor("members")
    assert store.advance("red", q, first, members) is True
    assert store.advance("red", q, members, PayoutCursor("members", "bob")) is True
    assert store.standing("red", q.id).cursor == PayoutCursor("members", "bob")
    store.mark_settled("red", q)
    assert store.open_payouts() == []
    assert store.standing("red", q.id).settled
    assert store.advance("red", q, PayoutCursor(), first) is False  # never once settled
    store.reach("red", q, NOW + timedelta(hours=1))  # a late reach does not reopen it
    assert store.open_payouts() == []


def test_the_roster(world: World) -> None:
    for user in ("cy", "ann", "bob"):
        world.join("red", user)
    world.join("blue", "ann")
    world.teams.leave("red", "bob")
    assert world.teams.members("red") == ["ann", "cy"]
    assert world.teams.memberships_of("ann") == ["blue", "red"]
    assert world.teams.is_member("red", "cy")
    assert not world.teams.is_member("red", "bob")
    assert world.teams.exists("red")
    assert not world.teams.exists("green")
    for user in ("dan", "eve", "fay"):
        world.join("red", user)
    pages, after = [], None
    while True:
        page, after = world.teams.members_page("red", after, 2)
        if after is None:
            break
        pages.append(page)
    assert pages == [["ann", "cy"], ["dan", "eve"], ["fay"]]
    world.teams.leave("red", "dan")  # the position outlives the member it names
    assert world.teams.members_page("red", "dan", 2) == (["eve", "fay"], "fay")


def test_a_big_team_spreads_over_the_shards(aws: Provisioned) -> None:
    """The shard of a contribution is its user's: 64 users land on most of the 16 keys."""
    shards = {keys.team_quest_shard(f"user-{i}") for i in range(64)}
    assert len(shards) >= 12
    pk = keys.team_quest_pk("big", QUEST.id, 3)
    assert pk == "TQUEST#big#read-10#3"
