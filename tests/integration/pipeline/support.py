"""Builders for queue records, and the consumer and projector wired to moto and a real Redis."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import boto3
import redis

from gamification.adapters.dead_letters import DeadLetterQueue
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.league_repository import LeagueRepository
from gamification.adapters.player_directory import profile_score
from gamification.adapters.user_repository import DEFAULT_DAY_RETENTION, UserRepository
from gamification.domain.activity import Activity
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.profile_records import StoredUser
from gamification.domain.state import UserState
from gamification.domain.transition import Transition, apply_activities
from gamification.local.provision import Provisioned
from gamification.services.applier import ActivityApplier
from gamification.services.consumer import QueueConsumer
from gamification.services.projector import LeaderboardProjector
from tests.integration.jobs.support import Stream
from tests.strategies import Scenario

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
_ids = count(1)


@dataclass(frozen=True)
class Record:
    """The two fields of an SQS record the consumer reads."""

    message_id: str
    body: str


def activity(
    user_id: str = "alice",
    type_: str = "post_read",
    object_id: str = "post-1",
    at: datetime = NOW,
    source: str = "client",
) -> Activity:
    return Activity.model_validate(
        {
            "user_id": user_id,
            "type": type_,
            "object_id": object_id,
            "occurred_at": at,
            "received_at": at,
            "source": source,
        }
    )


def record(item: Activity | str) -> Record:
    body = item if isinstance(item, str) else item.model_dump_json()
    return Record(message_id=f"m-{next(_ids)}", body=body)


def sqs_event(records: Sequence[Record], queue_arn: str) -> dict[str, Any]:
    """An SQS event as Lambda's event source mapping delivers it."""
    return {
        "Records": [
            {
                "messageId": r.message_id,
                "receiptHandle": f"rh-{r.message_id}",
                "body": r.body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "0",
                    "SenderId": "test",
                    "ApproximateFirstReceiveTimestamp": "0",
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for r in records
        ]
    }


class Clock:
    """A controllable clock: tests move time explicitly."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Pipeline:
    users: UserRepository
    leaderboard: Leaderboard
    consumer: QueueConsumer
    applier: ActivityApplier
    clock: Clock
    dynamodb: Any
    sqs: Any
    projector: LeaderboardProjector
    stream: Stream
    leagues: LeagueRepository

    def stream_images(self) -> list[dict[str, Any]]:
        """New images of the stream records since the last call (profile writes and others),
        deserialized as Lambda's Powertools data class does."""
        return [new_image(r) for r in self.stream.read()]

    def project(self) -> int:
        """Deliver what the stream holds to the projector, in order, once."""
        return self.projector.project(self.stream_images())


def new_image(record: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    image = record["dynamodb"].get("NewImage", {})
    return {key: deserializer.deserialize(value) for key, value in image.items()}


def build_pipeline(
    aws: Provisioned,
    redis_client: redis.Redis,
    rules: GameRules | None = None,
    clock: Clock | None = None,
    seat_shards: int = 1,
    fast_path: bool = True,
    day_retention: timedelta = DEFAULT_DAY_RETENTION,
) -> Pipeline:
    """The consumer and the projector with real adapters: moto's DynamoDB, SQS and stream, and
    a real redis-server. ``fast_path``: the consumer's repository as deployed (pending markers,
    ``composition.queue_consumer``)."""
    dynamodb = boto3.client("dynamodb")
    sqs = boto3.client("sqs")
    ruleset = rules or default_game_rules()
    provider: Callable[[], GameRules] = lambda: ruleset  # noqa: E731
    the_clock = clock or Clock()
    users = UserRepository(
        dynamodb, aws.table_name, fast_path=fast_path, day_retention=day_retention
    )
    leaderboard = Leaderboard(redis_client)
    leagues = LeagueRepository(
        dynamodb, aws.table_name, cohort_size=ruleset.leagues.cohort_size, seat_shards=seat_shards
    )
    applier = ActivityApplier(users, provider, the_clock, seats=leagues)
    consumer = QueueConsumer(applier, DeadLetterQueue(sqs, aws.dlq_url), provider)
    projector = LeaderboardProjector(leaderboard, the_clock, profile_score)
    stream = Stream(aws.table_name)
    return Pipeline(
        users, leaderboard, consumer, applier, the_clock, dynamodb, sqs, projector, stream, leagues
    )


def scenario_pipeline(aws: Provisioned, redis_client: redis.Redis, scenario: Scenario) -> Pipeline:
    """A pipeline for a Hypothesis scenario. The scenario's clock stamps badges and notifications;
    it is not when each delivery is consumed (deliveries span up to 58 days in any order, which
    no 14-day queue can hold), so no day of the scenario may count as past its retention: there
    a late activity would meet its day's cap slots already dropped, which cannot happen on AWS.
    Dropping expired days is tested on its own (tests/adapters/test_item_bounds.py)."""
    earliest = min((a.occurred_at for a in scenario.activities), default=scenario.now)
    return build_pipeline(
        aws,
        redis_client,
        rules=scenario.rules,
        clock=Clock(scenario.now),
        day_retention=(scenario.now - earliest) + timedelta(days=2),
    )


def dead_letters(sqs: Any, dlq_url: str) -> list[dict[str, Any]]:
    """Everything in the DLQ: body and the reason attributes."""
    letters: list[dict[str, Any]] = []
    while True:
        response = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        messages = response.get("Messages", [])
        if not messages:
            return letters
        for message in messages:
            attributes = message.get("MessageAttributes", {})
            letters.append(
                {
                    "body": message["Body"],
                    **{k: v["StringValue"] for k, v in attributes.items()},
                }
            )
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])


def as_json(value: Any) -> str:
    return json.dumps(value)


def assert_matches_the_oracle(
    pipeline: Pipeline, scenario: Scenario
) -> tuple[Transition, StoredUser]:
    """The stored state equals one in-order application of the scenario's distinct activities
    (the domain oracle); returns the oracle's transition and the profile as stored."""
    oracle = apply_activities(
        UserState.new(scenario.user_id, scenario.settings),
        scenario.activities,
        scenario.rules,
        scenario.now,
    )
    expected = oracle.state
    stored = pipeline.users.load(scenario.user_id)
    days = {bucket.split("|", 1)[0] for bucket in expected.capped}
    actual = pipeline.users.with_days(stored, days).state
    assert actual.xp == expected.xp
    assert actual.counters == expected.counters
    assert actual.streak == expected.streak
    assert actual.challenge_streak == expected.challenge_streak
    assert actual.weekly_xp == expected.weekly_xp
    # Slots of a day past its retention are gone in AWS (day item TTL, or dropped from the
    # profile at a later commit); moto keeps expired items, so compare the days still kept.
    now = pipeline.clock.now

    def live(capped: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v for k, v in capped.items() if pipeline.users.day_expires(k.split("|")[0]) > now
        }

    assert live(dict(actual.capped)) == live(dict(expected.capped))
    assert set(actual.badges) == set(expected.badges)
    return oracle, stored
