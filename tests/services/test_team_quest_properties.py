"""Team quests pay exactly once (issue #30): after any interleaving of counts earned, joins,
leaves and settlements (each commit's ``after_apply`` delivered any number of times, late, with
an older image, in any order), nobody is paid or notified twice for a quest, whichever of their
teams completes it; each team's progress is the sum of its contributions, each contribution at
most the member's count; and once every user's newest commit was settled and the sweep ran,
every current member's contribution is their count, and every payee of a team that reached the
target (contributors, plus for ``pay: "members"`` every member who stayed a member while its
payout was open) is paid. A payment is a solo quest's completion: one commit with the same
events (the XP badge and level-up of a payee it lifts past 100 XP), the wallet's ``quest``,
``badge`` and ``level`` credits in that commit's ledger entries, each once.

The payout walks in bounded steps (1 to 3 payees a commit, 1 to 3 a sweep step), the sweep runs
between commits and stops after any number of steps, and the store's state read may return an
older cursor (DynamoDB's eventually consistent read), so walkers race over the same page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.adapters.user_repository import StoredUser
from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.game_rules import default_game_rules
from gamification.domain.profile_records import UserChange
from gamification.domain.quests import QuestCatalog, QuestDefinition, QuestProgress, parse_quest
from gamification.domain.state import UserState
from gamification.domain.team_quests import PayoutCursor, TeamQuestStanding
from gamification.domain.teams import Team
from gamification.domain.wallet import Currency, EarningRule, EarnOn, WalletRules
from gamification.services.team_quests import TeamQuests
from tests.fakes.profiles import FakeProfiles
from tests.fakes.team_quests import FakeTeamQuestStore
from tests.fakes.teams import FakeTeamStore

START = datetime(2026, 11, 30, 8, tzinfo=UTC)
CENTURION = parse_badge(
    {
        "id": "centurion",
        "name": "Centurion",
        "description": "Earn 100 XP.",
        "icon": "icons/centurion.svg",
        "criteria": {"type": "xp_total", "count": 100},
    }
)
RULES = (
    default_game_rules()
    .with_badges(BadgeCatalog(badges=(CENTURION,)))
    .model_copy(
        update={
            "wallet": WalletRules(
                currencies=(Currency(id="gems", name="Gems"),),
                earning=(
                    EarningRule(on=EarnOn.QUEST, currency="gems", amount=10),
                    EarningRule(on=EarnOn.BADGE, currency="gems", amount=5),
                    EarningRule(on=EarnOn.LEVEL, match="1", currency="gems", amount=3),
                ),
            )
        }
    )
)
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


class LaggingStore(FakeTeamQuestStore):
    """The fake store whose state read may return an older cursor of the payout (as an
    eventually consistent read can), chosen by ``lag``."""

    def __init__(self, teams: FakeTeamStore, lag: st.DataObject) -> None:
        super().__init__(teams.is_member)
        self._lag = lag
        self.seen: dict[tuple[str, str], list[PayoutCursor]] = {}

    def standing(self, team_id: str, quest_id: str) -> TeamQuestStanding:
        held = super().standing(team_id, quest_id)
        history = self.seen.setdefault((team_id, quest_id), [])
        if not history or history[-1] != held.cursor:
            history.append(held.cursor)
        if held.settled or not self._lag.draw(st.booleans(), label="stale read"):
            return held
        return replace(held, cursor=self._lag.draw(st.sampled_from(history), label="cursor"))


def earn(profiles: FakeProfiles, user: str, n: int, now: datetime) -> StoredUser:
    held = profiles.load(user)
    entry = held.state.quests.get("climb") or QuestProgress()
    quests = {**held.state.quests, "climb": entry.model_copy(update={"count": entry.count + n})}
    return profiles.save(
        UserChange(before=held, state=held.state.model_copy(update={"quests": quests}), now=now)
    )


@settings(max_examples=150, deadline=None)
@given(st.data(), st.integers(1, 12), st.sampled_from(["contributors", "members"]))
def test_team_quests_pay_each_payee_exactly_once(
    data: st.DataObject, target: int, pay: str
) -> None:
    definition = quest(target, pay)
    teams, profiles = FakeTeamStore(), FakeProfiles()
    for team in TEAMS:
        teams.put(Team(team, team.title(), max_members=10))
    store = LaggingStore(teams, data)
    now = [START]
    rules = RULES.with_quests(QuestCatalog(quests=(definition,)))
    start_xp = {u: data.draw(st.sampled_from([0, 60]), label=f"{u} xp") for u in USERS}
    for user, xp in start_xp.items():  # 60 + 50: level 1 and the XP badge with the payment
        profiles.put(StoredUser(UserState.new(user).model_copy(update={"xp": xp})))
    service = TeamQuests(
        lambda: rules,
        store,
        teams,
        profiles,
        lambda: now[0],
        commit_step=data.draw(st.integers(1, 3), label="commit step"),
        payout_step=data.draw(st.integers(1, 3), label="payout step"),
    )
    images: list[StoredUser] = []
    stayed: dict[str, set[str]] = {}  # members throughout each team's open payout
    walked: dict[str, set[str]] = {}  # ... until it was settled

    def follow() -> None:
        for team in TEAMS:
            standing = store.standing(team, "climb")
            if team in walked or standing.reached_at is None:
                continue
            stayed[team] = stayed.get(team, set(teams.members(team))) & set(teams.members(team))
            if (team, "climb") not in store.open:
                walked[team] = stayed[team]

    def sweep(steps: int) -> None:
        left = [steps]

        def should_stop() -> bool:
            left[0] -= 1
            return left[0] < 0

        service.sweep(should_stop)

    for _ in range(data.draw(st.integers(0, 60))):
        now[0] += timedelta(minutes=1)
        action = data.draw(st.sampled_from(["earn", "toggle", "settle", "settle", "sweep"]))
        user = data.draw(st.sampled_from(USERS))
        if action == "earn":
            images.append(earn(profiles, user, data.draw(st.integers(1, 4)), now[0]))
        elif action == "toggle":
            team = data.draw(st.sampled_from(TEAMS))
            if teams.is_member(team, user):
                teams.leave(team, user)
            else:
                teams.join(team, user, now[0], limit=10, by_admin=False)
        elif action == "settle" and images:
            service.after_apply(data.draw(st.sampled_from(images)))  # any commit, again, late
        elif action == "sweep":
            sweep(data.draw(st.integers(0, 4)))
        follow()
    for image in data.draw(st.permutations(images)):
        service.after_apply(image)
        follow()
    for user in USERS:  # every user's newest commit settled last
        service.after_apply(profiles.load(user))
        follow()
    service.sweep(lambda: False)  # the schedule, once the team went quiet
    follow()
    assert store.open_payouts() == []  # every payout finished

    paid = [
        u for u in USERS if (e := profiles.load(u).state.quests.get("climb")) and e.completed_at
    ]
    outbox = [(u, [(e.type, e.fact) for e in events]) for u, _, events in profiles.outbox]
    assert sorted(u for u, _ in outbox) == paid  # one payment (one commit) per paid user
    for user, posted in outbox:  # a solo completion's events, credits and notifications, once
        state, crossed = profiles.load(user).state, start_xp[user] > 0
        events = [e for e in posted if e[0] != "wallet.entry_posted"]
        entries = [fact for kind, fact in posted if kind == "wallet.entry_posted"]
        assert entries == [str(entry.seq) for entry in profiles.ledger[user]]  # one an entry
        assert events == [("xp.awarded", "quest_reward#climb")] + (
            [("badge.earned", "centurion")] if crossed else []
        ) + [("quest.completed", "climb")] + ([("level.changed", "1")] if crossed else [])
        assert state.xp == start_xp[user] + 50
        credits = sorted((e.kind, e.ref) for e in profiles.ledger[user])
        assert credits == sorted(
            [("quest", "quest_reward#climb")]
            + ([("badge", "badge_earned#centurion"), ("level", "level#1")] if crossed else [])
        )
        assert state.wallet.balance("gems") == sum(e.amount for e in profiles.ledger[user])
        assert len(profiles.notifications[user]) == len(credits)  # quest, badge, level-up
    assert not set(profiles.ledger) - set(paid)
    counts = {
        u: (e.count if (e := profiles.load(u).state.quests.get("climb")) else 0) for u in USERS
    }
    for team in TEAMS:
        held = {c.user_id: c.count for c in store.contributions(team, "climb")}
        standing = store.standing(team, "climb")
        assert standing.progress == sum(held.values())
        assert all(0 < held[u] <= counts[u] for u in held)
        members = teams.members(team)
        assert all(held.get(u, 0) == counts[u] for u in members)  # members' newest counts
        if standing.progress >= target:
            assert standing.reached_at is not None
            assert set(held) <= set(paid), team
            assert standing.settled
            if pay == "members":  # who stayed a member while it paid; others once they count
                assert walked[team] <= set(paid), team
        else:
            assert standing.reached_at is None
