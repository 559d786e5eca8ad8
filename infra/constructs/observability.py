"""Alarms that mean "someone should look", and one dashboard for the whole pipeline.

Every alarm notifies the alarm topic (subscribe e-mail with ``alarm_email``, or anything else to
the ``AlarmTopicArn`` output). The topic is encrypted with a key of its own because CloudWatch
cannot publish to a topic encrypted with the AWS-managed SNS key. Its policy must allow CloudWatch
to publish: a topic policy replaces SNS's default one, so ``enforce_ssl``'s Deny alone would leave
every alarm notifying nobody.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from gamification.services.board_truth import DRIFT_RATE_THRESHOLD
from infra.config import StackConfig
from infra.constructs.functions import GamifyFunction
from infra.constructs.ingestion_queue import IngestionQueue

FIVE_MINUTES = Duration.minutes(5)
OLDEST_MESSAGE_ALARM_SECONDS = 600
REMINDER_BACKLOG_ALARM_SECONDS = 1800
STREAM_LAG_ALARM_MS = 5 * 60 * 1000
PIPELINE_METRICS = (
    "ActivitiesApplied",
    "XpAwarded",
    "BadgesEarned",
    "LevelUps",
    "DuplicatesDropped",
    "VersionConflicts",
    "PoisonMessages",
)


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
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        self._alarm(
            "DeadLetters",
            dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            threshold=1,
            description="Activities in the DLQ: poison messages or retries exhausted",
        )
        self._alarm(
            "FailedInvocations",
            failed_invocations.metric_approximate_number_of_messages_visible(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            threshold=1,
            description="A scheduled job, backfill or push batch failed after all retries",
        )
        self._alarm(
            "QueueBacklogAge",
            activity_queue.metric_approximate_age_of_oldest_message(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            threshold=OLDEST_MESSAGE_ALARM_SECONDS,
            description="The oldest queued activity waits over 10 minutes: consumer stalled?",
        )
        api_5xx = cloudwatch.Metric(
            namespace="AWS/ApiGateway",
            metric_name="5XXError",
            dimensions_map={"ApiName": rest_api_name, "Stage": rest_api_stage},
            period=FIVE_MINUTES,
            statistic="Sum",
        )
        self._alarm("Api5xx", api_5xx, threshold=1, description="The API answered 5xx")
        for name, fn in functions.items():
            title = name.capitalize()
            self._alarm(
                f"{title}Errors",
                fn.function.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
                threshold=1,
                description=f"The {name} function raised errors",
            )
            self._alarm(
                f"{title}Throttles",
                fn.function.metric_throttles(period=FIVE_MINUTES, statistic="Sum"),
                threshold=1,
                description=f"The {name} function was throttled",
            )
        self._alarm(
            "LeagueWeekOpen",
            _own_metric(config, "LeagueWeekOpen", "leagues", "Maximum"),
            threshold=1,
            description="A league week is not closed 2 hours after it ended: failing job, or "
            "too few league_close_shards",
        )
        self._reminder_alarms(config, reminder_queue)
        self._alarm(
            "LeaderboardDriftPersists",
            # The hour's minimum: every check drifted although each started a full pass, so
            # the rebuilds do not hold (projector failing or lagging, a bug), not one lost write.
            _own_metric(config, "DriftSampleRate", "reconciler", "Minimum"),
            threshold=100 * DRIFT_RATE_THRESHOLD,  # the metric is a percentage
            description="Every sampled leaderboard drift check of an hour found drift although "
            "each started a rebuild: projector failing or a bug",
        )
        push_lag = dispatcher.function.metric(
            "IteratorAge", period=FIVE_MINUTES, statistic="Maximum"
        )
        self._alarm(
            "PushLag",
            push_lag,
            threshold=STREAM_LAG_ALARM_MS,
            description="Notifications wait over 5 minutes in the stream before being pushed",
        )
        self._alarm(
            "ProjectorLag",
            projector.function.metric("IteratorAge", period=FIVE_MINUTES, statistic="Maximum"),
            threshold=STREAM_LAG_ALARM_MS,
            description="The boards lag the table by over 5 minutes: projector stalled or failing",
        )

        self.dashboard = self._dashboard(
            config=config,
            api_5xx=api_5xx,
            rest_api_name=rest_api_name,
            rest_api_stage=rest_api_stage,
            activity_queue=activity_queue,
            dead_letter_queue=dead_letter_queue,
            functions=functions,
            push_lag=push_lag,
        )

    def function_alarms(self, name: str) -> list[cloudwatch.IAlarm]:
        """The alarms that say the ``name`` function is failing: a canary deployment of it rolls
        back when one goes off (``deployments.GradualDeployments``)."""
        return [self.alarms[f"{name.capitalize()}Errors"]]

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

    def _reminder_alarms(self, config: StackConfig, reminder_queue: IngestionQueue) -> None:
        """An hour's reminders not all sent in time: the notifier counts the shards of the hour
        before last still unfinished, and a unit waiting half an hour means this hour's tail is
        late already (the fan-out runs every shard at once, each well within minutes)."""
        self._alarm(
            "ReminderShardsLate",
            _own_metric(config, "ReminderShardsLate", "notifier", "Maximum"),
            threshold=1,
            description="Streak reminders of an hour not all sent an hour after it ended: "
            "worker failing or too slow (reminder_shards, the worker's concurrency)",
        )
        self._alarm(
            "ReminderBacklogAge",
            reminder_queue.queue.metric_approximate_age_of_oldest_message(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            threshold=REMINDER_BACKLOG_ALARM_SECONDS,
            description="A reminder unit waits over 30 minutes: this hour's reminders run late",
        )
        self._alarm(
            "ReminderDeadLetters",
            reminder_queue.dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            threshold=1,
            description="Reminder units in their DLQ: retries exhausted or a malformed unit",
        )

    def _alarm(
        self, alarm_id: str, metric: cloudwatch.Metric, *, threshold: float, description: str
    ) -> None:
        alarm = metric.create_alarm(
            self,
            alarm_id,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms[alarm_id] = alarm

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
                title="Alarms", width=24, alarms=list(self.alarms.values())
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
