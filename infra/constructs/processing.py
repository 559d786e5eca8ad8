"""The consumer: applies queued activities to DynamoDB and the leaderboard, exactly once.

Batch size, batching window and maximum concurrency come from ``QueueSpec`` (the local stack
uses the same numbers). Partial batch responses retry only the records that failed; the
consumer itself sends poison messages to the DLQ with their reason, hence its SendMessage there.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from gamification.adapters import keys
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

CONSUMER_TABLE_ACCESS = TableAccess(
    # Users' state, markers and the badge catalog; writes only as one transaction per user.
    reads=("GetItem", "BatchGetItem", "Query"),
    transactional_writes=("PutItem",),
    write_keys=(keys.user_pk(""),),
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
    ) -> None:
        super().__init__(scope, construct_id)
        spec = queue.spec
        self.consumer = GamifyFunction(
            self,
            "Consumer",
            spec=FunctionSpec(
                name="consumer",
                description="Applies queued activities exactly once (DynamoDB + leaderboard)",
                timeout=Duration.seconds(spec.consumer_timeout_seconds),
                memory_mb=1024,
                environment={"DLQ_URL": queue.dead_letter_queue.queue_url, **domain.everything},
            ),
            runtime=runtime,
            network=network,
        )
        data.grant(self.consumer, CONSUMER_TABLE_ACCESS)
        self.consumer.allow(
            ["sqs:SendMessage"], [queue.dead_letter_queue.queue_arn], "SendPoisonMessages"
        )
        cache.connect(self.consumer)
        self.consumer.function.add_event_source(
            sources.SqsEventSource(
                queue.queue,
                batch_size=spec.batch_size,
                max_batching_window=Duration.seconds(spec.max_batching_window_seconds),
                max_concurrency=spec.max_concurrency,
                report_batch_item_failures=True,
            )
        )
