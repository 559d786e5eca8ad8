"""Team quests pay exactly once (issue #30): after any interleaving of counts earned, joins,
leaves, and profile images delivered any number of times in any order (membership records in
each item's order, replayed after a failed batch), no user is paid or notified twice for a
quest, whichever of their teams completes it, and once everything was delivered every payee of
every team whose members' counts reach the target (contributors, or all members) is paid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.quests import QuestDefinition, parse_quest
from gamification.domain.team_quests import payees
from gamification.domain.teams import MembershipChange
from gamification.services.team_quests import TeamQuestService
from tests.fakes.team_quests import FakeTeamQuestPayer, FakeTeamQuestStore

START = datetime(2026, 11, 30, 8, tzinfo=UTC)
USERS = tuple(f"u{i}" for i in range(6))
TEAMS = ("red", "blue")


def quest(target: int, pay: str) -> QuestDefinition:
    return parse_quest(
        {
            "id": "climb",
            "name": "Climb together",
            "description": "Read posts as a team",
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(days=7)).isoformat(),
            "criteria": {"type": "posts_read", "count": target},
            "reward_xp": 50,
            "mode": "team",
            "pay": pay,
        }
    )


@settings(max_examples=400, deadline=None)
@given(st.data(), st.integers(1, 12), st.sampled_from(["contributors", "members"]))
def test_team_quests_pay_each_payee_exactly_once(
    data: st.DataObject, target: int, pay: str
) -> None:
    definition = quest(target, pay)
    counts: dict[str, int] = {}
    images: list[tuple[str, int]] = []
    members: set[tuple[str, str]] = set()
    log: dict[tuple[str, str], list[MembershipChange]] = {}
    cursor: dict[tuple[str, str], int] = {}
    mirror: dict[str, set[str]] = {}  # the projection's teams of each user (from delivered records)
    now = [START]
    store, payer = FakeTeamQuestStore(), FakeTeamQuestPayer()
    service = TeamQuestService(
        lambda: [definition],
        store,
        payer,
        teams_of=lambda user: set(mirror.get(user, set())),
        counts_of=lambda user: {"climb": counts[user]} if user in counts else {},
        clock=lambda: now[0],
    )

    def deliver_membership(key: tuple[str, str]) -> None:
        change = log[key][cursor[key]]
        (
            mirror.setdefault(change.user_id, set()).add
            if change.joined
            else mirror.setdefault(change.user_id, set()).discard
        )(change.team_id)
        service.on_membership(change)
        cursor[key] += 1

    for _ in range(data.draw(st.integers(0, 60))):
        now[0] += timedelta(minutes=1)
        action = data.draw(st.sampled_from(["earn", "toggle", "image", "membership", "replay"]))
        if action == "earn":
            user = data.draw(st.sampled_from(USERS))
            counts[user] = counts.get(user, 0) + data.draw(st.integers(1, 4))
            images.append((user, counts[user]))
        elif action == "toggle":
            key = (data.draw(st.sampled_from(TEAMS)), data.draw(st.sampled_from(USERS)))
            joined = key not in members
            (members.add if joined else members.discard)(key)
            log.setdefault(key, []).append(MembershipChange(key[1], key[0], joined, now[0]))
            cursor.setdefault(key, 0)
        elif action == "image" and images:
            user, count = data.draw(st.sampled_from(images))  # any image, again, late
            service.on_profiles([(user, {"climb": count})])
        elif action == "membership":
            pending = sorted(k for k in log if cursor[k] < len(log[k]))
            if pending:
                deliver_membership(data.draw(st.sampled_from(pending)))
        elif action == "replay":
            done = sorted(k for k in log if cursor[k] > 0)
            if done:  # a failed batch replayed from an earlier record of this item
                key = data.draw(st.sampled_from(done))
                cursor[key] = data.draw(st.integers(0, cursor[key] - 1))
    for key in sorted(log):  # everything delivered at least once, in each item's order
        while cursor[key] < len(log[key]):
            deliver_membership(key)
    for user, count in data.draw(st.permutations(images)):
        service.on_profiles([(user, {"climb": count})])

    paid_users = [user for user, _, _ in payer.payments]
    assert len(paid_users) == len(set(paid_users))  # nobody paid twice, whatever the team
    for user in paid_users:
        assert payer.xp[user] == 50
        assert len(payer.notifications[user]) == 1
    for team in TEAMS:
        tally = store.tally(team, definition)
        team_members = {u for t, u in members if t == team}
        assert tally.members == team_members
        assert tally.counts == {u: counts[u] for u in team_members if u in counts}
        if tally.progress >= target:
            assert payees(tally, definition.pay) <= set(paid_users), team
        progress = service.progress(team, definition)
        assert (progress.progress, progress.target) == (tally.progress, target)
