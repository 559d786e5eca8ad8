"""The one Lambda entry point of the resumable jobs keyed by one id (badge backfill, erasure).

Each such function differs only in its request's id field, its service and the count it
publishes, so ``functions/<name>/handler.py`` names those; logging, tracing, metrics, the time
budget and the continuation (``services.jobs.JobRunner``) are set up here once. The league close
(sharded, scheduled) uses the same runner through ``services.league_close.LeagueCloseJob``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from gamification.adapters.job_launcher import JobLauncher
from gamification.composition import job_runner, utc_now
from gamification.services.jobs import Budget, ResumableJob

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
"""Called with the event and a ``LambdaContext`` (or the local stack's and tests' stand-ins)."""


class JobRequest(BaseModel):
    """A resumable job's event: its one id field (declared by each job) and, for tests and
    operators, a limit of units (pages) for this invocation."""

    model_config = ConfigDict(extra="ignore")

    max_pages: int | None = Field(default=None, ge=1)

    def payload(self) -> dict[str, Any]:
        """The continuation's event: the id, without the limit (a continuation runs on)."""
        return self.model_dump(exclude={"max_pages"})

    def key(self) -> str:
        (value,) = self.payload().values()
        return str(value)


def job_handler(
    message: str,
    request: type[JobRequest],
    job: Callable[[], ResumableJob],
    launcher: Callable[[], JobLauncher],
    *,
    margin_ms: int,
    metric: tuple[str, str],
    unlogged: tuple[str, ...] = (),
) -> LambdaHandler:
    """``lambda_handler`` for a job: ``message`` is its log line; ``launcher`` starts it (its
    function, or a run to the end in process): a paused run continues through it where this is
    not a function that can invoke itself; ``metric`` a count to publish and the progress field
    it sums; ``unlogged`` summary fields kept out of the log (the erased user's id)."""
    logger = Logger()
    tracer = Tracer()
    metrics = Metrics()

    def relaunch(payload: Mapping[str, Any], /) -> bool:
        launcher()(request.model_validate(payload).key())
        return True

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        parsed = request.model_validate(event)
        logger.append_keys(**{k: v for k, v in parsed.payload().items() if k not in unlogged})
        now = utc_now()
        runs = job_runner(relaunch).run(
            lambda r, budget: job().run(r.key(), now, budget.should_stop, budget.max_units),
            parsed,
            Budget.before_timeout(
                context.get_remaining_time_in_millis, margin_ms, parsed.max_pages
            ),
            then=(request.model_validate(parsed.payload()), parsed.payload()),
        )
        summary = runs[-1].summary()  # one run: a paused one was relaunched
        logger.info(message, extra={k: v for k, v in summary.items() if k not in unlogged})
        name, counted = metric
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=summary[counted])
        return summary

    return lambda_handler
