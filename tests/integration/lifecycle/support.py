"""The pipeline plus the account lifecycle services, on moto and a real redis-server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import redis

from gamification.adapters.erasure_ledger import ErasureLedger
from gamification.adapters.partition_walker import PartitionWalker
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.adapters.user_records import UserRecords
from gamification.local.provision import Provisioned
from gamification.services.erasure import Eraser, ErasureRequests
from gamification.services.exclusion import ExclusionService
from gamification.services.export import UserExport
from gamification.services.reconciliation import LeaderboardReconciler
from tests.integration.pipeline.support import Pipeline, build_pipeline


@dataclass
class Lifecycle:
    pipeline: Pipeline
    eraser: Eraser
    ledger: ErasureLedger
    requests: ErasureRequests
    exclusions: ExclusionService
    export: UserExport
    reconciler: LeaderboardReconciler
    snapshots: SnapshotRepository
    launched: list[str]
    dynamodb: Any


def build_lifecycle(aws: Provisioned, redis_client: redis.Redis) -> Lifecycle:
    pipeline = build_pipeline(aws, redis_client)
    client = boto3.client("dynamodb")
    ledger = ErasureLedger(client, aws.table_name)
    snapshots = SnapshotRepository(client, aws.table_name)
    eraser = Eraser(PartitionWalker(client, aws.table_name), ledger, pipeline.users, snapshots)
    launched: list[str] = []
    requests = ErasureRequests(pipeline.users, ledger, launched.append, pipeline.clock)
    reconciler = LeaderboardReconciler(
        PlayerDirectory(client, aws.table_name), pipeline.leaderboard, snapshots
    )
    return Lifecycle(
        pipeline=pipeline,
        eraser=eraser,
        ledger=ledger,
        requests=requests,
        exclusions=ExclusionService(pipeline.users, pipeline.clock),
        export=UserExport(pipeline.users, UserRecords(client, aws.table_name)),
        reconciler=reconciler,
        snapshots=snapshots,
        launched=launched,
        dynamodb=client,
    )
