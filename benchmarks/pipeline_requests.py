"""AWS requests (and the projector's Redis round trips) per processed activity, ours vs a
seed-style consumer, and the DynamoDB capacity units they are billed (write and read units per
activity) for users with short and long histories.

Counts, not timings: every request the consumer makes is counted by a botocore hook on moto, so
the figures are exact and do not depend on how busy this machine is. The seed's consumer did one
read, one query per badge and one write per event; ours reads each user once per batch and
commits once per user, so its cost must not grow with the number of badges.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import redis
from moto import mock_aws

from benchmarks.capacity import Capacity, metering
from benchmarks.histories import (
    EPOCH,
    EVERY_CAP,
    MODERATE,
    PERSONAS,
    Persona,
    after,
    day_of_activities,
    live_quests,
)
from gamification.adapters.dead_letters import DeadLetterQueue
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.player_directory import profile_score
from gamification.adapters.user_repository import UserRepository
from gamification.domain.activity import Activity
from gamification.domain.badges import BadgeCatalog, BadgeDefinition
from gamification.domain.catalog import Reporter, load_event_catalog
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.quests import MAX_QUESTS, QuestCatalog
from gamification.domain.state import UserState
from gamification.local import moto_patches
from gamification.local.provision import provision
from gamification.local.redis_server import RedisServer
from gamification.services.applier import ActivityApplier
from gamification.services.consumer import QueueConsumer
from gamification.services.projector import LeaderboardProjector

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
MIX: tuple[tuple[str, int], ...] = (
    ("post_read", 70),
    ("post_completed", 15),
    ("comment_left", 10),
    ("challenge_solved", 5),
)
BATCH_SIZE = 10
BATCHES = 20


def badges(count: int) -> BadgeCatalog:
    """``count`` realistic definitions spread over every criterion type."""
    kinds: list[Callable[[int], dict[str, Any]]] = [
        lambda n: {"type": "posts_read", "count": n},
        lambda n: {"type": "xp_total", "count": 50 * n},
        lambda n: {"type": "streak", "count": n},
        lambda n: {"type": "event_count", "event_type": "comment_left", "count": n},
        lambda n: {"type": "level_reached", "level": n},
    ]
    return BadgeCatalog(
        badges=tuple(
            BadgeDefinition.model_validate(
                {
                    "id": f"b{i}",
                    "name": f"Badge {i}",
                    "description": "bench",
                    "icon": "x.svg",
                    "criteria": kinds[i % len(kinds)](1 + i // len(kinds)),
                }
            )
            for i in range(count)
        )
    )


@dataclass(frozen=True)
class Message:
    message_id: str
    body: str


def quests(count: int) -> QuestCatalog:
    """``count`` quests live over the whole run, small targets, so many complete (each
    completion is part of the same commit, never a request of its own)."""
    return live_quests(count, START - timedelta(days=1), START + timedelta(days=30), target=1)


def batches(users_per_batch: int, seed: int = 7) -> list[list[Message]]:
    """Batches of 10 activities from ``users_per_batch`` users, ~5% of them redeliveries."""
    rng = random.Random(seed)
    types, weights = zip(*MIX, strict=True)
    out: list[list[Message]] = []
    sent: list[Message] = []
    for b in range(BATCHES):
        users = [f"user-{b % 5}-{u}" for u in range(users_per_batch)]
        batch: list[Message] = []
        for i in range(BATCH_SIZE):
            if sent and rng.random() < 0.05:
                batch.append(rng.choice(sent))  # at-least-once: a repeat
                continue
            kind = rng.choices(types, weights)[0]
            at = START + timedelta(days=b // 4, minutes=i)
            activity = Activity(
                user_id=users[i % users_per_batch],
                type=kind,
                object_id=f"{kind}-{b}-{i}",
                occurred_at=at,
                received_at=at,
                source=Reporter.SERVICE if kind == "challenge_solved" else Reporter.CLIENT,
            )
            message = Message(f"m-{b}-{i}", activity.model_dump_json())
            batch.append(message)
            sent.append(message)
        out.append(batch)
    return out


@contextmanager
def counting(client: Any) -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()

    def count(event_name: str, **_: Any) -> None:
        counts[event_name.rsplit(".", 1)[-1]] += 1

    client.meta.events.register("before-call.*.*", count)
    yield counts
    client.meta.events.unregister("before-call.*.*", count)


class CountingRedis(redis.Redis):
    """Counts round trips: one per command sent alone, one per pipeline execute."""

    round_trips = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.round_trips += 1
        return super().execute_command(*args, **options)  # type: ignore[no-untyped-call]

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        pipe = super().pipeline(transaction, shard_hint)
        original = pipe.execute

        def execute(raise_on_error: bool = True) -> Any:
            CountingRedis.round_trips += 1
            return original(raise_on_error)

        pipe.execute = execute  # type: ignore[method-assign]
        return pipe


def run_ours(
    rules: GameRules, work: Sequence[Sequence[Message]], redis_url: str
) -> dict[str, float]:
    with mock_aws():
        stack = provision("bench")
        dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
        client = CountingRedis.from_url(redis_url, decode_responses=True)
        client.flushdb()
        clock = lambda: START + timedelta(days=7)  # noqa: E731
        applier = ActivityApplier(UserRepository(dynamodb, stack.table_name), lambda: rules, clock)
        consumer = QueueConsumer(applier, DeadLetterQueue(sqs, stack.dlq_url), lambda: rules)
        projector = LeaderboardProjector(Leaderboard(client), clock, profile_score)
        stream = StreamImages(stack.table_name)
        CountingRedis.round_trips = 0
        with counting(dynamodb) as ddb, counting(sqs) as queue:
            for batch in work:
                consumer.consume(batch)
                projector.project(stream.read())  # its round trips count as Redis
        activities = sum(len(b) for b in work)
        return {
            "dynamodb": sum(ddb.values()) / activities,
            "sqs": sum(queue.values()) / activities,
            "redis": CountingRedis.round_trips / activities,
        }


class StreamImages:
    """The table's stream as new images (what the projector's event source delivers)."""

    def __init__(self, table_name: str) -> None:
        from boto3.dynamodb.types import TypeDeserializer

        # botocore sends DynamoDB Streams calls to an account-based endpoint moto does not route.
        self._client = boto3.client(
            "dynamodbstreams", endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com"
        )
        arn = self._client.list_streams(TableName=table_name)["Streams"][0]["StreamArn"]
        shard = self._client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        self._iterator = self._client.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        self._decode = TypeDeserializer().deserialize

    def read(self) -> list[dict[str, Any]]:
        response = self._client.get_records(ShardIterator=self._iterator)
        self._iterator = response["NextShardIterator"]
        return [
            {k: self._decode(v) for k, v in r["dynamodb"].get("NewImage", {}).items()}
            for r in response["Records"]
        ]


def run_seed_style(rules: GameRules, work: Sequence[Sequence[Message]]) -> dict[str, float]:
    """The seed's consumer: per event one read, one count query per badge, one write."""
    with mock_aws():
        stack = provision("seed")
        dynamodb = boto3.client("dynamodb")
        with counting(dynamodb) as ddb:
            for batch in work:
                for message in batch:
                    activity = Activity.model_validate_json(message.body)
                    key = to_item({"PK": f"USER#{activity.user_id}", "SK": "PROFILE"})
                    dynamodb.get_item(TableName=stack.table_name, Key=key)
                    for _ in rules.badges:
                        dynamodb.query(
                            TableName=stack.table_name,
                            KeyConditionExpression="PK = :pk",
                            ExpressionAttributeValues=to_item({":pk": key["PK"]["S"]}),
                            Select="COUNT",
                        )
                    dynamodb.put_item(TableName=stack.table_name, Item={**key, "xp": {"N": "1"}})
        activities = sum(len(b) for b in work)
        return {"dynamodb": sum(ddb.values()) / activities, "sqs": 0.0, "redis": 0.0}


def _consumer(stack: Any, dynamodb: Any, rules: GameRules, now: datetime) -> QueueConsumer:
    sqs = boto3.client("sqs")
    applier = ActivityApplier(
        UserRepository(dynamodb, stack.table_name), lambda: rules, lambda: now
    )
    return QueueConsumer(applier, DeadLetterQueue(sqs, stack.dlq_url), lambda: rules)


ACTIVITIES_PER_USER = {1: 82, 10: 10}
"""A whole capped day for one user; the first 10 of it for each of 10 users (moto copies the
table on every transaction, so a larger run mostly measures moto)."""


QUEST_PERSONA = Persona("30-day reader with 100 live quests", 30, MODERATE)
"""A user with quests under way, at the bound: the moderate reader with ``MAX_QUESTS`` quests
live over the whole history and the measured day, targets of 150 to 750 reads, comments or
(x 20) XP, so some are done, some complete on the measured day and the rest stay in progress on
the profile."""


def quest_rules(rules: GameRules, persona: Persona) -> GameRules:
    """``rules`` with the quest persona's quests (live from before its history to after)."""
    live = live_quests(
        MAX_QUESTS,
        EPOCH - timedelta(days=1),
        EPOCH + timedelta(days=persona.days + 30),
        target=150,
    )
    return rules.with_quests(live)


_HISTORIES: dict[str, UserState] = {}


def _history(persona: Persona, rules: GameRules) -> UserState:
    """A persona's state after its history (computed once: a year takes seconds)."""
    if persona.name not in _HISTORIES:
        _HISTORIES[persona.name] = after("template", persona.days, persona.per_day, rules, EPOCH)
    return _HISTORIES[persona.name]


def capacity_per_activity(persona: Persona, users: int, rules: GameRules) -> Capacity | str:
    """Units billed while ``users`` users with ``persona``'s history send the next day at every
    cap, in SQS batches of 10: one user per batch, or one activity of each of 10 users per batch.
    The history is stored as the domain left it (see ``histories``)."""
    moto_patches.install()  # moto's own transactions copy the table per item: minutes here
    today = EPOCH + timedelta(days=persona.days)
    template = _history(persona, rules)
    ids = [f"{persona.name.split()[0]}-user-{n:02d}" for n in range(users)]
    rng = random.Random(3)
    days = {u: day_of_activities(u, today, EVERY_CAP) for u in ids}
    for activities in days.values():
        rng.shuffle(activities)
        del activities[ACTIVITIES_PER_USER[users] :]
    with mock_aws():
        stack = provision("capacity")
        dynamodb = boto3.client("dynamodb")
        repository = UserRepository(dynamodb, stack.table_name)
        if persona.days:
            for u in ids:
                state = template.model_copy(update={"user_id": u})
                item = repository.profile_item(state, 1, today, today)
                try:
                    dynamodb.put_item(TableName=stack.table_name, Item=item)
                except dynamodb.exceptions.ClientError as error:
                    return f"cannot store the profile: {error.response['Error']['Message']}"
        consumer = _consumer(stack, dynamodb, rules, today + timedelta(hours=23))
        if users == 1:
            stream = days[ids[0]]
        else:
            stream = [a for group in zip(*days.values(), strict=True) for a in group]
        batches = [stream[i : i + BATCH_SIZE] for i in range(0, len(stream), BATCH_SIZE)]
        with metering(dynamodb) as meter:
            for n, batch in enumerate(batches):
                consumer.consume(
                    [Message(f"c-{n}-{i}", a.model_dump_json()) for i, a in enumerate(batch)]
                )
        meter.write_units /= len(stream)
        meter.read_units /= len(stream)
        meter.requests /= len(stream)
        meter.write_units_by_kind = {
            k: v / len(stream) for k, v in meter.write_units_by_kind.items()
        }
        return meter


def run_capacity() -> list[str]:
    shipped = default_game_rules()
    lines = [
        "",
        "## DynamoDB capacity units per activity, as billed",
        "",
        "On top of the history shown, one user sends the next day at every cap (82 activities: "
        "50 reads, 20 completions, 10 comments, a challenge, a series) in SQS batches of 10; or "
        "10 such users send the first 10 of theirs, one activity of each user per batch. "
        "Write units: 1 per started KB of the larger of the old and new item, x2 in a "
        "transaction; read units: 1 per started 4 KB strongly consistent (1 for a missing item). "
        "The last history has the most quests a catalog holds live all along (QUEST_PERSONA).",
        "",
        "| history | batch of 10 from | requests/activity | write units/activity | of which "
        "markers / profile / day / notifications | read units/activity | largest item (bytes) |",
        "|---|---|---|---|---|---|---|",
    ]
    for persona in (*PERSONAS, QUEST_PERSONA):
        rules = quest_rules(shipped, persona) if persona is QUEST_PERSONA else shipped
        for users in (1, 10):
            measured = capacity_per_activity(persona, users, rules)
            who = "one user" if users == 1 else "10 users"
            if isinstance(measured, str):
                lines.append(f"| {persona.name} | {who} | - | - | - | - | {measured} |")
                continue
            kinds = measured.write_units_by_kind
            split = " / ".join(
                f"{kinds.get(kind, 0):.2f}" for kind in ("SEEN", "PROFILE", "DAY", "NOTIF")
            )
            lines.append(
                f"| {persona.name} | {who} | {measured.requests:.2f} "
                f"| {measured.write_units:.2f} | {split} "
                f"| {measured.read_units:.2f} | {measured.largest_item} |"
            )
    return lines


def run() -> str:
    events = load_event_catalog()
    lines = [
        "## AWS requests per processed activity (batches of 10, ~5% redeliveries)",
        "",
        "| consumer | users/batch | badges | DynamoDB req/activity | SQS req/activity "
        "| Redis round trips/activity |",
        "|---|---|---|---|---|---|",
    ]
    with RedisServer() as server:
        for badge_count in (20, 200):
            rules = GameRules(events=events, badges=badges(badge_count))
            for users in (1, 3, 10):
                work = batches(users)
                ours = run_ours(rules, work, server.url)
                lines.append(
                    f"| ours | {users} | {badge_count} | {ours['dynamodb']:.2f} "
                    f"| {ours['sqs']:.2f} | {ours['redis']:.2f} |"
                )
            if badge_count == 20:  # moto copies the table per transaction: one catalog size
                with_quests = rules.with_quests(quests(MAX_QUESTS))
                for users in (1, 10):
                    ours = run_ours(with_quests, batches(users), server.url)
                    lines.append(
                        f"| ours + {MAX_QUESTS} quests | {users} | {badge_count} "
                        f"| {ours['dynamodb']:.2f} | {ours['sqs']:.2f} | {ours['redis']:.2f} |"
                    )
            seed = run_seed_style(rules, batches(1))
            lines.append(f"| seed-style | any | {badge_count} | {seed['dynamodb']:.2f} | - | - |")
        lines += run_capacity()
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
