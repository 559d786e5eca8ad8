"""Badge rarity (``gamification.services.rarity``): scheduled hourly; each run finds the daily
count fresh (one read) or goes on with the walk over every player, pausing before the timeout
at a saved position the next run resumes from (docs/rules.md, "Rarity")."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.composition import rarity_job, utc_now

logger, tracer, metrics = Logger(), Tracer(), Metrics()
TIME_MARGIN_MS = 60_000
"""Before the timeout: one chunk (1,000 profiles, 10 BatchGetItem calls) takes ≈ 1 s."""


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scheduled = parse(event=event, model=EventBridgeModel) if "detail-type" in event else None
    now = scheduled.time if scheduled else utc_now()
    margin = min(TIME_MARGIN_MS, context.get_remaining_time_in_millis() // 2)
    summary = rarity_job().run(now, lambda: context.get_remaining_time_in_millis() < margin)
    metrics.add_metric(
        name="RarityPlayersRead", unit=MetricUnit.Count, value=summary.get("read", 0)
    )
    logger.info("badge rarity", extra=summary)
    return summary
