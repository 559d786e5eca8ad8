"""Domain events out: the stage's EventBridge bus, its archive, the publisher that feeds it, and
the webhook sender that a rule on the bus feeds.

The consumer writes each commit's events into the profile it commits (the outbox); the table's
stream, filtered to profile writes that carry events, invokes the publisher (outside the VPC: it
needs no Redis), which puts them on the custom bus ``gamify-<stage>`` in batches of 10. Entries
the bus refuses after the publisher's retries go to the events' dead-letter queue with the
reason; a batch that keeps failing as a whole lands in the failed-invocations queue (both
alarm). The archive keeps every event for ``events_archive_days`` so a subscriber can replay.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from gamification.adapters import keys
from gamification.domain.event_catalog import SOURCE
from gamification.resources import EVENT_BUS, EVENTS, WEBHOOK_QUEUE
from infra.config import StackConfig
from infra.constructs.data import Data, TableAccess
from infra.constructs.functions import FunctionSpec, GamifyFunction, LambdaRuntime
from infra.constructs.ingestion_queue import IngestionQueue
from infra.constructs.processing import stream_source
from infra.nag import acknowledge


class DomainEvents(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        data: Data,
        runtime: LambdaRuntime,
        failures: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(
            self, "EventBus", event_bus_name=EVENT_BUS.bus_name(config.stage)
        )
        days = config.events_archive_days
        self.archive = self.bus.archive(
            "Archive",
            archive_name=f"{config.resource_prefix}-events",
            description="Every domain event, for replays (docs/events.md)",
            event_pattern=events.EventPattern(source=[SOURCE]),
            retention=Duration.days(days) if days else None,
        )
        self.dead_letters = sqs.Queue(
            self,
            "EventDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.seconds(EVENT_BUS.dlq_retention_seconds),
        )
        acknowledge(
            self.dead_letters,
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter destination of the event publisher (events "
            "the bus refused, with the reason); nothing consumes it, so a DLQ of its own would "
            "never fill.",
        )
        self.publisher = GamifyFunction(
            self,
            "Publisher",
            spec=FunctionSpec(
                name=EVENTS.function,
                description="Puts committed domain events on the stage's event bus (outbox)",
                timeout=Duration.seconds(60),
                memory_mb=256,
                environment={
                    "EVENT_BUS_NAME": self.bus.event_bus_name,
                    "EVENTS_DLQ_URL": self.dead_letters.queue_url,
                    "GAMIFY_STAGE": config.stage,
                },
            ),
            runtime=runtime,
        )
        self.publisher.allow(["events:PutEvents"], [self.bus.event_bus_arn], "PutDomainEvents")
        self.publisher.allow(
            ["sqs:SendMessage"], [self.dead_letters.queue_arn], "DeadLetterRefusedEvents"
        )
        # The same settings the local stack's stream poller applies (gamification.resources).
        self.publisher.alias.add_event_source(stream_source(data, EVENTS, failures))
        acknowledge(
            self.publisher.role,
            "AwsSolutions-IAM5[Resource::*]",
            "dynamodb:ListStreams, granted for the stream event source, does not support "
            "resource-level permissions; the stream itself is read only through its own ARN.",
        )
        self._webhooks(data, runtime, retain_data=config.retain_data)

    def _webhooks(self, data: Data, runtime: LambdaRuntime, *, retain_data: bool) -> None:
        """A rule sends every event to the webhook queue; the sender (outside the VPC) fans it
        out into one message per endpoint and makes each attempt a message of its own."""
        self.webhook_queue = IngestionQueue(self, "WebhookQueue", spec=WEBHOOK_QUEUE)
        queue = self.webhook_queue.queue
        # Signing secrets are stored sealed with this key (kms:Encrypt, the endpoint's id as
        # encryption context): the admin function may only encrypt, the sender only decrypt.
        self.webhook_key = kms.Key(
            self,
            "WebhookSecretsKey",
            description="Seals webhook signing secrets (docs/events.md)",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY,
        )
        self.webhook_rule = events.Rule(
            self,
            "WebhookRule",
            event_bus=self.bus,
            description="Every domain event to the webhook sender's queue",
            event_pattern=events.EventPattern(source=[SOURCE]),
            targets=[targets.SqsQueue(queue)],
        )
        self.webhook_sender = GamifyFunction(
            self,
            "WebhookSender",
            spec=FunctionSpec(
                name="webhooks",
                description="Delivers domain events to webhook endpoints (signed, retried)",
                timeout=Duration.seconds(WEBHOOK_QUEUE.consumer_timeout_seconds),
                memory_mb=256,
                environment={
                    "WEBHOOK_QUEUE_URL": queue.queue_url,
                    "WEBHOOK_KEY_ID": self.webhook_key.key_arn,
                },
            ),
            runtime=runtime,
        )
        data.grant(self.webhook_sender, WEBHOOK_SENDER_TABLE_ACCESS)
        for sid, action, key_family in (
            ("LeaveDeliveryLines", "DeleteItem", WEBHOOK_LINE_KEYS),
            ("MarkEndpointHealth", "UpdateItem", (keys.WEBHOOKS_PK,)),
        ):
            self.webhook_sender.role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid=sid,
                    actions=[f"dynamodb:{action}"],
                    resources=[data.table.table_arn],
                    conditions=TableAccess(
                        writes=(action,), write_keys=key_family
                    ).leading_keys_condition(),
                )
            )
        self.webhook_sender.allow(["sqs:SendMessage"], [queue.queue_arn], "QueueAttempts")
        self.webhook_sender.allow(["kms:Decrypt"], [self.webhook_key.key_arn], "OpenWebhookSecrets")
        self.webhook_sender.alias.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=WEBHOOK_QUEUE.batch_size,
                max_concurrency=WEBHOOK_QUEUE.max_concurrency,
                report_batch_item_failures=True,
            )
        )


WEBHOOK_SENDER_TABLE_ACCESS = TableAccess(
    # The endpoints (one partition, queried whole; one read per attempt), the deliveries log,
    # and each user's webhook bookkeeping (the index of parked deliveries, places in line:
    # Query for the head). The endpoints themselves are only marked (MarkEndpointHealth).
    reads=("GetItem", "Query"),
    writes=("PutItem",),
    write_keys=(keys.WEBHOOK_LOG_PREFIX, keys.webhook_user_pk("")),
    # A delivery parks (body and index) in a transaction with a check of its user's profile:
    # not when the user was erased after the event (the erasure walk already ran).
    narrower_transactional=((("ConditionCheckItem",), (keys.user_pk(""),)),),
)
WEBHOOK_LINE_KEYS = (keys.webhook_user_pk(""),)
"""The only key family the sender deletes from: a place in line, once delivered or parked. It
only updates the endpoints (``WebhookStore.mark``: failing, paused, breaker)."""
