"""The write path behind the queue: the consumer commits to DynamoDB, the projector keeps the
Redis boards in step with what it committed.

The consumer runs outside the VPC (it talks to DynamoDB and SQS only). Batch size, batching
window and maximum concurrency come from ``QueueSpec`` (the local stack uses the same numbers);
partial batch responses retry only the records that failed; the consumer itself sends poison
messages to the DLQ with their reason, hence its SendMessage there.

The projector is the only function the write path puts in the VPC: it reads profile writes from
the table's stream (filtered before invocation, so notifications and markers never invoke it)
and raises the Redis scores with ``ZADD LT`` of the negated absolute score (never an
increment). Its mapping retries, bisects a failing batch and gives up to the failed-invocations
queue like the push dispatcher's.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from gamification.adapters import keys
from gamification.resources import PROJECTION, StreamSpec
from infra.constructs.data import Data, TableAccess
from infra.constructs.functions import (
    DomainEnvironment,
    FunctionSpec,
    GamifyFunction,
    LambdaRuntime,
)
from infra.constructs.ingestion_queue import IngestionQueue
from infra.constructs.leaderboard_cache import LeaderboardCache
from infra.constructs.network import Network
from infra.nag import acknowledge

CONSUMER_TABLE_ACCESS = TableAccess(
    # Users' state, markers and the badge catalog. A change of the profile and new dedupe
    # markers only is a conditional PutItem of the profile, then a PutItem per marker (pending
    # markers, docs/pipeline.md); anything more commits as one transaction per user (with a
    # league cohort's member item on a user-week's first XP). The league seat counter is an
    # UpdateItem ADD, whose result names the cohort the transaction joins.
    reads=("GetItem", "BatchGetItem", "Query"),
    # Team quests (docs/teams.md#team-quests): a team's members (GSI1) for `pay: members`.
    index_queries=("GSI1",),
    writes=("UpdateItem", "PutItem"),
    transactional_writes=("PutItem",),
    # TQUEST#: a team quest's state (reached, settled) and paid hints, single UpdateItems.
    write_keys=(keys.SEATS_PREFIX, keys.user_pk(""), keys.TEAM_QUEST_PREFIX),
    # FLAGS: a velocity flag's list item, put in the profile's transaction (docs/analytics.md).
    transactional_keys=(keys.user_pk(""), keys.COHORT_PREFIX, keys.FLAGS_PK),
    # A team quest contribution: its item and its shard's sum (UpdateItem) with a condition
    # check of the membership, in one transaction.
    narrower_transactional=(
        (("UpdateItem",), (keys.TEAM_QUEST_PREFIX,)),
        (("ConditionCheckItem",), (keys.MEMBERSHIP_PREFIX,)),
    ),
)


PROJECTOR_TABLE_ACCESS = TableAccess(
    # GetItem: a team join's profile. "Passed you" (docs/friends.md): a Query of the overtaker's
    # follows (GRAPH#), a BatchGetItem of the passed ones' follows back and profiles, and each
    # notification with its guard (FNOTICE#) put in the recipient's USER# partition, as one
    # transaction (never a write outside one).
    reads=("GetItem", "Query", "BatchGetItem"),
    transactional_writes=("PutItem",),
    write_keys=(keys.user_pk(""),),
)


def stream_source(data: Data, spec: StreamSpec, failures: sqs.IQueue) -> sources.DynamoEventSource:
    """The mapping ``spec`` describes (the local stack's stream poller applies the same)."""
    return sources.DynamoEventSource(
        data.table,
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=spec.batch_size,
        max_batching_window=Duration.seconds(spec.max_batching_window_seconds),
        bisect_batch_on_error=spec.bisect_on_error,
        retry_attempts=spec.retry_attempts,
        max_record_age=Duration.seconds(spec.max_record_age_seconds),
        report_batch_item_failures=True,
        on_failure=sources.SqsDlq(failures),
        filters=[lambda_.FilterCriteria.filter(p) for p in spec.filter_patterns],
    )


class Processing(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: Data,
        queue: IngestionQueue,
        cache: LeaderboardCache,
        network: Network,
        runtime: LambdaRuntime,
        domain: DomainEnvironment,
        failures: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        spec = queue.spec
        self.consumer = GamifyFunction(
            self,
            "Consumer",
            spec=FunctionSpec(
                name="consumer",
                description="Applies queued activities exactly once (DynamoDB)",
                timeout=Duration.seconds(spec.consumer_timeout_seconds),
                memory_mb=1024,
                environment={
                    "DLQ_URL": queue.dead_letter_queue.queue_url,
                    **domain.everything,
                    **domain.leagues,
                },
            ),
            runtime=runtime,
        )
        data.grant(self.consumer, CONSUMER_TABLE_ACCESS)
        self.consumer.allow(
            ["sqs:SendMessage"], [queue.dead_letter_queue.queue_arn], "SendPoisonMessages"
        )
        self.consumer.alias.add_event_source(
            sources.SqsEventSource(
                queue.queue,
                batch_size=spec.batch_size,
                max_batching_window=Duration.seconds(spec.max_batching_window_seconds),
                max_concurrency=spec.max_concurrency,
                report_batch_item_failures=True,
            )
        )

        self.projector = GamifyFunction(
            self,
            "Projector",
            spec=FunctionSpec(
                name=PROJECTION.function,
                description="Raises the Redis leaderboards to each committed profile (stream)",
                timeout=Duration.seconds(30),
                memory_mb=256,
            ),
            runtime=runtime,
            network=network,
        )
        cache.connect(self.projector)
        # A team join reads the member's profile (strongly consistent) after admitting them.
        data.grant(self.projector, PROJECTOR_TABLE_ACCESS)
        self.projector.alias.add_event_source(stream_source(data, PROJECTION, failures))
        acknowledge(
            self.projector.role,
            "AwsSolutions-IAM5[Resource::*]",
            "dynamodb:ListStreams, granted for the stream event source, does not support "
            "resource-level permissions; the stream itself is read only through its own ARN.",
        )
