"""Team quests by example (``services.team_quests`` on the fakes): a shared target, progress
every member sees, completion paying the contributors (or all members) and notifying each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gamification.domain.quests import QuestDefinition, parse_quest
from gamification.domain.teams import MembershipChange
from gamification.services.team_quests import TeamQuestService
from tests.fakes.team_quests import FakeTeamQuestPayer, FakeTeamQuestStore

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def quest(pay: str = "contributors", mode: str = "team") -> QuestDefinition:
    return parse_quest(
        {
            "id": "read-10",
            "name": "Read ten",
            "description": "Ten posts between you",
            "starts_at": (NOW - timedelta(days=1)).isoformat(),
            "ends_at": (NOW + timedelta(days=6)).isoformat(),
            "criteria": {"type": "posts_read", "count": 10},
            "reward_xp": 40,
            "mode": mode,
            "pay": pay,
        }
    )


def world(
    definition: QuestDefinition,
) -> tuple[TeamQuestService, FakeTeamQuestStore, FakeTeamQuestPayer, dict[str, int]]:
    counts: dict[str, int] = {}
    teams = {"ann": {"trio"}, "bob": {"trio"}, "cy": {"trio"}, "dee": {"solo"}}
    store, payer = FakeTeamQuestStore(), FakeTeamQuestPayer()
    service = TeamQuestService(
        lambda: [definition],
        store,
        payer,
        teams_of=lambda u: set(teams.get(u, set())),
        counts_of=lambda u: {definition.id: counts[u]} if u in counts else {},
        clock=lambda: NOW,
    )
    for user, user_teams in teams.items():
        for team in user_teams:
            service.on_membership(MembershipChange(user, team, True, NOW))
    return service, store, payer, counts


def test_contributors_are_paid_once_when_the_team_reaches_the_target() -> None:
    definition = quest()
    service, _, payer, counts = world(definition)
    counts.update(ann=6, dee=9)
    assert service.on_profiles([("ann", {"read-10": 6}), ("dee", {"read-10": 9})]) == 0
    seen = service.progress("trio", definition)
    assert (seen.progress, seen.target, seen.members_counted, seen.completed) == (6, 10, 1, False)

    assert service.on_profiles([("bob", {"read-10": 4})]) == 2  # trio: 10 = the target
    assert sorted(u for u, _, _ in payer.payments) == ["ann", "bob"]  # cy did not contribute
    assert service.on_profiles([("bob", {"read-10": 4}), ("ann", {"read-10": 3})]) == 0  # again
    assert service.on_profiles([("cy", {"read-10": 1})]) == 1  # a late contributor
    assert {u: len(n) for u, n in payer.notifications.items()} == {"ann": 1, "bob": 1, "cy": 1}
    assert payer.xp == {"ann": 40, "bob": 40, "cy": 40}
    assert service.progress("solo", definition).completed is False  # dee: 9 of 10
    assert service.progress("trio", definition).completed is True


def test_all_members_are_paid_when_the_quest_says_so_and_leavers_take_their_count() -> None:
    definition = quest(pay="members")
    service, _, payer, counts = world(definition)
    counts["ann"] = 6
    service.on_profiles([("ann", {"read-10": 6})])
    service.on_membership(MembershipChange("ann", "trio", False, NOW))
    assert service.progress("trio", definition).progress == 0
    service.on_membership(MembershipChange("ann", "trio", True, NOW))  # rejoins: read from truth
    assert service.progress("trio", definition).progress == 6
    assert service.on_profiles([("bob", {"read-10": 4})]) == 3
    assert sorted(u for u, _, _ in payer.payments) == ["ann", "bob", "cy"]


def test_a_solo_quest_is_not_a_team_quest() -> None:
    definition = quest(mode="solo")
    service, _, payer, _ = world(definition)
    assert service.on_profiles([("ann", {"read-10": 10})]) == 0
    assert payer.payments == []
