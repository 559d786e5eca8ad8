"""SQS consumer: applies queued activities exactly once (see gamification.services.consumer)."""

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
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.composition import queue_consumer
from gamification.services.consumer import BatchReport

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)


class _Outcome:
    """Feeds the batch report to Powertools, which shapes the partial-failure response."""

    def __init__(self, report: BatchReport) -> None:
        self._failed = report.failed_message_ids

    def record_handler(self, record: SQSRecord) -> None:
        if record.message_id in self._failed:
            raise RuntimeError(f"record {record.message_id} failed and will be retried")


def _record_metrics(report: BatchReport) -> None:
    for name, value in report.totals().items():
        metrics.add_metric(name, MetricUnit.Count, value)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    records = [SQSRecord(r) for r in event["Records"]]
    report = queue_consumer().consume(records)
    _record_metrics(report)
    outcome = _Outcome(report)
    return process_partial_response(
        event=event, record_handler=outcome.record_handler, processor=processor, context=context
    )
