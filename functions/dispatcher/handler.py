"""Outbox dispatcher: the table's stream → SNS push (see gamification.services.outbox).

A record whose publish fails is reported as a batch item failure, so Lambda retries from it
(the records after it may be published again; subscribers dedupe on ``dedupe_id``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.composition import outbox_dispatcher

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


def record_handler(record: DynamoDBRecord) -> None:
    stream = record.dynamodb
    if record.event_name is None or stream is None:
        return
    try:
        pushed = outbox_dispatcher().dispatch(record.event_name.name, stream.new_image)
    except Exception:
        logger.exception("push failed; the record will be retried", extra={"keys": stream.keys})
        raise
    if pushed is not None:
        metrics.add_metric(name="PushesPublished", unit=MetricUnit.Count, value=1)
        logger.info(
            "push published",
            extra={"user_id": pushed.user_id, "notification_id": pushed.id},
        )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    failed = len(response.get("batchItemFailures", []))
    metrics.add_metric(name="PushesFailed", unit=MetricUnit.Count, value=failed)
    return response
