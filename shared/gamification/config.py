"""Runtime configuration, read once from the environment the stack (or local stack) sets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

DEFAULT_REMINDER_SHARDS = 16
"""GSI1 keys per reminder due hour unless ``GAMIFY_REMINDER_SHARDS`` says otherwise: 10,000
commits/s all due in one hour stay under 1,000 writes/s per key (docs/data-model.md)."""


@dataclass(frozen=True, slots=True)
class Settings:
    table_name: str
    queue_url: str
    dlq_url: str
    topic_arn: str
    redis_url: str
    redis_configured: bool
    """``REDIS_URL`` is set; without it ``redis_url`` is only the developer default."""
    redis_auth_token: str | None
    """A password (local Redis with ``requirepass``); AWS uses IAM authentication instead."""
    redis_iam_user: str
    """ElastiCache user that signs in with IAM authentication (empty: no IAM auth)."""
    redis_cache_name: str
    """Serverless cache name or replication group id: what the IAM token is signed for."""
    redis_serverless: bool
    max_backdate: timedelta
    reminder_lead: timedelta
    notification_ttl: timedelta
    leaderboard_snapshot_size: int
    write_budget_per_minute: int = 0
    """Write requests (activities count one each) a user may make per minute; 0 = no limit."""
    backfill_function_name: str = ""
    """The badge backfill Lambda; empty runs backfills in process (local stack, tests)."""
    league_seat_shards: int = 1
    """The least seat counters per tier and week (each week's seat plan raises a busy tier's
    count; a week without a plan uses this; each shard fills its own cohorts, see
    docs/data-model.md)."""
    league_close_shards: int = 1
    """The least parallel invocations the league close job fans out to (one interleaved cohort
    slice each); a week with more cohorts gets more (``services.league_close.close_shards_for``)."""
    max_teams_per_user: int = 10
    """How many teams one user may be in at once (docs/teams.md)."""
    eraser_function_name: str = ""
    """The erasure Lambda; empty runs erasures in process (local stack, tests)."""
    reminder_shards: int = DEFAULT_REMINDER_SHARDS
    """GSI1 keys per reminder due hour (``REMIND#<hour>#<shard>``); may only grow between
    deploys (see docs/jobs.md, "Fan-out")."""
    reminder_queue_url: str = ""
    """The reminder fan-out queue: one message per (due hour, shard) unit of work."""
    stage: str = "dev"
    """The deployment's stage: the ``tenant`` of every domain event."""
    event_bus_name: str = ""
    """The stage's EventBridge bus (``gamify-<stage>``) the event publisher puts events on."""
    events_dlq_url: str = ""
    """Events the bus refused after the publisher's retries, with the reason."""
    event_log_path: str = ""
    """The local stack's bus: a JSON-lines file instead of EventBridge (empty on AWS)."""
    webhook_queue_url: str = ""
    """Webhook deliveries: one message per attempt (the local bus forwards events here too)."""
    webhooks_allow_private: bool = False
    """The local stack only: endpoints on http:// and private addresses (its own receiver)."""
    webhook_disable_after_hours: float = 72.0
    """A webhook endpoint failing this long is paused (docs/events.md)."""
    webhook_retry_scale: float = 1.0
    """Multiplies the webhook backoff (the local stack's tests shorten it; 1 on AWS)."""
    webhook_key_id: str = ""
    """The KMS key that seals webhook signing secrets (empty: the local stack's stand-in)."""
    control_share: float = 0.0
    """Share of new users in the control group (0 to 0.5; docs/analytics.md)."""
    control_salt: str = ""
    """The control group's salt: a new salt re-draws every user (a new experiment)."""
    lake_stream_name: str = ""
    """The history lake's Firehose stream (docs/analytics.md); empty: no lake on AWS."""
    lake_dir: str = ""
    """The local stack's lake folder (JSON staging, Parquet by day); empty: none."""
    lake_bucket: str = ""
    """The lake bucket (output ``LakeBucketName``), for the backfill an operator runs on AWS
    (``python -m gamification.lake_backfill_command``); empty: the local folder."""
    credential_key_id: str = ""
    """The KMS key (ECC_NIST_P256, SIGN_VERIFY) signing badge credentials (docs/credentials.md)."""
    credential_previous_key_ids: tuple[str, ...] = ()
    """Keys that signed credentials before a rotation: still published in the JWKS, never used
    to sign (``CREDENTIAL_PREVIOUS_KEY_IDS``, comma-separated; docs/credentials.md)."""
    issuer_url: str = ""
    """The credentials' issuer id (``<api>/v1/issuer``); empty: derived from the request."""
    issuer_name: str = "Gamify"
    """The issuer profile's name."""
    function_name: str = ""
    """The Lambda this process runs in (the runtime sets it): resumable jobs continue in a
    fresh invocation of it. Empty off Lambda."""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            table_name=env.get("TABLE_NAME", "gamify"),
            queue_url=env.get("QUEUE_URL", ""),
            dlq_url=env.get("DLQ_URL", ""),
            topic_arn=env.get("TOPIC_ARN", ""),
            redis_url=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            redis_configured=bool(env.get("REDIS_URL")),
            redis_auth_token=env.get("REDIS_AUTH_TOKEN") or None,
            redis_iam_user=env.get("REDIS_IAM_USER", ""),
            redis_cache_name=env.get("REDIS_CACHE_NAME", ""),
            redis_serverless=env.get("REDIS_CACHE_SERVERLESS", "true") == "true",
            max_backdate=timedelta(hours=float(env.get("GAMIFY_MAX_BACKDATE_HOURS", "48"))),
            reminder_lead=timedelta(hours=float(env.get("REMINDER_LEAD_HOURS", "6"))),
            notification_ttl=timedelta(days=float(env.get("NOTIFICATION_TTL_DAYS", "90"))),
            leaderboard_snapshot_size=int(env.get("LEADERBOARD_SNAPSHOT_SIZE", "100")),
            write_budget_per_minute=int(env.get("GAMIFY_WRITE_BUDGET_PER_MINUTE", "0")),
            backfill_function_name=env.get("BACKFILL_FUNCTION_NAME", ""),
            league_seat_shards=max(1, int(env.get("GAMIFY_LEAGUE_SEAT_SHARDS", "1"))),
            league_close_shards=max(1, int(env.get("GAMIFY_LEAGUE_CLOSE_SHARDS", "1"))),
            eraser_function_name=env.get("ERASER_FUNCTION_NAME", ""),
            max_teams_per_user=max(1, int(env.get("GAMIFY_MAX_TEAMS_PER_USER", "10"))),
            reminder_shards=max(1, int(env.get("GAMIFY_REMINDER_SHARDS", DEFAULT_REMINDER_SHARDS))),
            reminder_queue_url=env.get("REMINDER_QUEUE_URL", ""),
            stage=env.get("GAMIFY_STAGE", "dev"),
            event_bus_name=env.get("EVENT_BUS_NAME", ""),
            events_dlq_url=env.get("EVENTS_DLQ_URL", ""),
            event_log_path=env.get("GAMIFY_EVENT_LOG", ""),
            webhook_queue_url=env.get("WEBHOOK_QUEUE_URL", ""),
            webhooks_allow_private=env.get("GAMIFY_WEBHOOKS_ALLOW_PRIVATE", "") == "true",
            webhook_retry_scale=float(env.get("GAMIFY_WEBHOOK_RETRY_SCALE", "1")),
            webhook_disable_after_hours=float(env.get("GAMIFY_WEBHOOK_DISABLE_AFTER_HOURS", "72")),
            webhook_key_id=env.get("WEBHOOK_KEY_ID", ""),
            control_share=float(env.get("GAMIFY_CONTROL_SHARE", "0")),
            control_salt=env.get("GAMIFY_CONTROL_SALT", ""),
            lake_stream_name=env.get("LAKE_STREAM_NAME", ""),
            lake_dir=env.get("GAMIFY_LAKE_DIR", ""),
            lake_bucket=env.get("LAKE_BUCKET_NAME", ""),
            credential_key_id=env.get("CREDENTIAL_KEY_ID", ""),
            credential_previous_key_ids=tuple(
                key for key in env.get("CREDENTIAL_PREVIOUS_KEY_IDS", "").split(",") if key.strip()
            ),
            issuer_url=env.get("GAMIFY_ISSUER_URL", ""),
            issuer_name=env.get("GAMIFY_ISSUER_NAME", "Gamify"),
            # The stack names the live alias (``name:live``) for a job that continues itself.
            function_name=env.get("GAMIFY_SELF_INVOKE_NAME")
            or env.get("AWS_LAMBDA_FUNCTION_NAME", ""),
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Settings of this process (a Lambda container reads its environment once)."""
    return Settings.from_env()
