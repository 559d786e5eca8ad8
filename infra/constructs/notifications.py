"""Push notifications as an outbox: the table's stream feeds a dispatcher that publishes to SNS.

A push is sent only for a notification the consumer's transaction committed (the stream carries
only committed writes), and never lost for one that did (the stream keeps records 24 h and the
mapping retries). The event filter drops every record except inserted ``NOTIF#`` items before
Lambda is invoked, so profile updates and TTL deletions cost nothing here. A batch that keeps
failing is split in halves to isolate the bad record, then recorded in the failed-invocations
queue. Subscribers dedupe on the notification id the dispatcher sends with each message.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from gamification.resources import STREAM
from infra.constructs.data import Data
from infra.constructs.functions import FunctionSpec, GamifyFunction, LambdaRuntime
from infra.constructs.processing import stream_source
from infra.nag import acknowledge


class Notifications(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: Data,
        runtime: LambdaRuntime,
        failures: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        # The AWS-managed SNS key: encrypted at rest, no key to pay for, and publishers need no
        # KMS permission of their own (the key policy trusts SNS on the account's behalf).
        self.topic = sns.Topic(
            self,
            "PushTopic",
            display_name="Gamify push notifications",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        self.dispatcher = GamifyFunction(
            self,
            "Dispatcher",
            spec=FunctionSpec(
                name=STREAM.function,
                description="Publishes committed notifications to the push topic (outbox)",
                timeout=Duration.seconds(30),
                memory_mb=256,
                environment={"TOPIC_ARN": self.topic.topic_arn},
            ),
            runtime=runtime,
        )
        self.dispatcher.allow(["sns:Publish"], [self.topic.topic_arn], "PublishPushes")
        # The same settings the local stack's stream poller applies (gamification.resources).
        self.dispatcher.alias.add_event_source(stream_source(data, STREAM, failures))
        acknowledge(
            self.dispatcher.role,
            "AwsSolutions-IAM5[Resource::*]",
            "dynamodb:ListStreams, granted for the stream event source, does not support "
            "resource-level permissions; the stream itself is read only through its own ARN.",
        )
