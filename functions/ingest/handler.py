"""Activity ingest: checks at the edge, then queues to SQS (POST /v1/activities, /batch, /internal).

Thin: Powertools routes the API Gateway event to the routers in `gamification.api`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.api.app import resolver_for

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = resolver_for("ingest")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
