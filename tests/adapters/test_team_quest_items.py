"""Team-quest items on moto stay within the bounds docs/data-model.md#team-quests states, with
the longest ids (user 128 B, team 48, quest 64), every attribute set (the state while its payout
is open, with the longest cursor, and once settled); and the membership item
with its GSI1 keys within its bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from gamification.adapters.dynamo_codec import item_size
from gamification.adapters.team_quest_progress import TeamQuestTable
from gamification.adapters.team_repository import TeamRepository
from gamification.domain.quests import parse_quest
from gamification.domain.team_quests import PayoutCursor
from gamification.domain.teams import Team
from gamification.local.provision import Provisioned

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def test_the_longest_items_fit_their_bounds(aws: Provisioned) -> None:
    client = boto3.client("dynamodb")
    user, team = "u" * 128, "t" * 48
    quest = parse_quest(
        {
            "id": "q" * 64,
            "name": "Long",
            "description": "Longest ids.",
            "starts_at": (NOW - timedelta(days=1)).isoformat(),
            "ends_at": (NOW + timedelta(days=1)).isoformat(),
            "criteria": {"type": "posts_read", "count": 1},
            "reward_xp": 1,
            "mode": "team",
        }
    )
    teams, store = TeamRepository(client, aws.table_name), TeamQuestTable(client, aws.table_name)
    teams.put(Team(team, "T", max_members=10))
    teams.join(team, user, NOW, limit=10, by_admin=True)
    assert store.contribute(team, quest, user, 8_388_607) is True
    store.reach(team, quest, NOW)
    # While the payout is open: its GSI1 keys and the longest cursor (a shard and a user id).
    assert store.advance(team, quest, PayoutCursor(), PayoutCursor("contributors", f"15:{user}"))
    (state,) = client.scan(
        TableName=aws.table_name,
        FilterExpression="SK = :s",
        ExpressionAttributeValues={":s": {"S": "STATE"}},
    )["Items"]
    open_state = item_size(state)
    assert open_state <= 600, open_state
    store.mark_settled(team, quest)
    store.mark_paid(team, quest, user)

    items = client.scan(TableName=aws.table_name)["Items"]
    sizes: dict[str, int] = {}
    for item in items:
        pk, sk = item["PK"]["S"], item["SK"]["S"]
        kind = "membership" if pk.startswith("MEMBERSHIP#") and sk.startswith("TEAM#") else sk
        if pk.startswith(("TQUEST#", "MEMBERSHIP#")):
            kind = sk.split("#")[0] if pk.startswith("TQUEST#") else kind
            sizes[kind] = max(sizes.get(kind, 0), item_size(item))
    assert sizes["USER"] <= 300, sizes
    assert sizes["SUM"] <= 200, sizes
    assert sizes["STATE"] <= 250, sizes
    assert sizes["membership"] <= 500, sizes
