"""Badge backfill (see gamification.services.backfill): ``{"badge_id": "..."}``.

Started asynchronously by the admin API when a definition is added or changed. When the run gets
close to its timeout it stops at a checkpoint and starts a fresh invocation to continue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from gamification.composition import backfill_continuation, badge_backfill, utc_now
from gamification.services.backfill import Status

logger = Logger()
tracer = Tracer()
metrics = Metrics()

TIME_MARGIN_MS = 60_000
"""Stop this far before the timeout: one page (≤ 100 users) commits well within it."""


class Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    badge_id: str = Field(min_length=1, max_length=64)
    max_pages: int | None = Field(default=None, ge=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = Request.model_validate(event)
    logger.append_keys(badge_id=request.badge_id)
    progress = badge_backfill().run(
        request.badge_id,
        utc_now(),
        should_stop=lambda: context.get_remaining_time_in_millis() < TIME_MARGIN_MS,
        max_pages=request.max_pages,
    )
    summary = progress.summary()
    logger.info("badge backfill", extra=summary)
    metrics.add_metric(
        name="BackfillAwarded", unit=MetricUnit.Count, value=progress.awarded_this_run
    )
    if progress.status is Status.PAUSED:
        backfill_continuation()(request.badge_id)
    return summary
