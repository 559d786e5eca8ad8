"""The one runner of resumable jobs: the badge backfill, the erasure walk, the league close and
the reconciler's full pass.

Each job keeps only its unit of work (a page of players, a page of a user's items, a cohort, a
page or scan of the pass) and its progress record; this module does the rest, the same way for
all of them:

* **run units** (``run_units``): one unit after another, the progress saved by the job after
  each, until the job is finished or the budget is spent. The budget is asked only after a unit
  of work, so every run moves the job on (``max_units=0`` is the one exception: a run that only
  records itself, for tests and operators);
* **continue** (``JobRunner``): a paused run goes on in a fresh invocation of the job's function
  (``Continuation``: an asynchronous self-invocation on AWS), or, where there is none to invoke
  (tests, the local stack's jobs without a function), right here until it is done;
* **report** (``JobProgress.summary``): one flat record of where the job stands (its progress
  record's fields, its ids, the status and this run's counts), for the log line and the answer.

The reconciler's pass cannot invoke itself (it runs in the VPC): the next scheduled check
resumes it, so it uses ``run_units`` and its own report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar


class Status(StrEnum):
    DONE = "done"
    PAUSED = "paused"
    """Out of budget: run again to resume from the saved progress."""
    SUPERSEDED = "superseded"
    """A newer request (a changed definition, a second erasure) or a faster overlapping run owns
    the job now."""
    NO_DEFINITION = "no_definition"
    """Backfill: the badge is gone from the catalog."""
    NOT_REQUESTED = "not_requested"
    """Erasure: no request was recorded for the user."""


def never() -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Budget:
    """How much one run may do: until ``should_stop()`` (the invocation's time) says so, and at
    most ``max_units`` units (``None``: no limit)."""

    should_stop: Callable[[], bool] = never
    max_units: int | None = None

    def spent(self, units: int, worked: bool) -> bool:
        """Asked before each unit: ``units`` done so far, ``worked``: the last step was one."""
        if self.max_units is not None and units >= self.max_units:
            return True
        return worked and self.should_stop()

    @classmethod
    def before_timeout(
        cls, remaining_ms: Callable[[], int], margin_ms: int, max_units: int | None = None
    ) -> Budget:
        """Stop once fewer than ``margin_ms`` of the invocation are left."""
        return cls(lambda: remaining_ms() < margin_ms, max_units)

    def unlimited(self) -> Budget:
        """The same time budget without a unit limit (a continuation's)."""
        return replace(self, max_units=None)


class Walk(Protocol):
    """One run of a job from where it stands."""

    def finished(self) -> bool: ...

    def unit(self) -> bool:
        """One step, its progress saved: ``True`` when it was a unit of work, ``False`` when it
        only moved on to the next part (e.g. an empty key family, a read that was over)."""
        ...


def run_units(walk: Walk, budget: Budget) -> Status:
    """Run ``walk`` until it is finished (``DONE``) or ``budget`` is spent (``PAUSED``)."""
    units, worked = 0, False
    while not walk.finished():
        if budget.spent(units, worked):
            return Status.PAUSED
        worked = walk.unit()
        units += worked
    return Status.DONE


@dataclass(frozen=True, slots=True)
class Metric:
    """One CloudWatch metric a run publishes (``board``: its one dimension, if any)."""

    name: str
    value: float
    unit: str = "Count"
    board: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


REPORTED = {"report": "spread"}
"""Field metadata: a progress record whose fields the summary lists at its top level."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JobProgress:
    """Where a job stands after a run. A job's progress adds its ids and this run's counts as
    fields (and its saved record, as a field with ``REPORTED`` metadata); ``summary`` lists
    them, flat."""

    status: Status

    @property
    def finished(self) -> bool:
        return self.status is not Status.PAUSED

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.metadata == REPORTED:
                if is_dataclass(value):
                    out.update({f.name: _plain(getattr(value, f.name)) for f in fields(value)})
                continue
            out[spec.name] = _plain(value)
        return out


P = TypeVar("P", bound=JobProgress)
R = TypeVar("R")


class ResumableJob(Protocol):
    """A job keyed by one id (a badge, a user) that the runner can run and continue."""

    def run(
        self,
        key: str,
        now: datetime,
        should_stop: Callable[[], bool] = ...,
        max_pages: int | None = None,
    ) -> JobProgress: ...


class Continuation(Protocol):
    """Starts a fresh run of this job with ``payload`` (its function's request); ``False``
    when there is no function to start here, and the caller goes on in process."""

    def __call__(self, payload: Mapping[str, Any], /) -> bool: ...


def in_process(_payload: Mapping[str, Any]) -> bool:
    """No function to invoke: the runner goes on in this process."""
    return False


class JobRunner:
    """One invocation of a resumable job: a budgeted run, then, paused, its continuation."""

    def __init__(self, continuation: Continuation) -> None:
        self._continuation = continuation

    def start(self, payload: Mapping[str, Any]) -> bool:
        """Start a run elsewhere (a fan-out); ``False``: nowhere to start it."""
        return self._continuation(payload)

    def run(
        self,
        run: Callable[[R, Budget], P],
        request: R,
        budget: Budget,
        *,
        then: tuple[R, Mapping[str, Any]] | None,
    ) -> list[P]:
        """Run ``request`` within ``budget``; while paused, continue with ``then`` (the
        request that carries on and its payload; ``None``: a manual step, not continued):
        started elsewhere, or else here without the unit limit. Every run's progress, in
        order (the last says where the job stands)."""
        runs = [run(request, budget)]
        while runs[-1].status is Status.PAUSED and then is not None:
            following, payload = then
            if self._continuation(payload):
                break
            runs.append(run(following, budget.unlimited()))
        return runs
