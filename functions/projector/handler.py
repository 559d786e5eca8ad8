"""Leaderboard projector: the table's stream → Redis (see gamification.services.projector), and
the team boards (profile images raise members' contributions; membership items, inserted or
removed, are joins and leaves: gamification.services.team_projection).

The whole batch is one Redis round trip. When Redis fails, the batch is reported failed from its
first record, so the event source mapping retries it (bisecting, then the on-failure queue); a
replay is harmless because every score is absolute. Never raises for a Redis outage: a function
error would count against the errors alarm for what is a retry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.adapters.team_repository import membership_change
from gamification.composition import leaderboard_projector, team_projector, utc_now

logger = Logger()
tracer = Tracer()
metrics = Metrics()


def _when(record: DynamoDBRecord, now: datetime) -> datetime:
    """When the record was written (a leave's moment), or now if the stream does not say."""
    seconds = record.dynamodb.approximate_creation_date_time if record.dynamodb else None
    return datetime.fromtimestamp(seconds, UTC) if seconds else now


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = list(DynamoDBStreamEvent(event).records)
    images = [r.dynamodb.new_image for r in records if r.dynamodb is not None]
    now = utc_now()
    memberships = [
        change
        for r in records
        if r.dynamodb is not None
        and (change := membership_change(r.dynamodb.keys, r.dynamodb.new_image, _when(r, now)))
        is not None
    ]
    try:
        projected = leaderboard_projector().project(images)
        team_projector().project_scores(leaderboard_projector().players(images))
        team_projector().project_memberships(memberships)
    except Exception:
        logger.exception(
            "projection failed; the batch will be retried", extra={"records": len(records)}
        )
        metrics.add_metric(name="ProjectionFailures", unit=MetricUnit.Count, value=1)
        first = records[0].dynamodb.sequence_number if records and records[0].dynamodb else None
        return {"batchItemFailures": [{"itemIdentifier": first}] if first else []}
    metrics.add_metric(name="ScoresProjected", unit=MetricUnit.Count, value=projected)
    return {"batchItemFailures": []}
