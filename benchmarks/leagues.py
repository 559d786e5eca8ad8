"""Leagues: AWS requests per user for joining a cohort and for closing a week, billed units, and
the Redis round trips of a cohort-board read.

Counts, not timings (botocore hooks on moto, a socket-write counter on redis-py):

- **joining**: ``USERS`` users each send ``ACTIVITIES`` activities in one week (batches of 10,
  one user per batch), with leagues on and off; the difference is what joining costs per
  user-week (the seat counter's ``UpdateItem`` and the member item inside the user's
  transaction), and it must not depend on how many activities the user sends afterwards;
- **closing**: the close job over the same week (cohorts of 30), requests and write units per
  member; a second run (every user already closed) costs one checkpoint read per shard;
- **cohort board read**: ``GET /v1/me/league``'s service call, Redis round trips and DynamoDB
  requests, from the cache and from the table (incomplete cache).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import boto3
import redis
from moto import mock_aws

from benchmarks.capacity import metering
from benchmarks.leaderboard_reads import RoundTripCounter
from benchmarks.pipeline_requests import Message, StreamImages, counting
from gamification.adapters.board_schema import generation_key
from gamification.adapters.dead_letters import DeadLetterQueue
from gamification.adapters.leaderboard import Leaderboard, leagues_marker
from gamification.adapters.league_repository import CloseCheckpoints, LeagueRepository
from gamification.adapters.player_directory import profile_score
from gamification.adapters.user_repository import UserRepository
from gamification.domain.activity import Activity
from gamification.domain.catalog import Reporter
from gamification.domain.game_rules import default_game_rules
from gamification.domain.periods import iso_week
from gamification.local import moto_patches
from gamification.local.provision import provision
from gamification.local.redis_server import RedisServer
from gamification.services.applier import ActivityApplier
from gamification.services.consumer import QueueConsumer
from gamification.services.league_close import LeagueClose
from gamification.services.league_queries import LeagueQueries
from gamification.services.projector import LeaderboardProjector

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
USERS = 60
ACTIVITIES = (1, 10)


def _messages(user: str, count: int) -> list[list[Message]]:
    out = []
    for i in range(count):
        at = START + timedelta(hours=i)
        activity = Activity(
            user_id=user,
            type="post_read",
            object_id=f"{user}-p{i}",
            occurred_at=at,
            received_at=at,
            source=Reporter.CLIENT,
        )
        out.append(Message(f"{user}-{i}", activity.model_dump_json()))
    return [out[i : i + 10] for i in range(0, len(out), 10)]


def _join(activities: int, leagues_on: bool, redis_url: str) -> dict[str, object]:
    rules = default_game_rules()
    with mock_aws():
        stack = provision("bench")
        dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
        seats = LeagueRepository(dynamodb, stack.table_name) if leagues_on else None
        clock = lambda: START + timedelta(days=3)  # noqa: E731
        users = UserRepository(dynamodb, stack.table_name)
        applier = ActivityApplier(users, lambda: rules, clock, seats=seats)
        consumer = QueueConsumer(applier, DeadLetterQueue(sqs, stack.dlq_url), lambda: rules)
        with counting(dynamodb) as ddb, metering(dynamodb) as meter:
            for u in range(USERS):
                for batch in _messages(f"user-{u:03d}", activities):
                    consumer.consume(batch)
        result: dict[str, object] = {
            "requests": sum(ddb.values()) / USERS,
            "by_op": Counter({k: v / USERS for k, v in ddb.items()}),
            "write_units": meter.write_units / USERS,
        }
        if not leagues_on:
            return result
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        client.flushdb()
        LeaderboardProjector(Leaderboard(client), clock, profile_score).project(
            StreamImages(stack.table_name).read()
        )
        result["close"] = _close(dynamodb, stack.table_name, users, seats, rules)
        result["read"] = _read(dynamodb, client, users, seats, rules, clock)
        return result


def _close(
    dynamodb: object,
    table: str,
    users: UserRepository,
    seats: LeagueRepository | None,
    rules: object,
) -> dict[str, float]:
    assert seats is not None
    closer = LeagueClose(seats, users, CloseCheckpoints(dynamodb, table), rules=lambda: rules)  # type: ignore[arg-type,return-value]
    monday = START + timedelta(days=7, minutes=5)
    week = iso_week(START)
    with counting(dynamodb) as first, metering(dynamodb) as meter:
        closer.run(week, monday)
    with counting(dynamodb) as again:
        closer.run(week, monday + timedelta(hours=1))
    return {
        "requests": sum(first.values()) / USERS,
        "transactions": first["TransactWriteItems"] / USERS,
        "write_units": meter.write_units / USERS,
        "again": float(sum(again.values())),
    }


def _read(
    dynamodb: object,
    client: redis.Redis,
    users: UserRepository,
    seats: LeagueRepository | None,
    rules: object,
    clock: object,
) -> dict[str, float]:
    assert seats is not None
    queries = LeagueQueries(users, seats, Leaderboard(client), lambda: rules, clock)  # type: ignore[arg-type,return-value]
    marker = generation_key(leagues_marker(iso_week(START)))
    counter = RoundTripCounter()
    client.set(marker, "bench")
    queries.mine("user-000")  # warm the script cache
    with counter.active(), counting(dynamodb) as cached_ddb:
        view = queries.mine("user-000")
    cached_rt = counter.count
    client.delete(marker)
    counter = RoundTripCounter()
    with counter.active(), counting(dynamodb) as table_ddb:
        fallback = queries.mine("user-000")
    assert view.entries == fallback.entries
    assert view.source == "cache"
    return {
        "members": float(len(view.entries)),
        "cache_round_trips": float(cached_rt),
        "cache_dynamodb": float(sum(cached_ddb.values())),
        "table_round_trips": float(counter.count),
        "table_dynamodb": float(sum(table_ddb.values())),
    }


def run() -> str:
    moto_patches.install()
    lines = [
        "## Leagues: requests per user-week for joining and closing, cohort-board reads",
        "",
        f"{USERS} users in one week (cohorts of 30), one user per SQS batch of 10. DynamoDB "
        "requests and billed write units per user, with leagues off and on; the difference is "
        "the price of joining. Then the close job over that week, and a cohort-board read.",
        "",
        "| activities/user | leagues | DynamoDB req/user | of which UpdateItem (seat) "
        "| write units/user |",
        "|---|---|---|---|---|",
    ]
    with RedisServer() as server:
        measured = {}
        for activities in ACTIVITIES:
            for on in (False, True):
                result = _join(activities, on, server.url)
                measured[(activities, on)] = result
                by_op = result["by_op"]
                assert isinstance(by_op, Counter)
                lines.append(
                    f"| {activities} | {'on' if on else 'off'} | {result['requests']:.2f} "
                    f"| {by_op.get('UpdateItem', 0):.2f} | {result['write_units']:.2f} |"
                )
        close = measured[(10, True)]["close"]
        read = measured[(10, True)]["read"]
        assert isinstance(close, dict)
        assert isinstance(read, dict)
        lines += [
            "",
            "| close job (60 members, 2 cohorts) | value |",
            "|---|---|",
            f"| DynamoDB requests per member | {close['requests']:.2f} |",
            f"| of which transactions per member | {close['transactions']:.2f} |",
            f"| write units per member (result + notification, x2 in a transaction) "
            f"| {close['write_units']:.2f} |",
            f"| requests of a second run (week already closed) | {close['again']:.0f} |",
            "",
            f"| cohort board read ({read['members']:.0f} members) | Redis round trips "
            "| DynamoDB requests |",
            "|---|---|---|",
            f"| from the cache | {read['cache_round_trips']:.0f} | {read['cache_dynamodb']:.0f} |",
            f"| from the table (cache incomplete) | {read['table_round_trips']:.0f} "
            f"| {read['table_dynamodb']:.0f} |",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
