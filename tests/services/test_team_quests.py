"""Team quests by example (``services.team_quests`` on the fakes): a shared target, progress
every member sees, completion paying the contributors (or all members) and notifying each once,
a leaver's contribution kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from gamification.adapters.user_repository import StoredUser
from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.experiments import Assignment
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.notifications import NotificationKind
from gamification.domain.profile_records import UserChange
from gamification.domain.quests import QuestCatalog, QuestDefinition, QuestProgress, parse_quest
from gamification.domain.state import UserState
from gamification.domain.team_quests import COMMIT_STEP, PAYOUT_STEP, PayoutCursor
from gamification.domain.teams import Team, TeamError, TeamNotFoundError
from gamification.domain.wallet import Currency, EarningRule, EarnOn, WalletRules
from gamification.services.team_quests import TeamQuests
from tests.fakes.profiles import FakeProfiles
from tests.fakes.team_quests import FakeTeamQuestStore
from tests.fakes.teams import FakeTeamStore

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
RULES = default_game_rules()


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


class World:
    def __init__(
        self,
        definition: QuestDefinition,
        rules: GameRules | None = None,
        store: type[FakeTeamQuestStore] = FakeTeamQuestStore,
    ) -> None:
        self.teams, self.profiles = FakeTeamStore(), FakeProfiles()
        self.store = store(self.teams.is_member)
        self.rules = (rules or RULES).with_quests(QuestCatalog(quests=(definition,)))
        self.service = TeamQuests(
            lambda: self.rules,
            self.store,
            self.teams,
            self.profiles,
            lambda: NOW,
        )
        self.quest_id = definition.id
        for team in ("trio", "solo"):
            self.teams.put(Team(team, team.title(), max_members=10))
        for user, team in (("ann", "trio"), ("bob", "trio"), ("cy", "trio"), ("dee", "solo")):
            self.teams.join(team, user, NOW, limit=10, by_admin=False)

    def count(self, user: str, count: int) -> StoredUser:
        """A commit that brought ``user``'s count to ``count``, then its settlement."""
        held = self.profiles.load(user)
        entry = held.state.quests.get(self.quest_id) or QuestProgress()
        quests = {**held.state.quests, self.quest_id: entry.model_copy(update={"count": count})}
        return self.profiles.save(
            UserChange(before=held, state=held.state.model_copy(update={"quests": quests}), now=NOW)
        )

    def paid(self) -> dict[str, int]:
        return {u: s.state.xp for u, s in self.profiles.stored.items() if s.state.xp}


def test_contributors_are_paid_once_when_the_team_reaches_the_target() -> None:
    world = World(quest())
    assert world.service.after_apply(world.count("ann", 6)) == 0
    assert world.service.after_apply(world.count("dee", 9)) == 0  # another team
    seen = world.service.progress("trio", "ann").quests[0]
    assert (seen.progress, seen.target, seen.contributors, seen.completed) == (6, 10, 1, False)

    image = world.count("bob", 4)
    assert world.service.after_apply(image) == 2  # trio: 10 = the target
    assert world.service.after_apply(image) == 0  # redelivered
    assert world.paid() == {"ann": 40, "bob": 40}  # cy did not count
    events = [e.type for _, _, drafts in world.profiles.outbox for e in drafts]
    # Each payment's events, then its wallet entry's (the default data: 10 gems for a quest).
    assert events == ["xp.awarded", "quest.completed", "wallet.entry_posted"] * 2
    seen = world.service.progress("trio", "cy").quests[0]
    assert (seen.progress, seen.contributors, seen.completed, seen.you_were_paid) == (
        10,
        2,
        True,
        False,
    )

    assert world.service.after_apply(world.count("cy", 1)) == 1  # a late contributor
    assert world.service.after_apply(world.count("cy", 2)) == 0
    assert world.paid() == {"ann": 40, "bob": 40, "cy": 40}


def test_pay_members_pays_every_member_also_the_idle_ones() -> None:
    world = World(quest("members"))
    world.service.after_apply(world.count("ann", 10))
    assert world.paid() == {"ann": 40, "bob": 40, "cy": 40}
    assert "dee" not in world.paid()


def test_a_leaver_keeps_their_contribution_and_stops_counting() -> None:
    world = World(quest())
    world.service.after_apply(world.count("ann", 4))
    world.teams.leave("trio", "ann")
    world.service.after_apply(world.count("ann", 7))  # after leaving: not counted
    assert world.service.progress("trio", "bob").quests[0].progress == 4
    world.service.after_apply(world.count("bob", 6))  # 4 + 6: reached
    assert world.paid() == {"ann": 40, "bob": 40}  # the leaver contributed: paid
    world.teams.join("trio", "ann", NOW, limit=10, by_admin=False)
    world.service.after_apply(world.count("ann", 8))  # rejoined: raised from 4 to 8, once
    assert world.service.progress("trio", "bob").quests[0].progress == 14
    assert world.paid() == {"ann": 40, "bob": 40}


def test_a_user_in_two_teams_is_paid_once() -> None:
    world = World(quest())
    world.teams.join("solo", "ann", NOW, limit=10, by_admin=False)
    assert world.service.after_apply(world.count("ann", 10)) == 1  # both teams reach it
    assert world.paid() == {"ann": 40}
    assert world.profiles.load("ann").state.quests["read-10"].completed_at == NOW


def test_solo_and_pair_quests_are_left_alone() -> None:
    world = World(quest(mode="solo"))
    assert world.service.after_apply(world.count("ann", 10)) == 0
    assert world.store.raises == 0


def test_only_members_see_a_teams_quests() -> None:
    world = World(quest())
    with pytest.raises(TeamError) as refused:
        world.service.progress("trio", "dee")
    assert refused.value.code == "not_a_member"
    with pytest.raises(TeamNotFoundError):
        world.service.progress("nope", "dee")


def test_the_notification_is_the_quest_completion() -> None:
    world = World(quest())
    world.service.after_apply(world.count("ann", 10))
    stored = world.profiles.load("ann")
    assert stored.state.quests["read-10"].completed_at == NOW
    _ = NotificationKind.QUEST_COMPLETED  # the same kind as a solo quest's (domain.notifications)


@pytest.mark.parametrize("pay", ["contributors", "members"])
def test_a_team_larger_than_the_bound_is_paid_in_steps_and_finished_by_the_sweep(
    pay: str,
) -> None:
    """250 payees: a commit walks ``COMMIT_STEP`` besides the committer (paid first), the
    sweep ``PAYOUT_STEP`` a step; the payout ends settled and closed, each payee paid once."""
    big = 250
    definition = parse_quest(
        {**quest(pay).model_dump(mode="json"), "criteria": {"type": "posts_read", "count": big}}
    )
    world = World(definition)
    world.teams.put(Team("big", "Big", max_members=1_000))
    users = [f"m{i:03d}" for i in range(big)]
    for user in users:
        world.teams.join("big", user, NOW, limit=10, by_admin=False)
    contributors = users if pay == "contributors" else users[:1]
    count = big // len(contributors)
    images = [world.count(user, count) for user in contributors]
    for image in images[:-1]:
        assert world.service.after_apply(image) == 0  # below the target
    last = images[-1]
    paid = world.service.after_apply(last)  # the committer first, then one bounded step
    assert last.state.user_id in world.paid()
    assert 1 < paid == len(world.paid()) <= 1 + COMMIT_STEP
    assert world.store.open_payouts() == [("big", "read-10")]
    again = world.service.after_apply(last)  # a redelivery goes on from the cursor
    assert 0 < again <= COMMIT_STEP
    assert len(world.paid()) == paid + again

    stops = iter([False, True, True])  # the sweep's time is up after one step
    step = world.service.sweep(lambda: next(stops))
    assert 0 < step <= PAYOUT_STEP
    assert len(world.paid()) == paid + again + step
    assert not world.store.standing("big", "read-10").settled

    left = big - len(world.paid())
    assert world.service.sweep(lambda: False) == left  # the rest
    assert set(world.paid()) == set(users)
    assert world.store.standing("big", "read-10").settled
    assert world.store.open_payouts() == []
    assert world.service.sweep(lambda: False) == 0
    assert sorted(u for u, _, _ in world.profiles.outbox) == users  # one payment each


CENTURION = parse_badge(
    {
        "id": "centurion",
        "name": "Centurion",
        "description": "Earn 100 XP.",
        "icon": "icons/centurion.svg",
        "criteria": {"type": "xp_total", "count": 100},
    }
)
EARNING = WalletRules(
    currencies=(Currency(id="gems", name="Gems"),),
    earning=(
        EarningRule(on=EarnOn.QUEST, currency="gems", amount=10),
        EarningRule(on=EarnOn.BADGE, currency="gems", amount=5),
        EarningRule(on=EarnOn.LEVEL, match="1", currency="gems", amount=3),
    ),
)
EARNING_RULES = RULES.with_badges(BadgeCatalog(badges=(CENTURION,))).model_copy(
    update={"wallet": EARNING}
)


class Crashing(FakeTeamQuestStore):
    """A store whose first ``paid`` hint and first cursor move are lost (the invocation
    crashed after the payment's commit, then after a page was paid): what follows replays."""

    def __init__(self, is_member: Callable[[str, str], bool]) -> None:
        super().__init__(is_member)
        self.crashes = {"mark_paid": 1, "advance": 1}

    def _crash(self, step: str) -> None:
        if self.crashes[step]:
            self.crashes[step] -= 1
            raise ConnectionError(f"injected: the {step} write was lost")

    def mark_paid(self, team_id: str, quest: QuestDefinition, user_id: str) -> None:
        self._crash("mark_paid")
        super().mark_paid(team_id, quest, user_id)

    def advance(
        self, team_id: str, quest: QuestDefinition, held: PayoutCursor, to: PayoutCursor
    ) -> bool:
        self._crash("advance")
        return super().advance(team_id, quest, held, to)


def test_a_payment_pays_as_a_solo_completion_once_under_redelivery_and_replay() -> None:
    """A team quest's payment goes through the solo completion (``complete_quest``): the reward,
    the badge the XP unlocks, the level-up announced, the wallet's ``quest``, ``badge`` and
    ``level`` credits, the same events; the payout's crashes (a lost ``paid`` hint, a lost
    cursor move) make the consumer redeliver and the step replay, and nobody is paid, credited
    or told twice."""
    world = World(quest(), EARNING_RULES, Crashing)
    for user, xp in (("ann", 80), ("bob", 0), ("cy", 0)):
        world.profiles.put(StoredUser(UserState.new(user).model_copy(update={"xp": xp})))
    world.service.after_apply(world.count("ann", 4))
    world.service.after_apply(world.count("bob", 3))
    completing = world.count("cy", 3)  # 10: the target
    with pytest.raises(ConnectionError):  # cy paid, its hint lost: the records fail
        world.service.after_apply(completing)
    with pytest.raises(ConnectionError):  # redelivered: ann and bob paid, the cursor move lost
        world.service.after_apply(completing)
    assert world.service.after_apply(completing) == 0  # the page replayed: all paid already
    assert world.service.after_apply(world.count("ann", 5)) == 0  # a later commit
    assert world.service.sweep(lambda: False) == 0
    assert world.store.open_payouts() == []
    assert world.store.standing("trio", "read-10").settled

    for user in ("ann", "bob", "cy"):
        commits = [events for who, _, events in world.profiles.outbox if who == user]
        assert len(commits) == 1, user  # one payment commit each
        state = world.profiles.load(user).state
        assert state.quests["read-10"].completed_at == NOW
        credits = [(e.kind, e.ref, e.amount) for e in world.profiles.ledger[user]]
        assert credits.count(("quest", "quest_reward#read-10", 10)) == 1, user
        assert state.wallet.balance("gems") == sum(amount for _, _, amount in credits)
    assert world.profiles.load("bob").state.xp == 40  # 0 + 40: no level, no badge
    assert [(e.kind, e.ref) for e in world.profiles.ledger["bob"]] == [
        ("quest", "quest_reward#read-10")
    ]

    ann = world.profiles.load("ann").state  # 80 + 40: level 1 and the XP badge
    assert (ann.xp, ann.level, set(ann.badges)) == (120, 1, {"centurion"})
    assert ann.wallet.balance("gems") == 10 + 5 + 3
    (events,) = [events for who, _, events in world.profiles.outbox if who == "ann"]
    posted = [e.fact for e in events if e.type == "wallet.entry_posted"]
    assert [(e.type, e.fact) for e in events if e.type != "wallet.entry_posted"] == [
        ("xp.awarded", "quest_reward#read-10"),
        ("badge.earned", "centurion"),
        ("quest.completed", "read-10"),
        ("level.changed", "1"),
    ]
    assert posted == [str(entry.seq) for entry in world.profiles.ledger["ann"]]  # one an entry
    assert events[0].data["activity_type"] == "quest_reward"
    told = [n.kind for n in world.profiles.notifications["ann"]]
    assert sorted(told) == sorted(
        [NotificationKind.QUEST_COMPLETED, NotificationKind.BADGE_EARNED, NotificationKind.LEVEL_UP]
    )


def test_a_payee_in_the_control_group_is_paid_but_not_told() -> None:
    """As a solo or a pair completion: the control group plays invisibly."""
    world = World(quest())
    control = UserState.new("ann").model_copy(
        update={"experiment": Assignment(group="control", salt="s1")}
    )
    world.profiles.put(StoredUser(control))
    world.service.after_apply(world.count("ann", 6))
    world.service.after_apply(world.count("bob", 4))
    assert world.paid() == {"ann": 40, "bob": 40}
    assert not world.profiles.notifications.get("ann")
    assert [n.kind for n in world.profiles.notifications["bob"]] == [
        NotificationKind.QUEST_COMPLETED
    ]
    ann = [e.type for who, _, events in world.profiles.outbox if who == "ann" for e in events]
    assert ann == ["xp.awarded", "quest.completed", "wallet.entry_posted"]  # paid, as treatment
