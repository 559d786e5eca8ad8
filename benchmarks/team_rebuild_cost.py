"""Team boards reconciliation (docs/teams.md#reconciliation): what one pass costs, measured on
moto and a real Redis, then scaled.

``USERS`` profiles written with the real item builder (as ``reconciliation_cost``), every user in
one team of ``TEAM_SIZE`` (joined through ``TeamRepository``: the real membership items), the
team boards in step (a first pass). A second pass is measured:

- DynamoDB: the ``Scan`` of the table is billed on every item it reads, before its filter
  (``capacity.metering`` bills the items a request returns, so the scan's units are computed
  here from the table's bytes: 4 KB per unit, halved as eventually consistent), twice a pass;
  the members' profiles (``BatchGetItem``), the directory (``Query``) and the catch-up's
  lookups are metered;
- Redis: ``INFO commandstats`` deltas per membership.

The table here holds profiles, teams and memberships only: a production table holds more items
per user (days, markers, ledger, notifications), and the scan grows with all of them, so the
scaled rows are given per GB of table too.
"""

from __future__ import annotations

import random
from typing import Any

import boto3
import redis
from moto import mock_aws

from benchmarks.capacity import KB, metering
from benchmarks.leaderboard_reads import server_commands
from benchmarks.reconciliation_cost import NOW, PRICE_PER_MILLION_READS, _populate, _states
from gamification.adapters import team_boards as boards_module
from gamification.adapters.dynamo_codec import item_size
from gamification.adapters.rebuild_lease import RebuildLease
from gamification.adapters.team_rebuild import ReconciledTeamBoards
from gamification.adapters.team_repository import TeamRepository
from gamification.adapters.team_truth import TeamTruthReader
from gamification.domain.teams import Team
from gamification.local import moto_patches
from gamification.local.provision import provision
from gamification.local.redis_server import RedisServer
from gamification.services.team_reconciliation import TeamBoardReconciler

USERS = 2_000
TEAM_SIZE = 100
SCALES = (1_000_000, 10_000_000)


def _table_bytes(dynamodb: Any, table: str) -> int:
    total, kwargs = 0, {"TableName": table}
    while True:
        response = dynamodb.scan(**kwargs)
        total += sum(item_size(i) for i in response["Items"])
        if not response.get("LastEvaluatedKey"):
            return total
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _measure(redis_url: str) -> dict[str, float]:
    with mock_aws():
        stack = provision("bench")
        dynamodb = boto3.client("dynamodb")
        _populate(dynamodb, stack.table_name)
        users = [s.user_id for s in _states(random.Random(3))]
        teams = TeamRepository(dynamodb, stack.table_name)
        for index, user in enumerate(users):
            team = f"team-{index // TEAM_SIZE:04d}"
            if index % TEAM_SIZE == 0:
                teams.put(Team(team, team, max_members=TEAM_SIZE))
            teams.join(team, user, NOW, limit=10, by_admin=True)
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        client.flushdb()
        cache = ReconciledTeamBoards(client)
        lease = RebuildLease(
            client, lease_key=boards_module.LEASE_KEY, progress_key=boards_module.PROGRESS_KEY
        )
        reconciler = TeamBoardReconciler(TeamTruthReader(dynamodb, stack.table_name), cache, lease)
        first = reconciler.run("check", NOW)  # the marker was missing: the boards built
        assert first.rebuild == "done", first
        before = server_commands(client)
        with metering(dynamodb) as meter:
            report = reconciler.run("full", NOW)
        commands = server_commands(client) - before
        assert report.rebuild == "done"
        assert report.memberships == USERS
        assert all(d.total == 0 for d in report.drift.values()), report.drift
        table = _table_bytes(dynamodb, stack.table_name)
        return {
            "table_bytes_per_user": table / USERS,
            "scan_units": 2 * table / (4 * KB) / 2 / USERS,
            "other_units": meter.read_units / USERS,
            "commands": commands / USERS,
            "memory": float(client.info("memory")["used_memory"]),
        }


def run() -> str:
    moto_patches.install()
    with RedisServer() as server:
        m = _measure(server.url)
    per_user = m["scan_units"] + m["other_units"]
    lines = [
        "## Team boards reconciliation: one pass (build and catch-up)",
        "",
        f"{USERS:,} users on moto, each in one team of {TEAM_SIZE} (real membership items), "
        f"the table {m['table_bytes_per_user']:.0f} B a user; a real Redis in step.",
        "",
        "| measured per user (one membership each) | value |",
        "|---|---|",
        f"| read units: the table's two `Scan`s (billed on every item read) "
        f"| {m['scan_units']:.4f} |",
        f"| read units: profiles, directory, lookups (metered) | {m['other_units']:.4f} |",
        f"| Redis commands | {m['commands']:.1f} |",
        "",
        "| users | read units a pass (this table's items) | $ a pass | a pass per GB of table "
        "(scan only) |",
        "|---|---|---|---|",
    ]
    per_gb = 2 * (1024**3) / (4 * KB) / 2
    for users in SCALES:
        units = users * per_user
        lines.append(
            f"| {users:,} | {units:,.0f} | {units * PRICE_PER_MILLION_READS / 1e6:.3f} "
            f"| {per_gb:,.0f} units (${per_gb * PRICE_PER_MILLION_READS / 1e6:.3f}) |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
