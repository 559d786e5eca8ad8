"""Writes per Redis key (hash slot) of the team boards in one second at 10,000 activities/s, with
10 % of the users in one team of 100,000 (issue #30's hot-key question). Counts, not timings.

The population: 1,000,000 users, 100,000 in the team ``big``, the other 900,000 in 9,000 teams
of 100 (every user in a team: the worst case for the boards across teams). One second: 10,000
activities from users drawn uniformly, so ≈ 1,000 come from ``big``'s members. The projector
sees them as DynamoDB Streams delivers them: the records of a user fall in one stream shard
(16 shards), and each shard's records reach one invocation in batches of up to
``PROJECTION.batch_size`` (500). ``TeamProjector`` then makes one Lua step per team touched in a
batch (``contribute``: one call, the batch's members of that team as rows) and one ``rank`` per
batch. A counting store records which keys each call writes.

Run alone with ``python -m benchmarks.team_hot_keys``.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from gamification.adapters.team_boards import RANK_SHARDS, rank_shard
from gamification.domain.boards import PlayerScore
from gamification.domain.periods import iso_week
from gamification.domain.teams import MemberScore, TeamStanding
from gamification.resources import PROJECTION
from gamification.services.team_projection import TeamProjector

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
USERS = 1_000_000
BIG = 100_000
TEAM_SIZE = 100
ACTIVITIES = 10_000
SHARDS = 16


def team_of(user: int) -> str:
    return "big" if user < BIG else f"t{(user - BIG) // TEAM_SIZE}"


class CountingStore:
    """``TeamBoardStore`` that counts calls and member rows per team slot and per board slot."""

    def __init__(self) -> None:
        self.team_calls: Counter[str] = Counter()
        self.team_rows: Counter[str] = Counter()
        self.rank_calls = 0
        self.rank_rows: Counter[int] = Counter()
        self.version = 0

    def teams_of(self, user_ids: Collection[str]) -> dict[str, set[str]]:
        return {u: {team_of(int(u))} for u in user_ids}

    def _standing(self, team_id: str, boards: Sequence[str]) -> TeamStanding:
        self.version += 1
        return TeamStanding(team_id, self.version, 1, dict.fromkeys(boards, 0))

    def admit(
        self, team_id: str, user_id: str, joined_at: datetime, boards: Sequence[str]
    ) -> TeamStanding:
        return self._standing(team_id, boards)

    def contribute(
        self, team_id: str, scores: Sequence[MemberScore], now: datetime
    ) -> TeamStanding:
        self.team_calls[team_id] += 1
        self.team_rows[team_id] += len(scores)
        return self._standing(team_id, sorted({b for s in scores for b in s.boards}))

    def leave(self, team_id: str, user_id: str, boards: Sequence[str]) -> TeamStanding:
        return self._standing(team_id, boards)

    def rank(self, standings: Sequence[TeamStanding], now: datetime) -> None:
        self.rank_calls += 1
        for standing in standings:
            self.rank_rows[rank_shard(standing.team_id)] += len(standing.totals)


def one_second(seed: int = 30) -> CountingStore:
    rng = random.Random(seed)
    week = iso_week(NOW)
    users = [rng.randrange(USERS) for _ in range(ACTIVITIES)]
    shards: dict[int, list[int]] = {}
    for user in users:
        shards.setdefault(zlib.crc32(str(user).encode()) % SHARDS, []).append(user)
    store = CountingStore()
    projector = TeamProjector(store, lambda _: None, lambda: NOW)
    size = PROJECTION.batch_size
    for records in shards.values():
        for start in range(0, len(records), size):
            projector.project_scores(
                PlayerScore(str(u), 100, NOW, weekly_xp={week: 50})
                for u in records[start : start + size]
            )
    return store


ROW_COMMANDS = 4
"""Per member row and board in ``_CONTRIBUTE``: ZSCORE, ZADD, INCRBY, ZADD (listed); plus one
ZSCORE of the membership per row."""
CALL_COMMANDS = 13
"""Per call: INCR version, the standing (GET, ZCARD, per board GET + ZRANGE), EXPIREATs."""
RANK_COMMANDS = 5
"""Per team and board in ``_RANK``: HGET, HSET, three ZADDs (EXPIREATs on a team's first
write only)."""


def commands(rows: int, calls: int, boards: int) -> int:
    """Redis commands the scripts run (an upper estimate: nothing skipped)."""
    return rows * (1 + ROW_COMMANDS * boards) + calls * CALL_COMMANDS


def run() -> str:
    store = one_second()
    big_calls, big_rows = store.team_calls["big"], store.team_rows["big"]
    small = max((t for t in store.team_calls if t != "big"), key=store.team_calls.__getitem__)
    busiest = max(store.rank_rows, key=store.rank_rows.__getitem__)
    boards = 2  # all-time and the running week, each with its three metric sets
    lines = [
        "### Team boards: writes per key at 10,000 activities/s, 10 % of users in one team",
        "",
        "| key (hash slot) | Lua calls/s | member rows/s | Redis commands/s (≈) |",
        "|---|---|---|---|",
        f"| `{{team:big}}` (100,000 members) | {big_calls} | {big_rows} | "
        f"{commands(big_rows, big_calls, boards):,} |",
        f"| `{{team:{small}}}` (busiest of 9,000 teams of 100) | {store.team_calls[small]} | "
        f"{store.team_rows[small]} | "
        f"{commands(store.team_rows[small], store.team_calls[small], boards):,} |",
        f"| `{{teams:{busiest}}}` (busiest of the {RANK_SHARDS} slots of the boards across "
        f"teams) | {store.rank_rows[busiest]:,} (`_RANK` scripts, in {store.rank_calls} "
        f"pipelines) | — | {store.rank_rows[busiest] * RANK_COMMANDS:,} |",
        f"| the same in one slot (unsharded) | {sum(store.rank_rows.values()):,} | — | "
        f"{sum(store.rank_rows.values()) * RANK_COMMANDS:,} |",
        "",
        f"Without batching per team (one step per activity) `{{team:big}}` would take "
        f"{big_rows} calls/s: the batch cuts it to {big_calls} (one per invocation that "
        f"holds a member).",
    ]
    assert big_rows > 0, "no activity of the big team's members was projected"
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
