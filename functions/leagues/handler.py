"""League close (``gamification.services.league_close.LeagueCloseJob``): hourly, the week that
ended most recently before the event's ``time``, fanned out per shard on AWS (``{"week", "shard",
"shards"}``; ``max_cohorts`` by hand); a shard short of time invokes itself to continue. Without
a function name (local stack, tests) every shard runs here, to the end."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.composition import league_close_job, utc_now
from gamification.job_entry import publish
from gamification.services.jobs import Budget, Metric
from gamification.services.league_close import ShardRun

logger, tracer, metrics = Logger(), Tracer(), Metrics()
TIME_MARGIN_MS = 60_000
"""Stop this far before the timeout: one cohort (≤ 100 members) commits well within it."""


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    budget = Budget.before_timeout(context.get_remaining_time_in_millis, TIME_MARGIN_MS)
    if "detail-type" in event:
        now = parse(event=event, model=EventBridgeModel).time
        done = league_close_job().scheduled(now, budget)
    else:
        done = league_close_job().shard(ShardRun.model_validate(event), utc_now(), budget)
    if done.planned:
        logger.info("seat plan written", extra={"week": done.planned})
    publish(metrics, (Metric(name, value) for name, value in done.counts.items()))
    if "LeagueCohortsClosed" in done.counts:  # not on a fan-out: the shards log their own
        logger.info("league close", extra=done.summary)
    return done.summary
