"""DynamoDB requests and units of the follow graph and friend streaks (issue #29), on moto.

Every graph request is recorded as it is sent (botocore's ``provide-client-params`` event),
and every item it touches is sized as stored, with 128-byte user ids (the longest allowed), by
``dynamo_codec.item_size``. Units follow DynamoDB's on-demand rules: a write unit per started
KB, twice inside a transaction (a ``ConditionCheck`` counted like a write, the conservative
reading); a read unit per started 4 KB, half for an eventually consistent read.

Run alone with ``python -m benchmarks.friend_units``.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import item_size, to_item
from gamification.adapters.follow_graph import FollowGraph
from gamification.adapters.friend_notice_ledger import FriendNoticeLedger
from gamification.adapters.pair_quest_links import PairQuestLinks
from gamification.adapters.user_repository import UserRepository
from gamification.domain.domain_events import friend_followed, friend_streak_event
from gamification.domain.follows import MAX_FOLLOWING
from gamification.domain.friend_streak_notices import NoticeKind, plan_friend_notices
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import StreakTrack
from gamification.local.provision import provision

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def _id(name: str) -> str:
    return name.ljust(128, "x")


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append((model.name, params))


def _write_units(client: Any, table: str, params: dict[str, Any]) -> tuple[int, int]:
    """(items, write units) of one TransactWriteItems, each item sized as stored now (or as
    put), at least 1 KB started."""
    units = 0
    for entry in params["TransactItems"]:
        ((kind, body),) = entry.items()
        if kind == "Put":
            size = item_size(body["Item"])
        else:
            found = client.get_item(TableName=table, Key=body["Key"]).get("Item")
            size = item_size(found) if found else item_size(body["Key"])
        units += 2 * max(1, math.ceil(size / 1024))
    return len(params["TransactItems"]), units


def run() -> str:
    with mock_aws():
        stack = provision("friends")
        client = boto3.client("dynamodb")
        recorder = Recorder()
        client.meta.events.register("provide-client-params.dynamodb", recorder)
        graph = FollowGraph(client, stack.table_name)
        ann, bob = _id("ann"), _id("bob")
        rows: list[tuple[str, str, str]] = []

        def measure(label: str, action: Any) -> None:
            recorder.calls.clear()
            action()
            calls = list(recorder.calls)
            recorder.calls.clear()
            writes, items, reads = 0, 0, 0.0
            names = []
            for name, params in calls:
                names.append(name)
                if name == "TransactWriteItems":
                    n, u = _write_units(client, stack.table_name, params)
                    items, writes = items + n, writes + u
                elif name == "BatchGetItem":
                    for spec in params["RequestItems"].values():
                        weight = 1.0 if spec.get("ConsistentRead") else 0.5
                        reads += weight * len(spec["Keys"])  # each ≤ 4 KB
                elif name == "Query":
                    reads += 1.0 if params.get("ConsistentRead") else 0.5  # ≤ 4 KB read
            recorder.calls.clear()
            rows.append(
                (
                    label,
                    " + ".join(names),
                    f"{items} items, {writes} WRU; {reads:g} RRU",
                )
            )

        # The follower has a profile (a player): the follow's friend.followed rides it.
        UserRepository(client, stack.table_name).update_settings(
            ann, lambda s: s.model_copy(update={"display_name": "N" * 64}), NOW
        )
        told = [friend_followed(bob, False, NOW)]
        measure("follow (new, with its event)", lambda: graph.follow(ann, bob, NOW, told))
        # The service reads the relation first and skips a repeat; the adapter's transaction on an
        # existing edge is cancelled, which DynamoDB still bills.
        measure("follow (repeat sent anyway: cancelled)", lambda: graph.follow(ann, bob, NOW))
        measure("unfollow", lambda: graph.unfollow(ann, bob))
        graph.follow(ann, bob, NOW)
        graph.follow(bob, ann, NOW)
        measure("block (both follow each other)", lambda: graph.block(ann, bob, NOW))
        measure("unblock", lambda: graph.unblock(ann, bob))
        graph.follow(ann, bob, NOW)
        graph.follow(bob, ann, NOW)
        pairs = PairQuestLinks(client, stack.table_name)
        measure(
            "pair quest: pair",
            lambda: pairs.pair(ann, bob, "q" * 64, NOW, NOW + timedelta(days=30)),
        )
        measure(
            "block (both follow, one pair quest: both sides end with it)",
            lambda: graph.block(ann, bob, NOW),
        )
        graph.unblock(ann, bob)
        measure("friend streak: invite", lambda: graph.invite_streak(ann, bob, NOW))
        measure(
            "friend streak: accept",
            lambda: graph.accept_streak(bob, ann, date(2026, 12, 3), NOW),
        )
        measure(
            "notices: links of a user with none (each user loaded by the reminder worker)",
            lambda: graph.streak_links(_id("cat")),
        )
        notices = _notices(ann, bob)
        ledger = FriendNoticeLedger(client, stack.table_name)
        client.put_item(
            TableName=stack.table_name,
            Item=to_item({"PK": keys.user_pk(bob), "SK": keys.PROFILE_SK, "version": 1}),
        )
        risk = next(n for n in notices if n.kind is NoticeKind.AT_RISK)
        milestone = next(n for n in notices if n.kind is NoticeKind.MILESTONE)
        measure("notices: guards of 3 notices (one pair)", lambda: ledger.already_sent(notices))
        measure("notice: at-risk reminder (+ profile check)", lambda: ledger.record(risk, 1))
        event = friend_streak_event(milestone, NOW)
        assert event is not None
        measure(
            "notice: milestone or break (one recipient, with its event)",
            lambda: ledger.record(milestone, None, [event]),
        )
        measure(
            "notice: a repeat (guard exists: cancelled)", lambda: ledger.record(milestone, None)
        )
        notice_item = max(
            item_size(i)
            for i in client.query(
                TableName=stack.table_name,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.user_pk(bob)}),
            )["Items"]
        )
        client.meta.events.unregister("provide-client-params.dynamodb", recorder)

        largest = max(
            item_size(i)
            for pk in (keys.graph_pk(ann), keys.graph_pk(bob))
            for i in client.query(
                TableName=stack.table_name,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues=to_item({":pk": pk}),
            )["Items"]
        )
        fan = _id("fan")
        for n in range(MAX_FOLLOWING):
            client.put_item(
                TableName=stack.table_name,
                Item=to_item(
                    {
                        "PK": keys.graph_pk(fan),
                        "SK": keys.following_sk(_id(f"u{n:04d}")),
                        "user_id": _id(f"u{n:04d}"),
                        "at": NOW.isoformat(),
                    }
                ),
            )
        raw = client.query(
            TableName=stack.table_name,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues=to_item({":pk": keys.graph_pk(fan), ":p": "OUT#"}),
        )
        pages, total = 1, sum(item_size(i) for i in raw["Items"])
        start = raw.get("LastEvaluatedKey")
        while start is not None:
            more = client.query(
                TableName=stack.table_name,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                ExpressionAttributeValues=to_item({":pk": keys.graph_pk(fan), ":p": "OUT#"}),
                ExclusiveStartKey=start,
            )
            total += sum(item_size(i) for i in more["Items"])
            pages += 1
            start = more.get("LastEvaluatedKey")
        followed = len(graph.followed_ids(fan))
        assert followed == MAX_FOLLOWING, followed
    lines = [
        "## Friends: DynamoDB requests and units (128-byte ids, on moto)",
        "",
        "Each operation as the adapter sends it (`adapters/follow_graph.py`); every item sized as "
        f"stored. Largest graph item: {largest} B (≤ 1 KB: one write unit, two in a "
        "transaction). A friend-streak day writes nothing: the length is derived from the two "
        "personal streak tracks on read (0 WRU a day). Friend streak notices: largest item "
        f"written (notification or guard, 64-character names) {notice_item} B; a cancelled "
        "transaction is billed like a written one, hence the guard read first.",
        "",
        "| operation | requests | units |",
        "|---|---|---|",
        *(f"| {label} | {names} | {units} |" for label, names, units in rows),
        f"| friend board: the follows of a user following {MAX_FOLLOWING:,} | {pages} Query "
        f"page(s), {total:,} B read | {math.ceil(total / 4096) / 2:g} RRU (eventually "
        "consistent) |",
    ]
    return "\n".join(lines)


def _notices(ann: str, bob: str) -> list[Any]:
    """Bob's at-risk reminder and the pair's 7-day milestone (for both), as planned."""
    days = [date(2026, 12, 3) - timedelta(days=d) for d in range(8)]

    def state(user_id: str, active: list[date]) -> UserState:
        track = StreakTrack()
        for day in active:
            track = track.with_day(day)
        settings = UserSettings(display_name="N" * 64, push_enabled=True)
        return UserState(user_id=user_id, settings=settings, streak=track)

    at = datetime(2026, 12, 3, 19, tzinfo=UTC)
    lead = timedelta(hours=6)
    return plan_friend_notices(state(bob, days[1:]), state(ann, days), days[-1], at, lead)


if __name__ == "__main__":
    print(run())
