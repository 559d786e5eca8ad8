"""The one Lambda entry point of the resumable jobs keyed by one id (badge backfill, erasure),
and the metrics every job function publishes (``publish``).

Each such function differs only in its request's id field, its service and the count it
publishes (its ``JobSpec`` in ``JOBS``), so ``functions/<name>/handler.py`` is one line that
names it; logging, tracing, metrics, the time budget and the continuation
(``services.jobs.JobRunner``) are set up here once. The league close
(sharded, scheduled) uses the same runner through ``services.league_close.LeagueCloseJob``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from gamification.adapters.job_launcher import JobLauncher
from gamification.composition import (
    backfill_launcher,
    badge_backfill,
    eraser,
    erasure_launcher,
    job_runner,
    utc_now,
)
from gamification.services.jobs import Budget, Metric, ResumableJob

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
"""Called with the event and a ``LambdaContext`` (or the local stack's and tests' stand-ins)."""


class JobRequest(BaseModel):
    """A resumable job's event: its one id field (declared by each job) and, for tests and
    operators, a limit of units (pages) for this invocation."""

    model_config = ConfigDict(extra="ignore")

    max_pages: int | None = Field(default=None, ge=1)
    counted: ClassVar[tuple[str, str]]
    """The metric to publish and the progress field it counts."""
    unlogged: ClassVar[tuple[str, ...]] = ()
    """Summary fields kept out of the log."""

    def payload(self) -> dict[str, Any]:
        """The continuation's event: the id, without the limit (a continuation runs on)."""
        return self.model_dump(exclude={"max_pages"})

    def key(self) -> str:
        (value,) = self.payload().values()
        return str(value)


def publish(metrics: Metrics, found: Iterable[Metric]) -> None:
    """Add each metric to the invocation's (one with a dimension goes out on its own)."""
    for metric in found:
        unit = MetricUnit(metric.unit)
        if metric.board is None:
            metrics.add_metric(name=metric.name, unit=unit, value=metric.value)
            continue
        with single_metric(name=metric.name, unit=unit, value=metric.value) as one:
            one.add_dimension(name="board", value=metric.board)


class BackfillRequest(JobRequest):
    badge_id: str = Field(min_length=1, max_length=64)
    counted: ClassVar = ("BackfillAwarded", "awarded_this_run")


class ErasureRequest(JobRequest):
    user_id: str = Field(min_length=1, max_length=128)
    counted: ClassVar = ("ErasedItems", "deleted_this_run")
    unlogged: ClassVar = ("user_id",)  # the erased user's id stays out of the log


@dataclass(frozen=True, slots=True)
class JobSpec:
    """What makes a job function: its request, its service and launcher (factories from the
    composition root) and its log line."""

    request: type[JobRequest]
    job: Callable[[], ResumableJob]
    launcher: Callable[[], JobLauncher]
    message: str
    margin_ms: int = 60_000
    """Stop this far before the timeout: one unit (a page of ≤ 100 users to award, of 1,000
    items to delete: 40 batch requests, ≈ 1 s) commits well within it."""


JOBS = {
    "backfill": JobSpec(BackfillRequest, badge_backfill, backfill_launcher, "badge backfill"),
    "eraser": JobSpec(ErasureRequest, eraser, erasure_launcher, "erasure"),
}


def job_handler(function: str) -> LambdaHandler:
    """``lambda_handler`` for the job function ``function`` (a name in ``JOBS``): a paused run
    continues through the job's launcher (its function, or a run to the end in process) where
    this is not a function that can invoke itself."""
    spec = JOBS[function]
    request, unlogged = spec.request, spec.request.unlogged
    logger = Logger()
    tracer = Tracer()
    metrics = Metrics()

    def relaunch(payload: Mapping[str, Any], /) -> bool:
        spec.launcher()(request.model_validate(payload).key())
        return True

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        parsed = request.model_validate(event)
        logger.append_keys(**{k: v for k, v in parsed.payload().items() if k not in unlogged})
        now = utc_now()
        runs = job_runner(relaunch).run(
            lambda r, budget: spec.job().run(r.key(), now, budget.should_stop, budget.max_units),
            parsed,
            Budget.before_timeout(
                context.get_remaining_time_in_millis, spec.margin_ms, parsed.max_pages
            ),
            then=(request.model_validate(parsed.payload()), parsed.payload()),
        )
        summary = runs[-1].summary()  # one run: a paused one was relaunched
        logger.info(spec.message, extra={k: v for k, v in summary.items() if k not in unlogged})
        name, counted = request.counted
        publish(metrics, [Metric(name, summary[counted])])
        return summary

    return lambda_handler
