"""Deployment settings, read from CDK context (``cdk deploy -c stage=prod``) with safe defaults.

Every field below is a context key of the same name; docs/deploy.md lists them (a test keeps the
table and this class in step). Values given with ``-c`` arrive as strings, so each one is coerced
to the type of its default and validated here, before any construct sees it: a typo fails synth
with a message instead of deploying something surprising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, Literal, cast, get_args

from aws_cdk import aws_logs as logs
from constructs import Node

from gamification.adapters.keys import DEFAULT_REMINDER_SHARDS
from gamification.api.cors import CorsPolicy
from gamification.resources import EVENT_BUS, SCHEDULES

CacheType = Literal["serverless", "nodes"]
MfaPolicy = Literal["admins", "all"]

_STAGE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_STAGE = re.compile(r"^(?!.*--)[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$")
"""What every name derived from the stage accepts: ElastiCache refuses a trailing hyphen or
two hyphens in a row."""
_ZONE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d[a-z]$")
_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_RESERVED_IN_DOMAIN_PREFIX = ("aws", "amazon", "cognito")
"""Cognito refuses a domain prefix containing any of these words."""
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR"}
_RATES = {schedule.name: schedule.rate_minutes for schedule in SCHEDULES}
# CloudWatch Logs accepts only these retention periods (days).
_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
}


@dataclass(frozen=True, slots=True)
class StackConfig:
    """One deployment of the stack. Defaults are what ``cdk deploy`` with no ``-c`` gives you."""

    stage: str = "dev"
    """Names the stack (``Gamify-<stage>``), the API stage and the cache; lowercase, <= 20 chars."""
    log_retention_days: int = 30
    log_level: str = "INFO"
    tracing: bool = True
    """X-Ray active tracing on every function and the API stage (no endpoint: Lambda's own X-Ray
    daemon sends the segments outside the function's VPC, docs/deploy.md)."""
    cache_type: CacheType = "serverless"
    """``serverless`` (ElastiCache Serverless, Valkey) or ``nodes`` (a Valkey replication group)."""
    cache_node_type: str = "cache.t4g.micro"
    cache_replicas: int = 1
    """Replicas per node group for ``nodes``; >= 1 gives Multi-AZ with automatic failover."""
    cache_max_data_gb: int = 1
    """Serverless cap on stored data, which also caps the bill: ~86 MB holds 1 M members."""
    cache_max_ecpu_per_second: int = 5000
    max_azs: int = 2
    availability_zones: str = ""
    """Comma-separated AZ names for the VPC, e.g. ``us-east-1a,us-east-1b``; empty takes the
    region's first ``max_azs`` (at most two: the stack is environment-agnostic). Name them where
    some AZs of the region refuse Lambda or VPC endpoints (e.g. ``use1-az3``)."""
    user_pool_id: str = ""
    """An existing Cognito user pool to authorize users against; empty creates a new pool."""
    reminder_lead_hours: float = 6.0
    max_backdate_hours: float = 48.0
    notification_ttl_days: int = 90
    reconcile_every_minutes: int = _RATES["reconciler"]
    """Leaderboard reconciliation period; by default the local stack's (``resources.SCHEDULES``)."""
    api_throttle_rate: int = 100
    """Requests per second per stage (steady state); ``api_throttle_burst`` above it briefly."""
    api_throttle_burst: int = 200
    write_budget_per_minute: int = 120
    """Write requests a user may make per minute (a batch counts one per activity), enforced per
    user by a counter in the table; 0 turns the ceiling off (docs/api.md)."""
    league_seat_shards: int = 1
    """The least seat counters per league tier and week: each week's seat plan raises a tier's
    count with its size (docs/data-model.md#leagues); a week without a plan uses this alone."""
    league_close_shards: int = 1
    """The least parallel invocations of the league close job (interleaved cohort slices); a
    week with more than 2,000 cohorts a shard gets more, sized by the job itself."""
    reminder_shards: int = DEFAULT_REMINDER_SHARDS
    """Reminder index keys per due hour, and the reminder fan-out's units per hour: may only
    grow between deploys (docs/jobs.md, "Fan-out")."""
    self_sign_up: bool = False
    """Let anyone create an account in the new user pool; off, accounts are created by an admin."""
    api_cloudwatch_role: bool = True
    """Create the account-level role API Gateway needs to write logs (one per account/region)."""
    retain_data: bool = True
    """Keep the table and the user pool when the stack is deleted."""
    alarm_email: str = ""
    """Subscribe this address to the alarm topic (confirm the e-mail AWS sends)."""
    powertools_version: str = "3.37.0"
    """Version of the public Powertools layer, resolved per region from its SSM parameter."""
    metrics_namespace: str = "Gamify"
    cors_origins: str = ""
    """Browser origins allowed to call the API, comma-separated (``https://app.example.com``), or
    ``*`` for any; empty allows none (the hosted demo's origin is added when ``web_hosting``)."""
    web_hosting: bool = False
    """Host the demo page (``web/``) on S3 behind CloudFront (pay per request, no idle cost)."""
    sign_in_domain_prefix: str = ""
    """The hosted demo's sign-in domain, ``<prefix>.auth.<region>.amazoncognito.com`` (Cognito's
    hosted UI; only with ``web_hosting`` and the stack's own pool). Empty derives a unique one,
    ``gamify-<stage>-<8 hex digits of the stack's id>``; prefixes are global per region."""
    waf: str = ""
    """AWS WAF on the API stage: ``true``, ``false``, or empty for on in a stage named ``prod``
    and off elsewhere (its web ACL and rules cost ~$9/month at rest, docs/deploy.md)."""
    waf_rate_limit: int = 2000
    """Requests one IP may make in 5 minutes before WAF blocks it (the rate-based rule)."""
    public_throttle_rate: int = 5
    """Requests per second for each public route (health, OpenAPI, docs), throttled apart from
    the stage's so they can never use up the budget of the routes users need."""
    public_throttle_burst: int = 10
    canary: bool = False
    """Shift each function's ``live`` alias gradually with CodeDeploy (10% for 30 minutes, then
    all), rolled back by the function's error-rate alarm; off, every alias moves at once."""
    backup: bool = False
    """An AWS Backup plan for the table (daily, 35 days) on top of point-in-time recovery."""
    backup_copy_vault_arn: str = ""
    """A backup vault in another region to copy each backup to (docs/recovery.md)."""
    table_name: str = ""
    """Adopt an existing table (a point-in-time restore) instead of the stack's own: the
    recovery plan's last step (docs/recovery.md). Needs ``table_stream_arn``."""
    table_stream_arn: str = ""
    """The adopted table's stream (NEW_IMAGE), which the projector and dispatcher read."""
    mfa: MfaPolicy = "admins"
    """``admins``: TOTP optional for players, required for the admin group (a token trigger
    drops the admin group from the tokens of an admin without MFA); ``all``: required for
    every account of the pool (docs/deploy.md, "Sign-in")."""
    ses_email_from: str = ""
    """Send Cognito's e-mail (codes, invitations) through SES from this verified address;
    empty uses Cognito's own sender, limited to 50 e-mails a day."""
    ses_region: str = ""
    """The SES region of ``ses_email_from`` when not the stack's (Cognito supports a few)."""
    events_archive_days: int = EVENT_BUS.archive_retention_days
    """How long the event bus's archive keeps every domain event for a replay (0: forever;
    docs/events.md)."""
    credential_key_generation: int = 1
    """Raise by one to rotate the credential signing key: a new KMS key signs from then on
    (docs/credentials.md, "Key rotation")."""
    credential_previous_key_arns: str = ""
    """Comma-separated ARNs of keys that signed credentials before a rotation: still published
    in the JWKS (so their credentials verify), never used to sign."""

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError("invalid CDK context: " + "; ".join(problems))

    def _problems(self) -> list[str]:
        checks = [
            (
                bool(_STAGE.match(self.stage)),
                "stage: 1-20 of a-z, 0-9 and '-', starting with a letter, not ending with '-', "
                "no '--'",
            ),
            (self.log_retention_days in _RETENTION, f"log_retention_days in {sorted(_RETENTION)}"),
            (self.events_archive_days >= 0, "events_archive_days must be 0 (forever) or more"),
            (self.credential_key_generation >= 1, "credential_key_generation must be 1 or more"),
            (
                all(a.startswith("arn:") and ":key/" in a for a in self.previous_credential_keys),
                "credential_previous_key_arns: comma-separated KMS key ARNs",
            ),
            (self.log_level in _LOG_LEVELS, f"log_level must be one of {sorted(_LOG_LEVELS)}"),
            (self.cache_type in get_args(CacheType), "cache_type must be serverless or nodes"),
            (0 <= self.cache_replicas <= 5, "cache_replicas must be 0..5"),
            (1 <= self.cache_max_data_gb <= 5000, "cache_max_data_gb must be 1..5000"),
            (self.cache_max_ecpu_per_second >= 1000, "cache_max_ecpu_per_second >= 1000"),
            (2 <= self.max_azs <= 3, "max_azs must be 2 or 3 (the cache needs two AZs)"),
            (
                self.max_azs == 2 or bool(self.zones),
                "max_azs=3 needs availability_zones: an environment-agnostic stack sees two",
            ),
            (
                not self.zones or (2 <= len(self.zones) <= 3 and all(map(_ZONE.match, self.zones))),
                "availability_zones: two or three names like us-east-1a, comma-separated",
            ),
            (0 < self.reminder_lead_hours <= 24, "reminder_lead_hours must be in (0, 24]"),
            (0 <= self.max_backdate_hours <= 24 * 7, "max_backdate_hours must be 0..168"),
            (1 <= self.notification_ttl_days <= 3650, "notification_ttl_days must be 1..3650"),
            (1 <= self.reconcile_every_minutes <= 1440, "reconcile_every_minutes: 1..1440"),
            (self.api_throttle_rate > 0, "api_throttle_rate must be > 0"),
            (self.api_throttle_burst >= self.api_throttle_rate, "burst must be >= rate"),
            (
                all(o == "*" or _ORIGIN.match(o) for o in self.allowed_origins),
                "cors_origins: comma-separated scheme://host[:port] origins, or *",
            ),
            (
                not (self.hosted_sign_in or self.sign_in_domain_prefix)
                or _valid_domain_prefix(self.sign_in_domain_stem),
                "sign_in_domain_prefix: 1-63 of a-z, 0-9 and '-', not starting or ending with "
                "'-', without 'aws', 'amazon' or 'cognito' (Cognito refuses them; the default "
                f"derives from the stage: gamify-{self.stage}-...)",
            ),
            (self.write_budget_per_minute >= 0, "write_budget_per_minute must be >= 0"),
            (1 <= self.league_seat_shards <= 100, "league_seat_shards must be 1..100"),
            (1 <= self.league_close_shards <= 100, "league_close_shards must be 1..100"),
            (1 <= self.reminder_shards <= 1000, "reminder_shards must be 1..1000"),
            (self.waf.lower() in {"", *_TRUE, *_FALSE}, "waf must be true, false or empty"),
            (10 <= self.waf_rate_limit <= 2_000_000_000, "waf_rate_limit must be >= 10"),
            (self.public_throttle_rate > 0, "public_throttle_rate must be > 0"),
            (
                self.public_throttle_burst >= self.public_throttle_rate,
                "public_throttle_burst must be >= public_throttle_rate",
            ),
            (
                bool(self.table_name) == bool(self.table_stream_arn),
                "table_name and table_stream_arn go together (an adopted table's stream)",
            ),
            (self.mfa in get_args(MfaPolicy), "mfa must be admins or all"),
            (
                not self.ses_email_from or "@" in self.ses_email_from,
                "ses_email_from must be an e-mail address",
            ),
            (
                not self.backup_copy_vault_arn
                or (
                    self.backup_copy_vault_arn.startswith("arn:")
                    and ":backup-vault:" in self.backup_copy_vault_arn
                ),
                "backup_copy_vault_arn must be a backup vault ARN",
            ),
        ]
        return [message for ok, message in checks if not ok]

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """``cors_origins`` as a list (the API functions read the same format, see api/cors.py)."""
        return CorsPolicy.parse(self.cors_origins).origins

    @property
    def hosted_sign_in(self) -> bool:
        """The hosted demo signs in with Cognito's hosted UI: it needs the stack's own pool (a
        pool of one's own gets its domain and clients from its owner)."""
        return self.web_hosting and not self.user_pool_id

    @property
    def sign_in_domain_stem(self) -> str:
        """The domain prefix as given, or the fixed part of the default (the stack adds
        ``-<8 hex digits>`` at deploy time)."""
        return self.sign_in_domain_prefix or f"gamify-{self.stage}"

    @property
    def waf_enabled(self) -> bool:
        """``waf`` as given, else on for the stage named ``prod``."""
        if self.waf:
            return self.waf.lower() in _TRUE
        return self.stage == "prod"

    @property
    def zones(self) -> list[str]:
        return [zone.strip() for zone in self.availability_zones.split(",") if zone.strip()]

    @property
    def log_retention(self) -> logs.RetentionDays:
        return _RETENTION[self.log_retention_days]

    @property
    def previous_credential_keys(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.credential_previous_key_arns.split(",") if a.strip())

    @property
    def stack_name(self) -> str:
        return f"Gamify-{self.stage}"

    @property
    def resource_prefix(self) -> str:
        """Prefix for physical names that must be unique per account and region."""
        return f"gamify-{self.stage}"

    @classmethod
    def from_context(cls, node: Node) -> StackConfig:
        """Read every field from CDK context; absent keys keep their defaults."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = node.try_get_context(field.name)
            if raw is not None:
                values[field.name] = _coerce(field.name, raw, field.default)
        return cls(**values)


def _valid_domain_prefix(prefix: str) -> bool:
    return bool(_DOMAIN_PREFIX.match(prefix)) and not any(
        word in prefix for word in _RESERVED_IN_DOMAIN_PREFIX
    )


def _coerce(name: str, raw: object, default: object) -> object:
    """Context from ``-c key=value`` is a string; from cdk.json it may already be typed."""
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError(f"invalid CDK context: {name} must be true or false, got {raw!r}")
    try:
        if isinstance(default, int):
            return int(cast(Any, raw))
        if isinstance(default, float):
            return float(cast(Any, raw))
    except (TypeError, ValueError):
        raise ValueError(f"invalid CDK context: {name} must be a number, got {raw!r}") from None
    return str(raw)
