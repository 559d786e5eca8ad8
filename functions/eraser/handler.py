"""Erasure walk (see gamification.services.erasure): ``{"user_id": "..."}``.

Started asynchronously by the account API on ``DELETE /v1/me`` or the admin route. When the run
gets close to its timeout it stops at a checkpoint and starts a fresh invocation to continue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from gamification.composition import eraser, eraser_continuation, utc_now
from gamification.services.erasure import Status

logger = Logger()
tracer = Tracer()
metrics = Metrics()

TIME_MARGIN_MS = 60_000
"""Stop this far before the timeout: one page (1,000 deletes, 40 batch requests) takes ~1 s."""


class Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    user_id: str = Field(min_length=1, max_length=128)
    max_pages: int | None = Field(default=None, ge=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = Request.model_validate(event)
    progress = eraser().run(
        request.user_id,
        utc_now(),
        should_stop=lambda: context.get_remaining_time_in_millis() < TIME_MARGIN_MS,
        max_pages=request.max_pages,
    )
    summary = progress.summary()
    logger.info("erasure", extra={k: v for k, v in summary.items() if k != "user_id"})
    metrics.add_metric(name="ErasedItems", unit=MetricUnit.Count, value=progress.deleted_this_run)
    if progress.status is Status.PAUSED:
        eraser_continuation()(request.user_id)
    return summary
