"""Leaderboard reconciliation (see gamification.services.reconciliation).

Scheduled (an EventBridge event: "now" is its ``time``) for the full run (daily), or invoked with
``{"mode": "full" | "check" | "sample"}``: the one-minute schedule sends ``check`` (the cheap
test that rebuilds at once when a board lost its generation marker; ``if-empty`` is its former
name), the 15-minute one ``sample`` (the drift check on a bounded sample of the players).

Every mode first resumes a full pass paused by an earlier run (a pass at ten million players
spans a few invocations: the function cannot invoke itself from the VPC, so the one-minute
check carries it on), and none starts a pass while another holds the rebuild lease.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from gamification.adapters.leaderboard import ALLTIME
from gamification.composition import leaderboard_reconciler, utc_now
from gamification.services.reconciliation_report import (
    IN_PROGRESS,
    LOST,
    PAUSED,
    ReconciliationReport,
)

logger = Logger()
tracer = Tracer()
metrics = Metrics()

TIME_MARGIN_MS = 30_000
"""Stop the full pass this far before the timeout. Its longest unit of work at ten million
players is the swap (≈ 3 s: 100,000 cohort boards renamed, 100 a transaction); a page is
≈ 0.1 s, a ``ZSCAN`` unit ≈ 0.3 s, saving the progress < 1 ms (measured: docs/scale.md)."""


class Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    mode: Literal["full", "check", "if-empty", "sample"] = "full"


def _request(event: dict[str, Any]) -> tuple[datetime, Request]:
    if "detail-type" in event:
        scheduled = parse(event=event, model=EventBridgeModel)
        return scheduled.time, Request.model_validate(scheduled.detail or {})
    return utc_now(), Request.model_validate(event or {})


def _record_sample(report: ReconciliationReport) -> None:
    """Every sampled check reports what it saw, drift or not (the rate is an estimate)."""
    sample = report.sample
    if sample is None:
        return
    metrics.add_metric(name="DriftSampleSize", unit=MetricUnit.Count, value=sample.compared)
    metrics.add_metric(name="DriftSampleDrifted", unit=MetricUnit.Count, value=sample.drifted)
    metrics.add_metric(name="DriftSampleRate", unit=MetricUnit.Percent, value=100 * sample.rate)


def _record_pass(report: ReconciliationReport) -> None:
    """A pass paused, or a run that found one running, says so (its drift waits for its end)."""
    if report.rebuild == PAUSED:
        metrics.add_metric(name="FullPassPaused", unit=MetricUnit.Count, value=1)
    elif report.rebuild == IN_PROGRESS:
        metrics.add_metric(name="FullPassAlreadyRunning", unit=MetricUnit.Count, value=1)
    elif report.rebuild == LOST:
        metrics.add_metric(name="FullPassLeaseLost", unit=MetricUnit.Count, value=1)


def _record_metrics(report: ReconciliationReport) -> None:
    metrics.add_metric(name="ReconciledPlayers", unit=MetricUnit.Count, value=report.players)
    metrics.add_metric(name="LateUpdates", unit=MetricUnit.Count, value=report.late_updates)
    metrics.add_metric(
        name="EmptyCacheRebuilt", unit=MetricUnit.Count, value=int(report.empty_cache_rebuilt)
    )
    metrics.add_metric(
        name="IncompleteBoardsRebuilt", unit=MetricUnit.Count, value=len(report.incomplete)
    )
    for result in report.boards:
        # One dimension value per kind of board, not per week: bounded metric cardinality.
        kind = "alltime" if result.board == ALLTIME else "weekly"
        for name, value in (
            ("LeaderboardDriftAdded", result.drift.added),
            ("LeaderboardDriftRemoved", result.drift.removed),
            ("LeaderboardDriftChanged", result.drift.changed),
        ):
            with single_metric(name=name, unit=MetricUnit.Count, value=value) as metric:
                metric.add_dimension(name="board", value=kind)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now, request = _request(event)
    reconciler = leaderboard_reconciler()

    # Never less than half the invocation's time for the pass (a shorter timeout, e.g. the
    # local stack's 30 s, still moves a pass on).
    margin = min(TIME_MARGIN_MS, context.get_remaining_time_in_millis() // 2)

    def should_stop() -> bool:
        return context.get_remaining_time_in_millis() < margin

    if request.mode in ("check", "if-empty"):
        report = reconciler.check(now, should_stop)
    elif request.mode == "sample":
        report = reconciler.sample(now, should_stop)
    else:
        report = reconciler.reconcile(now, should_stop)
    _record_sample(report)
    _record_pass(report)
    # Only a finished pass reports drift (a paused one's counts are partial), and a check that
    # found every board complete publishes nothing (idle cost).
    if report.rebuilt:
        _record_metrics(report)
    summary = report.summary()
    logger.info("leaderboard reconciliation", extra=summary)
    return summary
