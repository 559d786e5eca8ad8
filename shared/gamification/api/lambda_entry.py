"""The one Lambda entry point of every API function: Powertools around a resolver.

Each API Lambda differs only in the routers it serves, so ``functions/<name>/handler.py`` is one
line that names them; logging with the API Gateway request id, tracing and metrics are set up
here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.api.resolvers import resolver_for

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def api_handler(function: str) -> LambdaHandler:
    """``lambda_handler`` for the API function ``function`` (a name in ``resources.ROUTES``)."""
    logger = Logger()
    tracer = Tracer()
    metrics = Metrics()
    app = resolver_for(function)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return lambda_handler
