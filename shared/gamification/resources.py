"""The one definition of the stateful resources: the CDK stack and the local stack both read it.

Keeping key names, indexes, TTL, stream and queue settings here means the tables and queues the
local stack creates in moto, and the event source mappings it emulates, cannot drift from the ones
``cdk deploy`` creates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROFILE_SK = "PROFILE"
"""The profile item's sort key: the projection's stream mapping passes only these writes."""
NOTIFICATION_PREFIX = "NOTIF#"
"""The notification items' sort-key prefix: the push outbox's mapping passes only these inserts.

Both are defined here, at the bottom (this module imports nothing of the package), and
``adapters.keys`` builds its keys from them: the filters cannot drift from the items."""


@dataclass(frozen=True, slots=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str
    projection: str = "KEYS_ONLY"  # KEYS_ONLY | INCLUDE | ALL
    included: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TableSpec:
    """Single-table design; see docs/data-model.md for every item type and access pattern."""

    logical_name: str = "Table"
    partition_key: str = "PK"
    sort_key: str = "SK"
    ttl_attribute: str = "expires_at"
    stream_view: str = "NEW_IMAGE"
    indexes: tuple[IndexSpec, ...] = field(
        default_factory=lambda: (
            # Streak reminders: profiles whose reminder falls due in a given UTC hour (sparse).
            IndexSpec("GSI1", "GSI1PK", "GSI1SK", "KEYS_ONLY"),
            # Leaderboard rebuild: every profile with XP, spread over a few shards (sparse).
            # Keys only, so an XP change writes nothing here (readers fetch the profiles).
            IndexSpec("GSI2", "GSI2PK", "GSI2SK", "KEYS_ONLY"),
        )
    )

    def create_table_kwargs(self, table_name: str) -> dict[str, Any]:
        """Arguments for boto3 ``create_table`` (used by the local stack and the tests)."""
        keys = {self.partition_key, self.sort_key}
        for index in self.indexes:
            keys |= {index.partition_key, index.sort_key}
        return {
            "TableName": table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": "S"} for name in sorted(keys)
            ],
            "KeySchema": [
                {"AttributeName": self.partition_key, "KeyType": "HASH"},
                {"AttributeName": self.sort_key, "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": index.name,
                    "KeySchema": [
                        {"AttributeName": index.partition_key, "KeyType": "HASH"},
                        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                    ],
                    "Projection": _projection(index),
                }
                for index in self.indexes
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": self.stream_view},
        }


def _projection(index: IndexSpec) -> dict[str, Any]:
    if index.projection == "INCLUDE":
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(index.included)}
    return {"ProjectionType": index.projection}


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """The activity queue and its dead-letter queue."""

    consumer_timeout_seconds: int = 30
    visibility_timeout_seconds: int = 180  # at least 6x the consumer's timeout (AWS guidance)
    max_receive_count: int = 5
    retention_seconds: int = 14 * 24 * 3600
    dlq_retention_seconds: int = 14 * 24 * 3600
    batch_size: int = 10
    max_batching_window_seconds: int = 1
    max_concurrency: int = 10

    def __post_init__(self) -> None:
        if self.visibility_timeout_seconds < 6 * self.consumer_timeout_seconds:
            raise ValueError("visibility timeout must be at least 6x the consumer timeout")


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """One function's subscription to the table's stream (an event source mapping).

    Only records the filter accepts invoke the function; a failing batch is retried, split in
    halves to isolate the bad record, and given up on (to the failed-invocations queue) once its
    records are older than the stream is worth replaying.
    """

    sort_key: str
    function: str
    event_names: tuple[str, ...]
    key_prefix: str
    batch_size: int = 100
    max_batching_window_seconds: int = 1
    retry_attempts: int = 10
    bisect_on_error: bool = True
    max_record_age_seconds: int = 6 * 3600
    new_image_attribute: str | None = None
    """Only records whose new image holds this (binary) attribute invoke the function."""
    also: tuple[StreamSpec, ...] = ()
    """More records the same mapping delivers (their own events and key prefix; Lambda ORs
    the filters), in the stream's order with the others."""

    @property
    def filter_patterns(self) -> list[dict[str, Any]]:
        """This spec's pattern and those of ``also``: one mapping, several filters."""
        return [self.filter_pattern, *(spec.filter_pattern for spec in self.also)]

    @property
    def filter_pattern(self) -> dict[str, Any]:
        """Lambda's event filter pattern: records it does not match never invoke the function."""
        dynamodb: dict[str, Any] = {"Keys": {self.sort_key: {"S": [{"prefix": self.key_prefix}]}}}
        if self.new_image_attribute:
            dynamodb["NewImage"] = {self.new_image_attribute: {"B": [{"exists": True}]}}
        return {"eventName": list(self.event_names), "dynamodb": dynamodb}

    def accepts(self, record: Mapping[str, Any]) -> bool:
        """``filter_patterns`` applied to one stream record (the local stack's mapping)."""
        return self._accepts(record) or any(spec.accepts(record) for spec in self.also)

    def _accepts(self, record: Mapping[str, Any]) -> bool:
        stream = record.get("dynamodb", {})
        key = stream.get("Keys", {}).get(self.sort_key, {}).get("S", "")
        if self.new_image_attribute and self.new_image_attribute not in stream.get("NewImage", {}):
            return False
        return record.get("eventName") in self.event_names and str(key).startswith(self.key_prefix)


@dataclass(frozen=True, slots=True)
class Route:
    """One API route and the function that serves it.

    ``auth``: ``user`` (Cognito; identity from the ``sub`` claim), ``admin`` (Cognito, and the
    handler checks the admin group), ``service`` (IAM-signed trusted callers), ``none``.
    """

    method: str
    path: str
    function: str
    auth: str = "user"


ROUTES: tuple[Route, ...] = (
    Route("POST", "/v1/activities", "ingest"),
    Route("POST", "/v1/activities/batch", "ingest"),
    Route("POST", "/v1/internal/activities", "ingest", auth="service"),
    Route("GET", "/v1/me", "query"),
    Route("GET", "/v1/users/{user_id}", "query"),
    Route("GET", "/v1/badges", "query"),
    Route("GET", "/v1/users/{user_id}/badges", "query"),
    Route("GET", "/v1/leaderboard", "query"),
    Route("GET", "/v1/leaderboard/around/{user_id}", "query"),
    Route("GET", "/v1/me/notifications", "query"),
    Route("GET", "/v1/quests", "query"),
    Route("GET", "/v1/me/quests", "query"),
    Route("GET", "/v1/me/league", "query"),
    Route("GET", "/v1/leagues/tiers", "query"),
    Route("GET", "/v1/me/export", "query"),
    Route("GET", "/v1/admin/users/{user_id}/export", "query", auth="admin"),
    Route("GET", "/v1/health", "meta", auth="none"),
    Route("GET", "/v1/openapi.json", "meta", auth="none"),
    Route("GET", "/v1/docs", "meta", auth="none"),
    Route("GET", "/v1/events/schema", "meta", auth="none"),
    Route("PUT", "/v1/me/settings", "account"),
    Route("POST", "/v1/me/notifications/read", "account"),
    Route("DELETE", "/v1/me", "account"),
    Route("DELETE", "/v1/admin/users/{user_id}", "account", auth="admin"),
    Route("PUT", "/v1/admin/users/{user_id}", "account", auth="admin"),
    Route("GET", "/v1/admin/flags", "account", auth="admin"),
    Route("POST", "/v1/admin/flags/{user_id}/clear", "account", auth="admin"),
    Route("POST", "/v1/admin/flags/{user_id}/confirm", "account", auth="admin"),
    Route("GET", "/v1/me/following", "query"),
    Route("GET", "/v1/me/followers", "query"),
    Route("GET", "/v1/me/blocked", "query"),
    Route("GET", "/v1/me/friends/leaderboard", "query"),
    Route("GET", "/v1/me/friend-streaks", "query"),
    Route("PUT", "/v1/me/friend-streaks/{user_id}", "account"),
    Route("DELETE", "/v1/me/friend-streaks/{user_id}", "account"),
    Route("PUT", "/v1/me/following/{user_id}", "account"),
    Route("DELETE", "/v1/me/following/{user_id}", "account"),
    Route("PUT", "/v1/me/blocked/{user_id}", "account"),
    Route("DELETE", "/v1/me/blocked/{user_id}", "account"),
    Route("GET", "/v1/me/quests/{quest_id}/partner", "account"),
    Route("PUT", "/v1/me/quests/{quest_id}/partner/{user_id}", "account"),
    Route("DELETE", "/v1/me/quests/{quest_id}/partner", "account"),
    Route("PUT", "/v1/admin/badges/{badge_id}", "admin", auth="admin"),
    Route("DELETE", "/v1/admin/badges/{badge_id}", "admin", auth="admin"),
    Route("POST", "/v1/admin/badges/{badge_id}/dry-run", "admin", auth="admin"),
    Route("POST", "/v1/admin/quests/{quest_id}/dry-run", "admin", auth="admin"),
    Route("PUT", "/v1/admin/quests/{quest_id}", "admin", auth="admin"),
    Route("DELETE", "/v1/admin/quests/{quest_id}", "admin", auth="admin"),
    Route("GET", "/v1/admin/webhooks", "admin", auth="admin"),
    Route("PUT", "/v1/admin/webhooks/{webhook_id}", "admin", auth="admin"),
    Route("GET", "/v1/admin/webhooks/{webhook_id}", "admin", auth="admin"),
    Route("DELETE", "/v1/admin/webhooks/{webhook_id}", "admin", auth="admin"),
    Route("GET", "/v1/admin/webhooks/{webhook_id}/deliveries", "admin", auth="admin"),
    Route("POST", "/v1/admin/webhooks/{webhook_id}/test", "admin", auth="admin"),
    Route("POST", "/v1/admin/webhooks/{webhook_id}/rotate", "admin", auth="admin"),
    Route(
        "POST",
        "/v1/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
        "admin",
        auth="admin",
    ),
    Route("PUT", "/v1/admin/teams/{team_id}", "admin", auth="admin"),
    Route("GET", "/v1/admin/teams/{team_id}", "admin", auth="admin"),
    Route("DELETE", "/v1/admin/teams/{team_id}", "admin", auth="admin"),
    Route("PUT", "/v1/admin/teams/{team_id}/members/{user_id}", "admin", auth="admin"),
    Route("DELETE", "/v1/admin/teams/{team_id}/members/{user_id}", "admin", auth="admin"),
    Route("GET", "/v1/teams", "query"),
    Route("GET", "/v1/me/teams", "query"),
    Route("GET", "/v1/teams/leaderboard", "query"),
    Route("GET", "/v1/teams/{team_id}/leaderboard", "query"),
    Route("GET", "/v1/teams/{team_id}/quests", "query"),
    Route("POST", "/v1/teams/{team_id}/join", "account"),
    Route("DELETE", "/v1/teams/{team_id}/members/me", "account"),
    Route("GET", "/v1/me/wallet", "query"),
    Route("GET", "/v1/me/wallet/ledger", "query"),
    Route("GET", "/v1/shop/items", "query"),
    Route("POST", "/v1/me/wallet/redeem", "account"),
    Route("PUT", "/v1/admin/shop/items/{item_id}", "admin", auth="admin"),
    Route("GET", "/v1/admin/shop/items/{item_id}", "admin", auth="admin"),
    Route("DELETE", "/v1/admin/shop/items/{item_id}", "admin", auth="admin"),
    Route("POST", "/v1/admin/users/{user_id}/wallet/adjust", "admin", auth="admin"),
    Route("GET", "/v1/admin/wallet/rules", "admin", auth="admin"),
    Route("PUT", "/v1/admin/wallet/rules", "admin", auth="admin"),
    Route("GET", "/v1/users/{user_id}/badges/{badge_id}/credential", "credentials"),
    Route("GET", "/.well-known/jwks.json", "meta", auth="none"),
    Route("GET", "/v1/issuer", "meta", auth="none"),
)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A scheduled job: EventBridge rule on AWS, a timer in the local stack."""

    function: str
    rate_minutes: int
    description: str
    on_the_clock: bool = False
    """Run at whole multiples of the rate past the hour (a cron rule: hourly means on the hour),
    not every ``rate_minutes`` from whenever the rule was created."""
    job_input: Mapping[str, str] | None = None
    """The payload instead of EventBridge's "Scheduled Event" (a rule target's input), for a
    second schedule of one function that asks it for something else."""
    label: str = ""
    """Names the schedule when a function has more than one (defaults to the function)."""

    @property
    def name(self) -> str:
        return self.label or self.function

    def __post_init__(self) -> None:
        if self.on_the_clock and not (0 < self.rate_minutes <= 60 and 60 % self.rate_minutes == 0):
            raise ValueError(f"{self.function}: a job on the clock needs a rate that divides 60")


SCHEDULES: tuple[Schedule, ...] = (
    # On the hour: the run after a week ends (Monday 00:00 UTC) closes it; the others find it
    # closed (one checkpoint read per shard) or finish a run that failed.
    Schedule(
        "leagues",
        60,
        "close the league week that ended: promote, demote, notify (idempotent, resumable)",
        on_the_clock=True,
    ),
    # On the hour: reminders fall due at whole hours (or half hours) UTC, see docs/jobs.md.
    Schedule(
        "reminder_fanout",
        60,
        "streak-expiry reminders for the users whose reminder is due",
        on_the_clock=True,
    ),
    # The full pass reads every player: daily (its cost grows with the players). It also
    # stamps next week's boards, days before the week starts.
    Schedule(
        "reconciler", 1440, "rebuild leaderboards from DynamoDB, report drift, snapshot top N"
    ),
    # The drift check on a bounded random sample (≤ 1,000 players, one ZMSCORE per board):
    # starts the full pass when the sample drifted, else refreshes the snapshots from the cache.
    Schedule(
        "reconciler",
        15,
        "measure leaderboard drift on a sample of players, rebuild when it is too high",
        job_input={"mode": "sample"},
        label="drift-sample",
    ),
    # The cheap check: three EXISTS a minute; a board whose generation marker is gone (flush,
    # restart, failover, eviction) is rebuilt at once instead of at the next daily run.
    Schedule(
        "reconciler",
        1,
        "rebuild the leaderboards at once when the cache no longer holds a complete board",
        job_input={"mode": "check"},
        label="cache-check",
    ),
    # Team quests' payouts (docs/teams.md#team-quests): a member's commit walks a bounded step
    # of a completed team's payees; this run of the consumer goes on with every open payout
    # until its time is up, so a team that went quiet is paid too (one GSI1 Query when none).
    Schedule(
        "consumer",
        1,
        "pay the payees of completed team quests that member commits have not reached yet",
    ),
    # Badge rarity (docs/rules.md, "Rarity"): hourly, so a walk longer than one invocation goes
    # on within the hour; a run finding today's count fresh costs one read.
    Schedule(
        "rarity",
        60,
        "count the share of players holding each badge and level (daily; resumes a long walk)",
    ),
)

TABLE = TableSpec()
QUEUE = QueueSpec()
REMINDER_QUEUE = QueueSpec(
    # One message is one bounded unit (≤ ``StreakReminders.page_size`` users of one hour-shard,
    # ≈ 10-20 s): one per invocation, the sender's partial batch response is then trivial.
    consumer_timeout_seconds=120,
    visibility_timeout_seconds=720,
    max_receive_count=3,
    # A unit older than the look-back is only worth its shard's re-enqueue by a later run.
    retention_seconds=3 * 3600,
    batch_size=1,
    max_batching_window_seconds=0,
    # ≥ the default 16 shards, so an hour's shards all run at once.
    max_concurrency=20,
)
"""The reminder fan-out (``functions/reminder_fanout`` enqueues, ``functions/reminder_sender``
sends)."""
WEBHOOK_QUEUE = QueueSpec(
    # One attempt is one POST of at most 5 s; a batch of 10 fits the timeout many times over.
    consumer_timeout_seconds=60,
    visibility_timeout_seconds=360,
    max_receive_count=5,
    # A delivery is retried for 24 h by re-sending it; a message older than a day is stale.
    retention_seconds=2 * 24 * 3600,
    batch_size=10,
    max_batching_window_seconds=0,
    max_concurrency=10,
)
"""Webhook deliveries (``functions/webhooks``): events from the bus's rule fanned out into one
message per endpoint, and every retry a message of its own (docs/events.md#webhooks)."""
STREAM = StreamSpec(
    sort_key=TABLE.sort_key,
    function="dispatcher",
    event_names=("INSERT",),
    key_prefix=NOTIFICATION_PREFIX,
)
"""The push outbox: inserted notifications only (profile writes and TTL deletions never invoke)."""
TEAM_MEMBERSHIPS = StreamSpec(
    sort_key=TABLE.sort_key,
    function="projector",
    event_names=("INSERT", "REMOVE"),
    key_prefix="TEAM#",
    batch_size=100,
)
"""Delivered with ``PROJECTION`` (one mapping, two filters): a membership item
(``MEMBERSHIP#<user>`` / ``TEAM#<team>``) inserted is a join of the team boards; removed (a
leave, an admin, the eraser), a leave (docs/teams.md)."""
PROJECTION = StreamSpec(
    sort_key=TABLE.sort_key,
    function="projector",
    event_names=("INSERT", "MODIFY"),
    key_prefix=PROFILE_SK,
    batch_size=500,
    also=(TEAM_MEMBERSHIPS,),
)
"""The leaderboard projection: every profile write raises that player's Redis scores (and its
team contributions); membership changes move the team boards."""


@dataclass(frozen=True, slots=True)
class EventBusSpec:
    """The stage's custom event bus, its archive and the publisher's dead-letter queue."""

    archive_retention_days: int = 30
    """How long the archive keeps every event for a replay (0: forever). A context setting
    (``events_archive_days``) overrides it per stage."""
    dlq_retention_seconds: int = 14 * 24 * 3600

    @staticmethod
    def bus_name(stage: str) -> str:
        return f"gamify-{stage}"


EVENT_BUS = EventBusSpec()
EVENTS = StreamSpec(
    sort_key=TABLE.sort_key,
    function="publisher",
    event_names=("INSERT", "MODIFY"),
    key_prefix=PROFILE_SK,
    batch_size=100,
    new_image_attribute="outbox",
)
"""The domain events outbox: profile writes that carry events (docs/events.md)."""
STREAMS = (STREAM, PROJECTION, EVENTS)
