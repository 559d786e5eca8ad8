"""SQS consumer: applies queued activities exactly once (see gamification.services.consumer).

The service groups the batch by user, so the handler returns the partial batch response it
builds (the Lambda contract) rather than going through Powertools' per-record processor, which
raises when every record failed: that would be a function error (an alarm) for records that SQS
simply retries.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.composition import queue_consumer
from gamification.services.consumer import BatchReport

logger = Logger()
tracer = Tracer()
metrics = Metrics()


def _record_metrics(report: BatchReport) -> None:
    for name, value in report.totals().items():
        metrics.add_metric(name, MetricUnit.Count, value)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = [SQSRecord(r) for r in event["Records"]]
    report = queue_consumer().consume(records)
    _record_metrics(report)
    return report.response()
