"""Hourly streak reminders, fan-out step (see gamification.services.reminders).

The run only enqueues: one unit per (due hour, reminder shard) onto the reminder queue, which
``reminder_sender`` consumes. "Now" is the scheduled event's ``time``, so a retried or
replayed run is the same run. ``ReminderShardsLate`` (alarmed) counts the shards of the hour
before last whose reminders are still not all sent.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.composition import reminder_fan_out

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scheduled = parse(event=event, model=EventBridgeModel)
    report = reminder_fan_out().run(scheduled.time)
    for name, value in report.totals().items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    summary = report.summary()
    logger.info("streak reminders queued", extra=summary)
    return summary
