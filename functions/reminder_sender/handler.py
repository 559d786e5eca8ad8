"""Streak reminders, sending step: one unit of the hourly fan-out per message.

A unit is at most a page of one due hour's shard (see gamification.services.reminders). A unit
with failed users fails its record (Powertools' partial batch response), so SQS retries it
(the ledger skips whoever was reminded) and, after ``max_receive_count``, parks it in the
reminder DLQ (alarmed). A malformed body fails the same way and lands there too.
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
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.adapters.reminder_queue import decode
from gamification.composition import streak_reminders

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)


class RemindersIncompleteError(Exception):
    """Some reminders of the unit failed: the message is retried (the same unit, guarded)."""


@tracer.capture_method
def record_handler(record: SQSRecord) -> dict[str, Any]:
    unit = decode(record.body)
    logger.append_keys(hour=unit.hour.isoformat(), shard=unit.shard, after=unit.after)
    report = streak_reminders().run_unit(unit)
    for name, value in report.totals().items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    summary = report.summary()
    logger.info("reminder unit", extra=summary)
    if report.failed:
        raise RemindersIncompleteError(f"{report.failed} reminders failed")
    return summary


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
