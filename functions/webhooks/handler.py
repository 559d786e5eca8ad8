"""Webhook sender: the webhook queue → one attempt per delivery message (outside the VPC).

A message is either an event from the bus's rule (fanned out: one delivery message per
endpoint that wants it) or a delivery (one signed POST; a failure is re-sent with a delay by
the service, so the message itself succeeds). A record that raises (the table or the queue
failing) is reported failed and SQS redelivers it; after 5 receives it goes to the DLQ. A
message that is neither goes to the DLQ at once, logged with the reason.
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

from gamification.adapters.webhook_queue import parse
from gamification.composition import webhook_fan_out, webhook_sender
from gamification.services.webhooks import Deferred

logger = Logger()
tracer = Tracer()
metrics = Metrics()
_METRICS = {
    "delivered": "WebhooksDelivered",
    "retrying": "WebhookRetries",
    "failed": "WebhookEndpointsFailing",
    "refused": "WebhooksRefused",
}
"""One metric per outcome; ``WebhookEndpointsFailing`` (24 h of failures) and
``WebhooksRefused`` (the SSRF guard refused an endpoint's address) alarm, and so does
``WebhookEndpointsPaused`` (an endpoint failing for 3 days was paused)."""
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> None:
    try:
        message = parse(record.body)
    except (ValueError, KeyError, TypeError) as error:
        logger.error("not a webhook message; dropped", extra={"reason": str(error)})
        metrics.add_metric(name="WebhookMessagesInvalid", unit=MetricUnit.Count, value=1)
        return
    if isinstance(message, dict):
        deliveries = webhook_fan_out().fan_out(message)
        metrics.add_metric(name="WebhookDeliveries", unit=MetricUnit.Count, value=len(deliveries))
        return
    attempt = webhook_sender().attempt(message)
    if attempt is None:
        return
    if isinstance(attempt, Deferred):  # not its turn yet, or the endpoint's breaker is open
        metrics.add_metric(name="WebhooksDeferred", unit=MetricUnit.Count, value=1)
        logger.debug("webhook deferred", extra={"reason": attempt.reason, "delay": attempt.delay})
        return
    metrics.add_metric(name=_METRICS[attempt.status], unit=MetricUnit.Count, value=1)
    if attempt.paused_endpoint:  # alarms (WebhookEndpointPaused): an admin must resume it
        metrics.add_metric(name="WebhookEndpointsPaused", unit=MetricUnit.Count, value=1)
        logger.warning("webhook endpoint paused", extra={"webhook_id": message.webhook_id})
    logger.info(
        "webhook attempt",
        extra={
            "webhook_id": message.webhook_id,
            "event_id": attempt.event_id,
            "attempt": attempt.attempt,
            "status": attempt.status,
            "response_code": attempt.response_code,
            "latency_ms": attempt.latency_ms,
        },
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
