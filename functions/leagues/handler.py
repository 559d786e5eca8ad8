"""League close (see gamification.services.league_close).

Scheduled hourly: each run closes the week that ended most recently before the event's
``time`` (so a retried or replayed run is the same run); once a week is closed a run costs one
checkpoint read per shard and a read of the seat counters. The scheduled run sizes its shards from
the week's cohorts (``LeagueClose.close_shards``: one per 2,000 cohorts, a power of two, at least
``GAMIFY_LEAGUE_CLOSE_SHARDS``); with more than one, on AWS it fans out one asynchronous
invocation per shard (``{"week", "shard", "shards"}``); a shard that runs
short of time stops at its checkpoint and invokes itself to continue. Without a function name
(local stack, tests) every shard runs here, to the end.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from gamification.composition import lambda_client, league_close, utc_now
from gamification.config import settings
from gamification.domain.periods import week_bounds
from gamification.services.league_close import CloseProgress, Status, week_to_close

logger = Logger()
tracer = Tracer()
metrics = Metrics()

TIME_MARGIN_MS = 60_000
"""Stop this far before the timeout: one cohort (≤ 100 members) commits well within it."""
LATE_AFTER = timedelta(hours=2)
"""A scheduled run this long after the week ended reports the shards still open
(``LeagueWeekOpen``, alarmed): the close is failing or needs more shards."""


class ShardRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    shard: int = Field(default=0, ge=0)
    shards: int = Field(default=1, ge=1, le=1000)
    max_cohorts: int | None = Field(default=None, ge=1)


def _requests(event: dict[str, Any]) -> tuple[datetime, list[ShardRequest]]:
    if "detail-type" in event:
        now = parse(event=event, model=EventBridgeModel).time
        week = week_to_close(now)
        shards = league_close().close_shards(week, settings().league_close_shards)
        return now, [ShardRequest(week=week, shard=i, shards=shards) for i in range(shards)]
    return utc_now(), [ShardRequest.model_validate(event)]


def _invoke_self(request: ShardRequest) -> bool:
    """Run ``request`` in a fresh asynchronous invocation (AWS only); ``False`` here."""
    own_name = settings().function_name
    if not own_name:
        return False
    lambda_client().invoke(
        FunctionName=own_name,
        InvocationType="Event",
        Payload=json.dumps(request.model_dump(exclude_none=True)).encode(),
    )
    return True


def _late_shards(event: dict[str, Any], now: datetime, requests: list[ShardRequest]) -> int:
    """On a scheduled run well after the week ended: its shards not done yet (and the metric)."""
    if "detail-type" not in event:
        return 0
    week = requests[0].week
    if now - week_bounds(week)[1] < LATE_AFTER:
        return 0
    late = league_close().open_shards(week, len(requests))
    metrics.add_metric(name="LeagueWeekOpen", unit=MetricUnit.Count, value=late)
    return late


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now, requests = _requests(event)
    late = _late_shards(event, now, requests)
    # Scheduled runs size the seat shards of the week after next (once; a GetItem later on).
    planned = league_close().plan_seats(requests[0].week, now) if "detail-type" in event else None
    if planned:
        logger.info("seat plan written", extra={"week": planned})
    if len(requests) > 1 and all(_invoke_self(r) for r in requests):
        return {
            "status": "fanned_out",
            "week": requests[0].week,
            "shards": len(requests),
            "late_shards": late,
        }
    results: list[CloseProgress] = []
    last: dict[int, CloseProgress] = {}
    for request in requests:
        while True:
            progress = league_close().run(
                request.week,
                now,
                shard=request.shard,
                shards=request.shards,
                should_stop=lambda: context.get_remaining_time_in_millis() < TIME_MARGIN_MS,
                max_cohorts=request.max_cohorts,
            )
            results.append(progress)
            last[request.shard] = progress
            if progress.status is Status.DONE or request.max_cohorts is not None:
                break
            if _invoke_self(request):
                break
    closed = sum(p.closed_this_run for p in results)
    metrics.add_metric(name="LeagueCohortsClosed", unit=MetricUnit.Count, value=closed)
    summary = {
        "week": requests[0].week,
        "late_shards": late,
        "status": Status.DONE.value
        if all(p.status is Status.DONE for p in last.values())
        else Status.PAUSED.value,
        "shards": [p.summary() for p in last.values()],
    }
    logger.info("league close", extra=summary)
    return summary
