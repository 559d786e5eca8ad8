"""Leaderboard reconciliation (``gamification.services.reconciliation``): scheduled (``time`` is
"now") or invoked with ``{"mode": "full" | "check" | "sample"}`` (``if-empty``: ``check``'s
former name). Every mode first resumes a paused full pass (the job runner's; the function cannot
invoke itself from the VPC, so the one-minute check carries it on) and none starts a pass while
another holds the rebuild lease. The team boards' pass follows
(``services.team_reconciliation``)."""

from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from gamification.composition import leaderboard_reconciler, team_reconciler, utc_now
from gamification.job_entry import publish
from gamification.services.jobs import Budget

logger, tracer, metrics = Logger(), Tracer(), Metrics()
TIME_MARGIN_MS = 30_000
"""Before the timeout (≤ half the run): the longest unit, the swap, is ≈ 3 s (docs/scale.md)."""


class Request(BaseModel):
    mode: Literal["full", "check", "if-empty", "sample"] = "full"


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scheduled = parse(event=event, model=EventBridgeModel) if "detail-type" in event else None
    now = scheduled.time if scheduled else utc_now()
    mode = Request.model_validate((scheduled.detail if scheduled else event) or {}).mode
    margin = min(TIME_MARGIN_MS, context.get_remaining_time_in_millis() // 2)
    budget = Budget.before_timeout(context.get_remaining_time_in_millis, margin)
    report = leaderboard_reconciler().run(mode, now, budget.should_stop)
    publish(metrics, report.metrics())
    logger.info("leaderboard reconciliation", extra=(summary := report.summary()))
    # The team boards next, on the same schedule (docs/teams.md#reconciliation).
    teams = team_reconciler().run(mode, now, budget.should_stop)
    publish(metrics, teams.metrics())
    logger.info("team boards reconciliation", extra=teams.summary())
    return {**summary, "teams": teams.summary()}
