"""The activity queue and its dead-letter queue, built from ``gamification.resources.QUEUE``
(the reminder fan-out's queue is the same construct, built from ``REMINDER_QUEUE``).

Standard queue (at-least-once; the consumer makes every effect exactly-once), SQS-managed SSE
(no key to pay for or grant), TLS enforced by the queue policy. The visibility timeout is at
least six times the consumer's timeout, as AWS advises for Lambda event sources, so a batch that
is retried inside one invocation is not redelivered to a second consumer meanwhile.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from gamification.resources import QUEUE, QueueSpec
from infra.nag import acknowledge


class IngestionQueue(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, spec: QueueSpec = QUEUE) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.seconds(spec.dlq_retention_seconds),
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(spec.visibility_timeout_seconds),
            retention_period=Duration.seconds(spec.retention_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=spec.max_receive_count
            ),
        )


class FailedInvocations(Construct):
    """Where Lambda records invocations it gave up on: stream batches and scheduled runs.

    Not a DLQ of another queue (nothing redrives from it); an alarm fires on any message.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.queue,
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter destination of Lambda (stream and async "
            "invocation failures); nothing consumes it, so a DLQ of its own would never fill.",
        )
