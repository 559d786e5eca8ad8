"""Requests per DynamoDB partition key of team quests in one second at 10,000 activities/s, with
10 % of the users in one team of 100,000 (issue #30's hot-key question, for team quests). Counts,
not timings.

The population of ``team_hot_keys``: 1,000,000 users, 100,000 in the team ``big``, the others in
9,000 teams of 100. One live team quest counts every activity (the worst case: each activity
raises its user's count), with a target no team reaches in the second. One second: 10,000
activities from users drawn uniformly (≈ 1,000 from ``big``'s members), each followed by the
consumer's ``TeamQuests.after_apply`` (the real service) on counting ports that record the
partition key of every request the DynamoDB adapter (``TeamQuestTable``) makes for that call.

Run alone with ``python -m benchmarks team_quest_hot_keys``.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from gamification.adapters import keys
from gamification.domain.game_rules import default_game_rules
from gamification.domain.profile_records import StoredUser, UserChange
from gamification.domain.quests import QuestCatalog, QuestDefinition, QuestProgress, parse_quest
from gamification.domain.state import UserState
from gamification.domain.team_quests import PayoutCursor, TeamContribution, TeamQuestStanding
from gamification.services.team_quests import TeamQuests

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
USERS = 1_000_000
BIG = 100_000
TEAM_SIZE = 100
ACTIVITIES = 10_000
QUEST = parse_quest(
    {
        "id": "together",
        "name": "Together",
        "description": "A team quest no team finishes in the second.",
        "starts_at": (NOW - timedelta(days=1)).isoformat(),
        "ends_at": (NOW + timedelta(days=6)).isoformat(),
        "criteria": {"type": "posts_read", "count": 10_000_000},
        "reward_xp": 40,
        "mode": "team",
    }
)
WRITE_UNITS = 2
"""Per item written in a transaction (≤ 1 KB: 1 unit, doubled for a transaction)."""


def team_of(user: str) -> str:
    number = int(user)
    return "big" if number < BIG else f"t{(number - BIG) // TEAM_SIZE}"


class CountingTable:
    """``TeamQuestStore`` recording, per partition key, the write and read units the DynamoDB
    adapter spends: a raise is a consistent ``GetItem`` of the contribution (1 read unit), then
    a transaction (the membership check, the contribution and the shard's sum: 2 write units
    each, the check's on the user's own partition); a standing one ``BatchGetItem`` of the
    state and the 16 sums (eventually consistent: 0.5 read units each)."""

    def __init__(self) -> None:
        self.writes: Counter[str] = Counter()
        self.reads: defaultdict[str, float] = defaultdict(float)
        self.counts: dict[tuple[str, str], int] = {}

    def contribution(self, team_id: str, quest_id: str, user_id: str) -> TeamContribution | None:
        held = self.counts.get((team_id, user_id))
        return None if held is None else TeamContribution(user_id, held)

    def contribute(self, team_id: str, quest: QuestDefinition, user_id: str, count: int) -> bool:
        shard = keys.team_quest_pk(team_id, quest.id, keys.team_quest_shard(user_id))
        self.reads[shard] += 1
        self.writes[keys.membership_pk(user_id)] += WRITE_UNITS  # a check bills as a write
        self.writes[shard] += 2 * WRITE_UNITS
        self.counts[(team_id, user_id)] = count
        return True

    def standing(self, team_id: str, quest_id: str) -> TeamQuestStanding:
        return self.standings(team_id, [quest_id])[quest_id]

    def standings(self, team_id: str, quest_ids: Sequence[str]) -> dict[str, TeamQuestStanding]:
        for quest_id in quest_ids:
            self.reads[keys.team_quest_pk(team_id, quest_id)] += 0.5
            for shard in range(keys.TEAM_QUEST_SHARDS):
                self.reads[keys.team_quest_pk(team_id, quest_id, shard)] += 0.5
        return {q: TeamQuestStanding(progress=1) for q in quest_ids}

    def reach(self, team_id: str, quest: QuestDefinition, now: datetime) -> datetime:
        raise AssertionError("no team reaches the target in this second")

    def mark_paid(self, team_id: str, quest: QuestDefinition, user_id: str) -> None: ...

    def mark_settled(self, team_id: str, quest: QuestDefinition) -> None: ...

    def contributions(self, team_id: str, quest_id: str) -> Iterator[TeamContribution]:
        return iter(())

    def contributions_page(
        self, team_id: str, quest_id: str, after: str | None, limit: int
    ) -> tuple[list[TeamContribution], str | None]:
        raise AssertionError("no payout walks in this second")

    def advance(
        self, team_id: str, quest: QuestDefinition, held: PayoutCursor, to: PayoutCursor
    ) -> bool:
        raise AssertionError("no payout walks in this second")

    def open_payouts(self) -> list[tuple[str, str]]:
        return []


class Roster:
    def memberships_of(self, user_id: str) -> list[str]:
        return [team_of(user_id)]

    def members(self, team_id: str) -> list[str]:
        return []

    def members_page(
        self, team_id: str, after: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        return [], None

    def is_member(self, team_id: str, user_id: str) -> bool:
        return team_of(user_id) == team_id

    def exists(self, team_id: str) -> bool:
        return True


class NoProfiles:
    def load(self, user_id: str, consistent: bool = True) -> StoredUser:
        raise AssertionError("nobody is paid in this second")

    def save(self, change: UserChange) -> StoredUser:
        raise AssertionError("nobody is paid in this second")


def one_second(seed: int = 30) -> CountingTable:
    rng = random.Random(seed)
    table = CountingTable()
    rules = default_game_rules().with_quests(QuestCatalog(quests=(QUEST,)))
    service = TeamQuests(lambda: rules, table, Roster(), NoProfiles(), lambda: NOW)
    counts: Counter[str] = Counter()
    for _ in range(ACTIVITIES):
        user = str(rng.randrange(USERS))
        counts[user] += 1
        state = UserState.new(user).model_copy(
            update={"quests": {QUEST.id: QuestProgress(count=counts[user])}}
        )
        service.after_apply(StoredUser(state, version=counts[user]))
    return table


def run() -> str:
    table = one_second()
    big = [k for k in table.writes if k.startswith(keys.team_quest_pk("big", QUEST.id) + "#")]
    busiest_shard = max(big, key=table.writes.__getitem__)
    state = keys.team_quest_pk("big", QUEST.id)
    small_state = max(
        (k for k in table.reads if k.count("#") == 2 and "#big#" not in k),
        key=table.reads.__getitem__,
    )
    raises_big = sum(table.writes[k] for k in big) // (2 * WRITE_UNITS)
    lines = [
        "### Team quests: DynamoDB units per partition key at 10,000 activities/s, 10 % of users"
        " in one team",
        "",
        "| partition key | write units/s | read units/s | DynamoDB's limit a partition |",
        "|---|---|---|---|",
        f"| `{busiest_shard}` (busiest of big's {keys.TEAM_QUEST_SHARDS} shards: "
        f"contributions and their sum) | {table.writes[busiest_shard]:,} | "
        f"{table.reads[busiest_shard]:,.0f} | 1,000 WCU, 3,000 RCU |",
        f"| `{state}` (big's state: reached, settled) | 0 | {table.reads[state]:,.0f} | "
        "3,000 RCU |",
        f"| `{small_state}` (busiest state of a team of 100) | 0 | "
        f"{table.reads[small_state]:,.0f} | 3,000 RCU |",
        "",
        f"`big`'s members raised their counts {raises_big:,} times in the second; one item "
        f"for the team would take {raises_big * 2 * WRITE_UNITS:,} write units/s (over the "
        "1,000 a partition takes), the shards take "
        f"≈ {table.writes[busiest_shard]:,} each. Every settlement reads the state and the "
        f"{keys.TEAM_QUEST_SHARDS} sums, so each of big's keys is read ≈ "
        f"{table.reads[state]:,.0f} units/s, within a partition's 3,000.",
    ]
    assert raises_big > 0, "no activity of the big team's members was counted"
    assert table.writes[busiest_shard] < 1_000, "a shard of the big team is over the limit"
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
