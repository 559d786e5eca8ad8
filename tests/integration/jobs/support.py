"""Builders for the job tests: users with streaks in their own zones, events, a push inbox."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import redis

from gamification.adapters.backfill_checkpoints import BackfillCheckpoints
from gamification.adapters.badge_repository import BadgeRepository
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.rebuild_lease import RebuildLease
from gamification.adapters.reminder_index import ReminderIndex
from gamification.adapters.reminder_ledger import ReminderLedger
from gamification.adapters.reminder_progress import ReminderProgress
from gamification.adapters.reminder_queue import ReminderQueue, ReminderUnit, decode
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.adapters.user_repository import StoredUser, UserChange, UserRepository
from gamification.domain.activity import Activity
from gamification.domain.experiments import Assignment
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.notifications import Notification
from gamification.domain.state import UserSettings, UserState
from gamification.domain.transition import apply_activities
from gamification.domain.wallet import LedgerEntry, WalletWrite
from gamification.local.provision import Provisioned
from gamification.local.sqs_poller import sqs_event
from gamification.services.applier import ActivityApplier, player_score
from gamification.services.backfill import BadgeBackfill
from gamification.services.reconciliation import LeaderboardReconciler
from gamification.services.reminders import ReminderFanOut, ReminderReport, StreakReminders

LEAD = timedelta(hours=6)
SHARDS = 4
"""Reminder shards of the job tests' users: several keys per hour, few units per run."""


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    """Real adapters on moto's DynamoDB and a real Redis, and the jobs built from them."""

    aws: Provisioned
    dynamodb: Any
    sqs: Any
    users: UserRepository
    leaderboard: Leaderboard
    directory: PlayerDirectory
    snapshots: SnapshotRepository
    badges: BadgeRepository
    checkpoints: BackfillCheckpoints
    clock: Clock
    rules: GameRules
    redis: redis.Redis

    def applier(self) -> ActivityApplier:
        return ActivityApplier(self.users, lambda: self.rules, self.clock)

    def reminders(
        self, lookback_hours: int = 2, *, shards: int = SHARDS, page_size: int = 1000
    ) -> ReminderJobs:
        table = self.aws.table_name
        queue = ReminderQueue(self.sqs, self.aws.reminder_queue_url)
        progress = ReminderProgress(self.dynamodb, table)
        return ReminderJobs(
            fan_out=ReminderFanOut(queue, progress, shards=shards, lookback_hours=lookback_hours),
            worker=StreakReminders(
                ReminderIndex(self.dynamodb, table),
                self.users,
                ReminderLedger(self.dynamodb, table),
                queue,
                progress,
                lead=LEAD,
                page_size=page_size,
            ),
            progress=progress,
            sqs=self.sqs,
            queue_url=self.aws.reminder_queue_url,
        )

    def reconciler(
        self, snapshot_size: int = 100, page_size: int = 1000, scan_chunks: int = 50
    ) -> LeaderboardReconciler:
        """The reconciler as deployed: with the rebuild lease (one pass at a time, resumable)."""
        return LeaderboardReconciler(
            self.directory,
            self.leaderboard,
            self.snapshots,
            snapshot_size=snapshot_size,
            lease=RebuildLease(self.redis),
            page_size=page_size,
            scan_chunks=scan_chunks,
        )

    def backfill(self, page_size: int = 100, *, with_leaderboard: bool = True) -> BadgeBackfill:
        def fresh() -> GameRules:
            return self.rules.with_badges(self.badges.load())

        return BadgeBackfill(
            self.directory,
            self.users,
            self.leaderboard if with_leaderboard else None,
            self.checkpoints,
            rules=fresh,
            page_size=page_size,
        )

    # -- users ---------------------------------------------------------------------------------

    def player(
        self,
        user_id: str,
        *,
        timezone: str = "UTC",
        push: bool = True,
        active_days: Iterable[date] = (),
        reads_per_day: int = 1,
        display_name: str | None = None,
        control: bool = False,
    ) -> StoredUser:
        """A user who read posts at local noon on each of ``active_days`` (``control``: in the
        control group, ``domain.experiments``).

        Built with the domain transition and committed in one transaction, as the consumer
        would (cheaper than queueing: moto copies the whole table for every transaction).
        """
        settings = UserSettings(timezone=timezone, push_enabled=push, display_name=display_name)
        state = UserState.new(user_id, settings)
        if control:
            state = state.model_copy(update={"experiment": Assignment(group="control", salt="s")})
        now = self.clock.now
        markers: list[str] = []
        notes: list[Notification] = []
        ledger: list[LedgerEntry] = []
        for day in sorted(active_days):
            now = local_time(day, 12, timezone)
            reads = [
                read(user_id, f"{day.isoformat()}-{i}", now + timedelta(minutes=i))
                for i in range(reads_per_day)
            ]
            now += timedelta(minutes=reads_per_day)
            transition = apply_activities(state, reads, self.rules, now)
            state = transition.state
            markers += transition.effects.applied_keys
            notes += transition.effects.notifications
            ledger += transition.effects.ledger
        before = StoredUser(UserState.new(user_id, settings))
        change = UserChange(
            before=before,
            state=state,
            now=now,
            new_markers=markers,
            notifications=notes,
            wallet=WalletWrite(tuple(ledger)),
        )
        stored = StoredUser(state, self.users.commit(change), change.xp_at)
        if state.xp:
            self.leaderboard.publish([player_score(stored)], now)
        return stored


def build_world(
    aws: Provisioned, redis_client: redis.Redis, now: datetime, *, reminder_shards: int = SHARDS
) -> World:
    dynamodb = boto3.client("dynamodb")
    table = aws.table_name
    users = UserRepository(dynamodb, table, reminder_lead=LEAD, reminder_shards=reminder_shards)
    return World(
        aws=aws,
        dynamodb=dynamodb,
        sqs=boto3.client("sqs"),
        users=users,
        leaderboard=Leaderboard(redis_client),
        directory=PlayerDirectory(dynamodb, table, page_size=7),
        snapshots=SnapshotRepository(dynamodb, table),
        badges=BadgeRepository(dynamodb, table),
        checkpoints=BackfillCheckpoints(dynamodb, table),
        clock=Clock(now),
        rules=default_game_rules(),
        redis=redis_client,
    )


@dataclass
class ReminderJobs:
    """The hourly fan-out and its worker on moto's reminder queue, as the stack wires them."""

    fan_out: ReminderFanOut
    worker: StreakReminders
    progress: ReminderProgress
    sqs: Any
    queue_url: str

    def run_hour(self, at: datetime) -> ReminderReport:
        """The scheduled run at ``at`` and every unit it leads to (continuations included)."""
        self.fan_out.run(at)
        report = ReminderReport(now=at)
        for unit in self.drain():
            report.add(self.worker.run_unit(unit))
        return report

    def drain(self) -> Iterator[ReminderUnit]:
        """Receive units until the queue is empty, deleting each after the caller ran it."""
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10
            ).get("Messages", [])
            if not messages:
                return
            for message in messages:
                yield decode(message["Body"])
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )

    def take(self) -> list[ReminderUnit]:
        """Every queued unit, removed from the queue (to run them in an order of our own)."""
        return list(self.drain())


def run_worker(aws: Provisioned) -> int:
    """Deliver the reminder queue to the worker handler as its event source mapping would, one
    message per batch; returns the units run."""
    from functions.reminder_sender.handler import lambda_handler as worker

    sqs = boto3.client("sqs")
    runs = 0
    while True:
        messages = sqs.receive_message(QueueUrl=aws.reminder_queue_url, MaxNumberOfMessages=1).get(
            "Messages", []
        )
        if not messages:
            return runs
        response = worker(sqs_event(messages, aws.reminder_queue_arn), Context("reminder_sender"))
        assert response == {"batchItemFailures": []}
        sqs.delete_message(
            QueueUrl=aws.reminder_queue_url, ReceiptHandle=messages[0]["ReceiptHandle"]
        )
        runs += 1


def local_time(day: date, hour: int, timezone: str, minute: int = 0) -> datetime:
    """``hour:minute`` on ``day`` in ``timezone``, as a UTC datetime."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(timezone)).astimezone(UTC)


def read(user_id: str, post: str, at: datetime) -> Activity:
    return Activity.model_validate(
        {
            "user_id": user_id,
            "type": "post_read",
            "object_id": post,
            "occurred_at": at,
            "received_at": at,
        }
    )


# -- events and context ----------------------------------------------------------------------


def scheduled_event(at: datetime, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """What an EventBridge schedule delivers (the jobs take "now" from ``time``)."""
    return {
        "version": "0",
        "id": "0d0a1b2c-0000-4000-8000-000000000000",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/gamify-job"],
        "detail": detail or {},
    }


class Context:
    """The parts of the Lambda context Powertools and the handlers read."""

    def __init__(self, function_name: str, remaining_ms: int = 600_000) -> None:
        self.function_name = function_name
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )
        self.aws_request_id = "req-1"
        self._remaining = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining


# -- the table's stream, as Lambda delivers it ---------------------------------------------------


class Stream:
    """Reads moto's DynamoDB stream of the table; each ``read()`` returns the new records.

    Every read opens a fresh iterator after the last record seen: moto rolls a cancelled
    transaction back by restoring a copy of the table, so an iterator opened before it would
    still show the rolled-back writes (and miss every later one). DynamoDB shows neither.
    """

    # botocore sends DynamoDB Streams calls to an account-based endpoint moto does not route.
    ENDPOINT = "https://streams.dynamodb.us-east-1.amazonaws.com"

    def __init__(self, table_name: str) -> None:
        self._client = boto3.client("dynamodbstreams", endpoint_url=self.ENDPOINT)
        self.arn = self._client.list_streams(TableName=table_name)["Streams"][0]["StreamArn"]
        self._last: dict[str, str] = {}

    def read(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        shards = self._client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            position: dict[str, Any] = (
                {
                    "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                    "SequenceNumber": self._last[shard_id],
                }
                if shard_id in self._last
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            iterator = self._client.get_shard_iterator(
                StreamArn=self.arn, ShardId=shard_id, **position
            )["ShardIterator"]
            found = self._client.get_records(ShardIterator=iterator)["Records"]
            if found:
                self._last[shard_id] = found[-1]["dynamodb"]["SequenceNumber"]
            records.extend(self._lambda_record(r) for r in found)
        return records

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        return {
            "eventID": record["eventID"],
            "eventName": record["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": dynamodb,
            "eventSourceARN": self.arn,
        }


class PushInbox:
    """An SQS queue subscribed to the push topic: what a push subscriber would receive."""

    def __init__(self, topic_arn: str) -> None:
        self._sqs = boto3.client("sqs")
        self._url = self._sqs.create_queue(QueueName="push-inbox")["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        boto3.client("sns").subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"},
        )

    def drain(self) -> list[dict[str, Any]]:
        """Message bodies (JSON) plus their ``dedupe_id`` attribute."""
        received: list[dict[str, Any]] = []
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self._url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                return received
            for message in messages:
                body = json.loads(message["Body"])
                attribute = message.get("MessageAttributes", {}).get("dedupe_id")
                body["attribute_dedupe_id"] = attribute["StringValue"] if attribute else None
                received.append(body)
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
