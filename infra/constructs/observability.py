"""Alarms that mean "someone should look", a composite that says "the service is degraded",
and one dashboard for the whole pipeline.

Every alarm notifies the alarm topic (subscribe e-mail with ``alarm_email``, or anything else to
the ``AlarmTopicArn`` output) and names its section of ``docs/runbook.md`` in its description. The
topic is encrypted with a key of its own because CloudWatch cannot publish to a topic encrypted
with the AWS-managed SNS key. Its policy must allow CloudWatch to publish: a topic policy replaces
SNS's default one, so ``enforce_ssl``'s Deny alone would leave every alarm notifying nobody.

How the alarms decide (docs/runbook.md explains each):

* a metric that is non-zero in normal operation (5xx answers, latency, errors, throttles, ages,
  lags) alarms on a *rate or age* held over M of N periods, never on one datapoint: a 503 that a
  board answers before its first snapshot, or one failed reminder unit that is retried, is
  normal;
* a dead-letter or failed-invocations queue alarms on *new arrivals* (the change of its depth),
  not on its depth: every failure notifies once, and a queue nobody drains does not keep the
  alarm in ALARM, silencing the next failure. SQS's ``NumberOfMessagesSent`` would miss the
  messages a redrive policy moves to a DLQ, so the depth (visible + in flight) is differenced;
* every schedule has a heartbeat (EventBridge's invocations of its rule) where missing data is
  breaching: a job that silently stops running pages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from gamification.adapters.redis_client import UNREACHABLE_METRIC
from gamification.resources import Schedule
from gamification.services.board_truth import DRIFT_RATE_THRESHOLD
from infra.config import StackConfig
from infra.constructs.functions import GamifyFunction, id_of
from infra.constructs.ingestion_queue import IngestionQueue
from infra.constructs.leaderboard_cache import LeaderboardCache

RUNBOOK = "docs/runbook.md"
ONE_MINUTE = Duration.minutes(1)
FIVE_MINUTES = Duration.minutes(5)
OLDEST_MESSAGE_ALARM_SECONDS = 600
REMINDER_BACKLOG_ALARM_SECONDS = 1800
DEAD_LETTER_EXPIRY_WARNING_DAYS = 12
"""The activity DLQ keeps a letter 14 days: two days' notice before one is lost for good."""
STREAM_LAG_ALARM_MS = 5 * 60 * 1000
API_5XX_RATE_PERCENT = 5.0
API_MIN_REQUESTS = 20
"""Below this many requests in 5 minutes the 5xx rate says nothing (one 503 of two requests)."""
API_P99_LATENCY_MS = 2500
FUNCTION_ERROR_RATE_PERCENT = 5.0
NEAR_LIMIT = 0.8
"""A cache quota (ECPU per second, stored data, memory, CPU) alarms at 80% of its limit."""
CACHE_THROTTLE_RATE_PERCENT = 1.0
DYNAMODB_OPERATIONS = (
    dynamodb.Operation.GET_ITEM,
    dynamodb.Operation.BATCH_GET_ITEM,
    dynamodb.Operation.QUERY,
    dynamodb.Operation.PUT_ITEM,
    dynamodb.Operation.UPDATE_ITEM,
    dynamodb.Operation.BATCH_WRITE_ITEM,
    dynamodb.Operation.TRANSACT_WRITE_ITEMS,
)
"""The operations the functions call (an alarm reads at most 10 metrics)."""
PIPELINE_METRICS = (
    "ActivitiesApplied",
    "XpAwarded",
    "BadgesEarned",
    "LevelUps",
    "DuplicatesDropped",
    "VersionConflicts",
    "PoisonMessages",
)


WEBHOOK_COUNT_ALARMS = (
    (
        "WebhookEndpointFailing",
        "WebhookEndpointsFailing",
        "webhook-endpoint-failing",
        "A webhook endpoint failed every attempt of an event for 24 hours: it is marked failing "
        "(GET /v1/admin/webhooks/{id}/deliveries)",
    ),
    (
        "WebhookEndpointPaused",
        "WebhookEndpointsPaused",
        "webhook-endpoint-paused",
        "A webhook endpoint failing for 3 days was paused (active false): nothing is sent to it "
        "until an admin resumes it",
    ),
    (
        "WebhookDeliveriesRefused",
        "WebhooksRefused",
        "webhook-deliveries-refused",
        "The SSRF guard refused a webhook endpoint's address (private, loopback, link-local...): "
        "its deliveries are parked, not retried",
    ),
)
"""The sender's own counts: (alarm, metric, runbook anchor, description); one is trouble."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """``datapoints`` breaching periods out of the last ``periods`` put an alarm in ALARM."""

    periods: int
    datapoints: int

    @classmethod
    def every(cls, periods: int) -> Evaluation:
        return cls(periods, periods)


ONCE = Evaluation(1, 1)
"""Only for a quantity that is zero in normal operation (an arrival, a late week)."""
SUSTAINED = Evaluation(5, 3)
"""Three periods out of five: a blip is normal, a trend is not."""


def heartbeat_evaluation(rate_minutes: int) -> tuple[Duration, Evaluation]:
    """Period and evaluation of a schedule's heartbeat: no run for at least two rates (and at
    least 15 minutes), in periods of at least 5 minutes and at most a day (CloudWatch's limit
    on a period of an alarm that spans days)."""
    window = max(2 * rate_minutes, 15)
    period = min(max(2 * rate_minutes, 5), 1440)
    return Duration.minutes(period), Evaluation.every(math.ceil(window / period))


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        rest_api_name: str,
        rest_api_stage: str,
        activity_queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
        failed_invocations: sqs.IQueue,
        functions: Mapping[str, GamifyFunction],
        dispatcher: GamifyFunction,
        projector: GamifyFunction,
        reminder_queue: IngestionQueue,
        table: dynamodb.ITable,
        cache: LeaderboardCache,
        schedules: Mapping[str, events.Rule],
        schedule_specs: Mapping[str, Schedule],
    ) -> None:
        super().__init__(scope, construct_id)
        key = kms.Key(
            self,
            "AlarmTopicKey",
            description="Encrypts the Gamify alarm topic (CloudWatch publishes to it)",
            enable_key_rotation=True,
            pending_window=Duration.days(7),
            removal_policy=RemovalPolicy.DESTROY,
        )
        key.grant(
            iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
        )
        self.alarm_topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name="Gamify alarms",
            master_key=key,
            enforce_ssl=True,
        )
        self._allow_cloudwatch_alarms(self.alarm_topic)
        if config.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self._action = actions.SnsAction(self.alarm_topic)
        self._config = config
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self.function_error_alarms: dict[str, cloudwatch.Alarm] = {}
        """Each function's error-rate alarm, by function name (a deployment can roll back on it)."""

        self._arrival_alarm(
            "DeadLetters",
            dead_letter_queue,
            "dead-letters",
            "New activities in the DLQ: a poison message, or retries exhausted",
        )
        self._arrival_alarm(
            "FailedInvocations",
            failed_invocations,
            "failed-invocations",
            "A scheduled job, backfill, erasure or stream batch failed after all retries",
        )
        self._alarm(
            "DeadLettersExpiring",
            dead_letter_queue.metric_approximate_age_of_oldest_message(
                period=Duration.hours(1), statistic="Maximum"
            ),
            threshold=DEAD_LETTER_EXPIRY_WARNING_DAYS * 86400,
            evaluation=Evaluation.every(2),
            anchor="dead-letters-expiring",
            description="A dead letter is over 12 days old: the DLQ deletes it at 14 days",
        )
        self._alarm(
            "QueueBacklogAge",
            activity_queue.metric_approximate_age_of_oldest_message(
                period=ONE_MINUTE, statistic="Maximum"
            ),
            threshold=OLDEST_MESSAGE_ALARM_SECONDS,
            evaluation=SUSTAINED,
            anchor="queue-backlog-age",
            description="The oldest queued activity waits over 10 minutes: consumer stalled?",
        )
        api_5xx = self._api_alarms(rest_api_name, rest_api_stage)
        self._function_alarms(functions)
        self._stream_alarms(dispatcher, projector)
        self._own_metric_alarms(config)
        self._reminder_alarms(config, reminder_queue)
        self._table_alarms(table)
        self._cache_alarms(config, cache)
        self._heartbeats(schedules, schedule_specs)
        self.service_degraded = self._service_degraded()

        self.dashboard = self._dashboard(
            config=config,
            api_5xx=api_5xx,
            rest_api_name=rest_api_name,
            rest_api_stage=rest_api_stage,
            activity_queue=activity_queue,
            dead_letter_queue=dead_letter_queue,
            functions=functions,
            push_lag=dispatcher.function.metric(
                "IteratorAge", period=FIVE_MINUTES, statistic="Maximum"
            ),
        )

    def watch_domain_events(
        self, publisher: GamifyFunction, dead_letters: sqs.IQueue, webhook_dlq: sqs.IQueue
    ) -> None:
        """The domain events' alarms: the publisher lagging the table, refused events, webhook
        messages that kept failing, and endpoints that failed for 24 hours."""
        self._alarm(
            "EventsLag",
            publisher.function.metric("IteratorAge", period=ONE_MINUTE, statistic="Maximum"),
            threshold=STREAM_LAG_ALARM_MS,
            evaluation=SUSTAINED,
            anchor="events-lag",
            description="Domain events wait over 5 minutes in the stream before reaching the "
            "event bus: publisher stalled or failing",
        )
        self._arrival_alarm(
            "EventDeadLetters",
            dead_letters,
            "event-dead-letters",
            "New domain events in their DLQ: the event bus refused them after every retry",
        )
        self._arrival_alarm(
            "WebhookDeadLetters",
            webhook_dlq,
            "webhook-dead-letters",
            "New messages in the webhook DLQ: the sender failed on them 5 times (table or queue)",
        )
        for alarm_id, metric, anchor, description in WEBHOOK_COUNT_ALARMS:
            self._alarm(
                alarm_id,
                _own_metric(self._config, metric, "webhooks", "Sum"),
                threshold=1,
                evaluation=ONCE,
                anchor=anchor,
                description=description,
            )

    def error_rate_alarm(self, function: str) -> cloudwatch.IAlarm:
        """The alarm a gradual deployment of ``function`` should roll back on."""
        return self.function_error_alarms[function]

    # --- the alarms ------------------------------------------------------------------------

    def _arrival_alarm(
        self, alarm_id: str, queue: sqs.IQueue, anchor: str, description: str
    ) -> None:
        """New messages in a queue nobody consumes: the minute's depth (visible + in flight, so
        reading a message to look at it changes nothing) minus the minute before. An empty idle
        queue publishes no datapoints (SQS reports inactive queues not at all), hence ``FILL``
        with 0; a redrive or a purge is a negative change and never alarms."""
        arrivals = cloudwatch.MathExpression(
            expression="DIFF(FILL(visible, 0) + FILL(inflight, 0))",
            using_metrics={
                "visible": queue.metric_approximate_number_of_messages_visible(
                    period=ONE_MINUTE, statistic="Maximum"
                ),
                "inflight": queue.metric_approximate_number_of_messages_not_visible(
                    period=ONE_MINUTE, statistic="Maximum"
                ),
            },
            period=ONE_MINUTE,
            label="messages arrived",
        )
        self._alarm(
            alarm_id,
            arrivals,
            threshold=0,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation=ONCE,
            anchor=anchor,
            description=description,
        )

    def _api_alarms(self, rest_api_name: str, rest_api_stage: str) -> cloudwatch.Metric:
        def api_metric(name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map={"ApiName": rest_api_name, "Stage": rest_api_stage},
                period=FIVE_MINUTES,
                statistic=statistic,
            )

        api_5xx = api_metric("5XXError", "Sum")
        self._alarm(
            "Api5xxRate",
            cloudwatch.MathExpression(
                expression=(
                    f"IF(requests >= {API_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)"
                ),
                using_metrics={"errors": api_5xx, "requests": api_metric("Count", "Sum")},
                period=FIVE_MINUTES,
                label="5xx (% of requests)",
            ),
            threshold=API_5XX_RATE_PERCENT,
            evaluation=SUSTAINED,
            anchor="api-5xx-rate",
            description=f"Over {API_5XX_RATE_PERCENT:g}% of API requests answered 5xx in 3 of "
            "5 periods of 5 minutes",
        )
        self._alarm(
            "ApiLatencyP99",
            api_metric("Latency", "p99"),
            threshold=API_P99_LATENCY_MS,
            evaluation=SUSTAINED,
            anchor="api-latency-p99",
            description=f"API p99 latency over {API_P99_LATENCY_MS} ms in 3 of 5 periods",
            low_sample_count="ignore",
        )
        return api_5xx

    def _function_alarms(self, functions: Mapping[str, GamifyFunction]) -> None:
        for name, fn in functions.items():
            title = id_of(name)
            self.function_error_alarms[name] = self._alarm(
                f"{title}ErrorRate",
                cloudwatch.MathExpression(
                    expression="IF(invocations > 0, 100 * FILL(errors, 0) / invocations, 0)",
                    using_metrics={
                        "errors": fn.function.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
                        "invocations": fn.function.metric_invocations(
                            period=FIVE_MINUTES, statistic="Sum"
                        ),
                    },
                    period=FIVE_MINUTES,
                    label=f"{name} errors (% of invocations)",
                ),
                threshold=FUNCTION_ERROR_RATE_PERCENT,
                evaluation=SUSTAINED,
                anchor="function-error-rate",
                description=f"Over {FUNCTION_ERROR_RATE_PERCENT:g}% of the {name} function's "
                "invocations failed in 3 of 5 periods of 5 minutes",
            )
            self._alarm(
                f"{title}Throttles",
                fn.function.metric_throttles(period=FIVE_MINUTES, statistic="Sum"),
                threshold=1,
                evaluation=SUSTAINED,
                anchor="function-throttles",
                description=f"The {name} function was throttled in 3 of 5 periods of 5 minutes",
            )

    def _stream_alarms(self, dispatcher: GamifyFunction, projector: GamifyFunction) -> None:
        for alarm_id, fn, anchor, description in (
            (
                "PushLag",
                dispatcher,
                "push-lag",
                "Notifications wait over 5 minutes in the stream before being pushed",
            ),
            (
                "ProjectorLag",
                projector,
                "projector-lag",
                "The boards lag the table by over 5 minutes: projector stalled or failing",
            ),
        ):
            self._alarm(
                alarm_id,
                fn.function.metric("IteratorAge", period=ONE_MINUTE, statistic="Maximum"),
                threshold=STREAM_LAG_ALARM_MS,
                evaluation=SUSTAINED,
                anchor=anchor,
                description=description,
            )

    def _own_metric_alarms(self, config: StackConfig) -> None:
        """Metrics the jobs publish that are zero unless something is wrong, hourly."""
        self._alarm(
            "LeagueWeekOpen",
            _own_metric(config, "LeagueWeekOpen", "leagues", "Maximum"),
            threshold=1,
            evaluation=ONCE,
            anchor="league-week-open",
            description="A league week is not closed 2 hours after it ended: failing job, or "
            "too few league_close_shards",
        )
        self._alarm(
            "LeaderboardDriftPersists",
            # The hour's minimum: every check drifted although each started a full pass, so
            # the rebuilds do not hold (projector failing or lagging, a bug), not one lost write.
            _own_metric(config, "DriftSampleRate", "reconciler", "Minimum"),
            threshold=100 * DRIFT_RATE_THRESHOLD,  # the metric is a percentage
            evaluation=ONCE,
            anchor="leaderboard-drift-persists",
            description="Every sampled leaderboard drift check of an hour found drift although "
            "each started a rebuild: projector failing or a bug",
        )

    def _reminder_alarms(self, config: StackConfig, reminder_queue: IngestionQueue) -> None:
        """An hour's reminders not all sent in time: the fan-out counts the shards of the hour
        before last still unfinished, and a unit waiting half an hour means this hour's tail is
        late already (the fan-out runs every shard at once, each well within minutes)."""
        self._alarm(
            "ReminderShardsLate",
            _own_metric(config, "ReminderShardsLate", "reminder_fanout", "Maximum"),
            threshold=1,
            evaluation=ONCE,
            anchor="reminder-shards-late",
            description="Streak reminders of an hour not all sent an hour after it ended: "
            "the reminder sender failing or too slow (reminder_shards, its concurrency)",
        )
        self._alarm(
            "ReminderBacklogAge",
            reminder_queue.queue.metric_approximate_age_of_oldest_message(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            threshold=REMINDER_BACKLOG_ALARM_SECONDS,
            evaluation=Evaluation.every(2),
            anchor="reminder-backlog-age",
            description="A reminder unit waits over 30 minutes: this hour's reminders run late",
        )
        self._arrival_alarm(
            "ReminderDeadLetters",
            reminder_queue.dead_letter_queue,
            "reminder-dead-letters",
            "New reminder units in their DLQ: retries exhausted or a malformed unit",
        )

    def _table_alarms(self, table: dynamodb.ITable) -> None:
        throttles = cloudwatch.MathExpression(
            expression="FILL(reads, 0) + FILL(writes, 0)",
            using_metrics={
                "reads": table.metric("ReadThrottleEvents", period=FIVE_MINUTES, statistic="Sum"),
                "writes": table.metric("WriteThrottleEvents", period=FIVE_MINUTES, statistic="Sum"),
            },
            period=FIVE_MINUTES,
            label="throttle events",
        )
        self._alarm(
            "TableThrottles",
            throttles,
            threshold=1,
            evaluation=SUSTAINED,
            anchor="table-throttles",
            description="DynamoDB throttled reads or writes in 3 of 5 periods of 5 minutes",
        )
        self._alarm(
            "TableSystemErrors",
            table.metric_system_errors_for_operations(
                operations=list(DYNAMODB_OPERATIONS), period=FIVE_MINUTES, statistic="Sum"
            ),
            threshold=1,
            evaluation=SUSTAINED,
            anchor="table-system-errors",
            description="DynamoDB answered 500s (system errors) in 3 of 5 periods of 5 minutes",
        )

    def _cache_alarms(self, config: StackConfig, cache: LeaderboardCache) -> None:
        unreachable = {
            f"m{i}": _own_metric(config, UNREACHABLE_METRIC, fn.spec.name, "Sum", ONE_MINUTE)
            for i, fn in enumerate(cache.clients)
        }
        self._alarm(
            "CacheUnreachable",
            cloudwatch.MathExpression(
                expression=" + ".join(f"FILL({name}, 0)" for name in unreachable),
                using_metrics=unreachable,
                period=ONE_MINUTE,
                label="failed cache connections",
            ),
            threshold=1,
            evaluation=SUSTAINED,
            anchor="cache-unreachable",
            description="The functions could not connect to the cache in 3 of 5 minutes: "
            "boards served stale from the snapshot",
        )
        if cache.serverless:
            self._serverless_cache_alarms(config, cache)
        else:
            self._node_cache_alarms(cache)

    def _serverless_cache_alarms(self, config: StackConfig, cache: LeaderboardCache) -> None:
        def metric(name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ElastiCache",
                metric_name=name,
                dimensions_map={"clusterId": cache.cache_name},  # serverless: not CacheClusterId
                period=FIVE_MINUTES,
                statistic=statistic,
            )

        self._alarm(
            "CacheThrottled",
            cloudwatch.MathExpression(
                expression="IF(commands > 0, 100 * FILL(throttled, 0) / commands, 0)",
                using_metrics={
                    "throttled": metric("ThrottledCmds", "Sum"),
                    "commands": metric("TotalCmdsCount", "Sum"),
                },
                period=FIVE_MINUTES,
                label="throttled commands (%)",
            ),
            threshold=CACHE_THROTTLE_RATE_PERCENT,
            evaluation=SUSTAINED,
            anchor="cache-throttled",
            description="The cache throttled over 1% of commands in 3 of 5 periods: at the ECPU "
            "cap (cache_max_ecpu_per_second) or scaling slower than the load",
        )
        self._alarm(
            "CacheEcpuNearLimit",
            cloudwatch.MathExpression(
                expression="ecpu / PERIOD(ecpu)",
                using_metrics={"ecpu": metric("ElastiCacheProcessingUnits", "Sum")},
                period=FIVE_MINUTES,
                label="ECPU per second",
            ),
            threshold=NEAR_LIMIT * config.cache_max_ecpu_per_second,
            evaluation=SUSTAINED,
            anchor="cache-ecpu-near-limit",
            description="The cache uses over 80% of its ECPU-per-second cap in 3 of 5 periods",
        )
        self._alarm(
            "CacheDataNearLimit",
            metric("BytesUsedForCache", "Maximum"),
            threshold=NEAR_LIMIT * config.cache_max_data_gb * 10**9,
            evaluation=Evaluation.every(3),
            anchor="cache-data-near-limit",
            description="The cache holds over 80% of cache_max_data_gb: writes fail at the cap",
        )

    def _node_cache_alarms(self, cache: LeaderboardCache) -> None:
        def busiest(name: str) -> cloudwatch.MathExpression:
            members = {
                f"n{i}": cloudwatch.Metric(
                    namespace="AWS/ElastiCache",
                    metric_name=name,
                    dimensions_map={"CacheClusterId": member},
                    period=FIVE_MINUTES,
                    statistic="Maximum",
                )
                for i, member in enumerate(cache.member_clusters)
            }
            return cloudwatch.MathExpression(
                expression=f"MAX([{', '.join(members)}])",
                using_metrics=members,
                period=FIVE_MINUTES,
                label=f"{name} (busiest node)",
            )

        self._alarm(
            "CacheMemoryHigh",
            busiest("DatabaseMemoryUsagePercentage"),
            threshold=100 * NEAR_LIMIT,
            evaluation=Evaluation.every(3),
            anchor="cache-memory-high",
            description="A cache node uses over 80% of its memory: evictions next",
        )
        self._alarm(
            "CacheCpuHigh",
            busiest("EngineCPUUtilization"),
            threshold=100 * NEAR_LIMIT,
            evaluation=SUSTAINED,
            anchor="cache-cpu-high",
            description="A cache node's engine thread is over 80% busy in 3 of 5 periods",
        )

    def _heartbeats(
        self, schedules: Mapping[str, events.Rule], specs: Mapping[str, Schedule]
    ) -> None:
        """EventBridge's invocations of each schedule's rule: none for two rates pages (a
        disabled or deleted rule, a target it can no longer invoke)."""
        for name, rule in schedules.items():
            period, evaluation = heartbeat_evaluation(specs[name].rate_minutes)
            title = id_of(name)
            self._alarm(
                f"{title}Heartbeat",
                cloudwatch.Metric(
                    namespace="AWS/Events",
                    metric_name="Invocations",
                    dimensions_map={"RuleName": rule.rule_name},
                    period=period,
                    statistic="Sum",
                ),
                threshold=1,
                comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                evaluation=evaluation,
                missing=cloudwatch.TreatMissingData.BREACHING,
                anchor="job-heartbeat",
                description=f"The {name} schedule did not run for "
                f"{period.to_minutes() * evaluation.periods} minutes",
            )

    def _service_degraded(self) -> cloudwatch.CompositeAlarm:
        """What a user notices: errors or slowness at the API, activities or boards falling
        behind, the cache or the table failing. Route this one to a pager."""
        names = [
            "Api5xxRate",
            "ApiLatencyP99",
            "QueueBacklogAge",
            "ProjectorLag",
            "CacheUnreachable",
            "TableThrottles",
            "TableSystemErrors",
            "ConsumerErrorRate",
        ]
        names += [n for n in ("CacheThrottled", "CacheCpuHigh") if n in self.alarms]
        composite = cloudwatch.CompositeAlarm(
            self,
            "ServiceDegraded",
            alarm_rule=cloudwatch.AlarmRule.any_of(
                *(
                    cloudwatch.AlarmRule.from_alarm(self.alarms[n], cloudwatch.AlarmState.ALARM)
                    for n in names
                )
            ),
            alarm_description=_described(
                "Users see errors, slowness or stale boards: one of the user-facing alarms is "
                "in ALARM",
                "service-degraded",
            ),
        )
        composite.add_alarm_action(self._action)
        composite.add_ok_action(self._action)
        return composite

    @staticmethod
    def _allow_cloudwatch_alarms(topic: sns.Topic) -> None:
        """Let this account's alarms (and only them) publish: the Deny of ``enforce_ssl`` is the
        topic's whole policy otherwise, and SNS's default policy no longer applies."""
        stack = Stack.of(topic)
        alarms = stack.format_arn(
            service="cloudwatch",
            resource="alarm",
            resource_name="*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": alarms},
                },
            )
        )

    def _alarm(
        self,
        alarm_id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        evaluation: Evaluation,
        anchor: str,
        description: str,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
        low_sample_count: str | None = None,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            alarm_id,
            metric=metric,
            alarm_description=_described(description, anchor),
            threshold=threshold,
            evaluation_periods=evaluation.periods,
            datapoints_to_alarm=evaluation.datapoints,
            comparison_operator=comparison,
            treat_missing_data=missing,
            evaluate_low_sample_count_percentile=low_sample_count,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms[alarm_id] = alarm
        return alarm

    def _dashboard(
        self,
        *,
        config: StackConfig,
        api_5xx: cloudwatch.Metric,
        rest_api_name: str,
        rest_api_stage: str,
        activity_queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
        functions: Mapping[str, GamifyFunction],
        push_lag: cloudwatch.Metric,
    ) -> cloudwatch.Dashboard:
        def api_metric(name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map={"ApiName": rest_api_name, "Stage": rest_api_stage},
                period=FIVE_MINUTES,
                statistic=statistic,
                label=f"{name} {statistic}",
            )

        def per_function(title: str, metric_name: str, statistic: str) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(
                title=title,
                width=8,
                left=[
                    fn.function.metric(
                        metric_name, period=FIVE_MINUTES, statistic=statistic, label=name
                    )
                    for name, fn in functions.items()
                ],
            )

        dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=config.stack_name, default_interval=Duration.hours(6)
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API requests and errors",
                width=12,
                left=[api_metric("Count", "Sum"), api_metric("4XXError", "Sum"), api_5xx],
            ),
            cloudwatch.GraphWidget(
                title="API latency (ms)",
                width=12,
                left=[api_metric("Latency", stat) for stat in ("p50", "p90", "p99")],
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Activity queue",
                width=8,
                left=[
                    activity_queue.metric_approximate_number_of_messages_visible(
                        period=FIVE_MINUTES, label="visible"
                    ),
                    dead_letter_queue.metric_approximate_number_of_messages_visible(
                        period=FIVE_MINUTES, label="in DLQ"
                    ),
                ],
                right=[
                    activity_queue.metric_approximate_age_of_oldest_message(
                        period=FIVE_MINUTES, label="oldest (s)"
                    )
                ],
            ),
            cloudwatch.GraphWidget(
                title="Pipeline (consumer)",
                width=8,
                left=[
                    _own_metric(config, name, "consumer", "Sum", FIVE_MINUTES)
                    for name in PIPELINE_METRICS
                ],
            ),
            cloudwatch.GraphWidget(title="Push lag (ms)", width=8, left=[push_lag]),
        )
        dashboard.add_widgets(
            per_function("Invocations", "Invocations", "Sum"),
            per_function("Errors", "Errors", "Sum"),
            per_function("Duration p99 (ms)", "Duration", "p99"),
        )
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(
                title="Alarms",
                width=24,
                alarms=[self.service_degraded, *self.alarms.values()],
            )
        )
        return dashboard


def _own_metric(
    config: StackConfig,
    metric_name: str,
    service: str,
    statistic: str,
    period: Duration | None = None,
) -> cloudwatch.Metric:
    """A metric one of our functions publishes (Powertools: our namespace, its ``service``
    dimension), hourly unless said: the jobs that report these run hourly or more often."""
    return cloudwatch.Metric(
        namespace=config.metrics_namespace,
        metric_name=metric_name,
        dimensions_map={"service": service},
        period=period or Duration.hours(1),
        statistic=statistic,
    )


def _described(text: str, anchor: str) -> str:
    """An alarm's description: what happened, and where the runbook says what to do."""
    return f"{text}. Runbook: {RUNBOOK}#{anchor}"
