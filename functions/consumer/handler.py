"""SQS consumer: applies queued activities exactly once (see gamification.services.consumer).

The service groups the batch by user, so the handler returns the partial batch response it
builds (the Lambda contract) rather than going through Powertools' per-record processor, which
raises when every record failed: that would be a function error (an alarm) for records that SQS
simply retries.

Its schedule (``resources.SCHEDULES``, named ``consumer``, every minute) sends
EventBridge's "Scheduled Event" instead: the run goes on with the team quests' open payouts
(``TeamQuests.sweep``) until ``SWEEP_MARGIN_MS`` before the timeout, so a team that went quiet
after reaching its target is paid without a member's commit (docs/teams.md#team-quests).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.composition import queue_consumer, team_quests
from gamification.services.consumer import BatchReport
from gamification.services.jobs import Budget

logger = Logger()
tracer = Tracer()
metrics = Metrics()
SWEEP_MARGIN_MS = 10_000
"""The sweep stops this far before the timeout: one step (≤ ``PAYOUT_STEP`` payees, ≈ 3 s on
DynamoDB) finishes well within it."""


def _record_metrics(report: BatchReport) -> None:
    for name, value in report.totals().items():
        metrics.add_metric(name, MetricUnit.Count, value)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" not in event:  # the schedule: finish the team quests' payouts
        budget = Budget.before_timeout(context.get_remaining_time_in_millis, SWEEP_MARGIN_MS)
        paid = team_quests().sweep(budget.should_stop)
        if paid:  # nothing at rest: a metric sent every minute is billed every month
            metrics.add_metric("TeamQuestSweepPayments", MetricUnit.Count, paid)
        logger.info("team quest payouts", extra={"paid": paid})
        return {"paid": paid}
    records = [SQSRecord(r) for r in event["Records"]]
    report = queue_consumer().consume(records)
    _record_metrics(report)
    return report.response()
