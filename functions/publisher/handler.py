"""Event publisher: the table's stream (profiles carrying events) → the stage's event bus, then
the history lake (pseudonymous rows to Firehose; docs/analytics.md).

Reads the whole stream batch at once so PutEvents carries up to 10 events per call across
records (see gamification.services.event_publisher). A failure of the bus as a whole raises:
the event source mapping retries the batch, bisecting it; the events go again with their ids.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.composition import event_publisher, history_lake

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=DynamoDBStreamEvent)
def lambda_handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, Any]:
    publisher = event_publisher()
    images = [r.dynamodb.new_image for r in event.records if r.dynamodb is not None]
    events = publisher.events_in(images)
    published = publisher.publish(events)
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=published.sent)
    metrics.add_metric(name="EventsRetried", unit=MetricUnit.Count, value=published.retried)
    metrics.add_metric(name="EventsDeadLettered", unit=MetricUnit.Count, value=len(published.dead))
    if published.dead:
        logger.error(
            "events refused by the bus, dead-lettered",
            extra={"event_ids": [d.message_id for d in published.dead]},
        )
    lake = history_lake()
    if lake is not None:
        # After the bus took them: a lake failure retries the batch, the bus sees the same ids.
        recorded = lake.record(events)
        metrics.add_metric(name="LakeRows", unit=MetricUnit.Count, value=recorded.rows)
    logger.info("events published", extra={"count": published.sent})
    return {"published": published.sent, "dead_lettered": len(published.dead)}
