"""The resumable-job runner (``services.jobs``) and the jobs on it, on in-memory fakes: units,
budget, continuation, report. The moto-backed tests in ``tests/jobs`` and ``tests/lifecycle``
keep what needs the real stores (conditional writes, GSI pages, transactions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.checkpoints import CloseCheckpoint, ErasureCheckpoint
from gamification.services.erasure import Eraser
from gamification.services.jobs import (
    REPORTED,
    Budget,
    JobProgress,
    JobRunner,
    Status,
    run_units,
)
from gamification.services.league_close import (
    CloseProgress,
    LeagueClose,
    LeagueCloseJob,
    ShardRun,
)
from tests.fakes.jobs import FakeErasureLedger, FakeUserPartitions, RecordingContinuation

NOW = datetime(2026, 11, 30, 0, 5, tzinfo=UTC)


@dataclass
class Steps:
    """A walk of ``plan``: ``True`` a unit of work, ``False`` a step that only moves on."""

    plan: list[bool]
    done: int = 0

    def finished(self) -> bool:
        return self.done >= len(self.plan)

    def unit(self) -> bool:
        self.done += 1
        return self.plan[self.done - 1]


def test_a_run_goes_to_the_end_without_a_budget() -> None:
    walk = Steps([True, False, True])
    assert run_units(walk, Budget()) is Status.DONE
    assert walk.done == 3


def test_every_run_does_a_unit_of_work_before_it_may_stop() -> None:
    walk = Steps([False, True, True])
    assert run_units(walk, Budget(lambda: True)) is Status.PAUSED
    assert walk.done == 2  # the moving-on step, then one unit: the budget is asked after it


def test_max_units_counts_units_of_work_only() -> None:
    walk = Steps([True, False, True, True])
    assert run_units(walk, Budget(max_units=2)) is Status.PAUSED
    assert walk.done == 3
    assert run_units(Steps([True]), Budget(max_units=0)) is Status.PAUSED  # records itself


@given(st.lists(st.booleans(), max_size=12), st.integers(min_value=1, max_value=5))
def test_runs_resumed_until_done_do_every_step_once(plan: list[bool], limit: int) -> None:
    walk = Steps(plan)
    runs = 1
    while run_units(walk, Budget(max_units=limit)) is Status.PAUSED:
        runs += 1
        assert runs <= len(plan) + 1
    assert walk.done == len(plan)


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress(JobProgress):
    job_id: str
    checkpoint: CloseCheckpoint | None = field(default=None, metadata=REPORTED)
    done_this_run: int = 0


def test_the_summary_lists_the_record_its_ids_status_and_counts_flat() -> None:
    checkpoint = CloseCheckpoint("2026-W48", 0, 1, position=2, closed=4)
    summary = Progress(status=Status.PAUSED, job_id="j", checkpoint=checkpoint).summary()
    assert summary == {
        "status": "paused",
        "job_id": "j",
        "week": "2026-W48",
        "shard": 0,
        "shards": 1,
        "position": 2,
        "closed": 4,
        "promoted": 0,
        "demoted": 0,
        "stayed": 0,
        "already": 0,
        "left": 0,
        "flagged": 0,
        "done": False,
        "done_this_run": 0,
    }
    assert Progress(status=Status.DONE, job_id="j").summary() == {
        "status": "done",
        "job_id": "j",
        "done_this_run": 0,
    }


class CountedJob:
    """A job of ``units`` units that remembers how far it got."""

    def __init__(self, units: int) -> None:
        self.units = units
        self.done = 0
        self.budgets: list[Budget] = []

    def run(self, _request: str, budget: Budget) -> Progress:
        self.budgets.append(budget)
        walk = Steps([True] * (self.units - self.done))
        status = run_units(walk, budget)
        self.done += walk.done
        return Progress(status=status, job_id="j", done_this_run=walk.done)


def test_a_paused_run_continues_in_a_fresh_invocation() -> None:
    continuation = RecordingContinuation()
    job = CountedJob(5)

    runs = JobRunner(continuation).run(job.run, "j", Budget(max_units=2), then=("j", {"id": "j"}))

    assert [r.status for r in runs] == [Status.PAUSED]
    assert continuation.started == [{"id": "j"}]


def test_without_a_function_the_run_goes_on_here_without_its_unit_limit() -> None:
    continuation = RecordingContinuation(available=False)
    job = CountedJob(5)

    runs = JobRunner(continuation).run(job.run, "j", Budget(max_units=2), then=("j", {"id": "j"}))

    assert [(r.status, r.summary()["done_this_run"]) for r in runs] == [
        (Status.PAUSED, 2),
        (Status.DONE, 3),
    ]
    assert [b.max_units for b in job.budgets] == [2, None]
    assert continuation.started == []


def test_a_step_by_hand_is_not_continued() -> None:
    continuation = RecordingContinuation()
    runs = JobRunner(continuation).run(CountedJob(5).run, "j", Budget(max_units=1), then=None)
    assert [r.status for r in runs] == [Status.PAUSED]
    assert continuation.started == []


# -- the eraser on fakes -------------------------------------------------------------------


@dataclass
class Profiles:
    """The erasure's view of the profiles: only the tombstone's end is asked for."""

    finished: list[str] = field(default_factory=list)
    newer_request: bool = False

    def finish_erasure(self, user_id: str, requested_at: datetime) -> bool:
        self.finished.append(user_id)
        return not self.newer_request


class NoSnapshots:
    def load(self, board: str) -> None:
        return None

    def save(self, snapshot: Any) -> None:
        raise AssertionError("nothing to scrub")


def _eraser(
    partitions: FakeUserPartitions, ledger: FakeErasureLedger, profiles: Profiles
) -> Eraser:
    return Eraser(partitions, ledger, cast(Any, profiles), NoSnapshots(), page_size=2)


def test_the_erasure_walks_every_family_across_invocations() -> None:
    partitions, ledger, profiles = FakeUserPartitions(), FakeErasureLedger(), Profiles()
    partitions.put("ann", 0, "PROFILE", "SEEN#1", "SEEN#2", "SEEN#3")
    partitions.put("ann", 1, "MINUTE#1")
    ledger.start("ann", NOW)
    eraser = _eraser(partitions, ledger, profiles)

    runs = [eraser.run("ann", NOW, max_pages=1)]
    while runs[-1].status is Status.PAUSED:
        runs.append(eraser.run("ann", NOW, max_pages=1))

    assert [r.status for r in runs] == [Status.PAUSED] * 3 + [Status.DONE]  # 3 pages
    assert partitions.held("ann", 0) == {"PROFILE"}
    assert partitions.held("ann", 1) == set()
    assert runs[-1].summary()["deleted"] == 4
    assert runs[-1].summary()["invocations"] == 4
    assert profiles.finished == ["ann"]
    saved = ledger.load("ann")
    assert saved is not None
    assert saved.done


def test_an_erasure_superseded_at_its_end_says_so() -> None:
    partitions, ledger = FakeUserPartitions(), FakeErasureLedger()
    ledger.start("ann", NOW)
    progress = _eraser(partitions, ledger, Profiles(newer_request=True)).run("ann", NOW)
    assert progress.status is Status.SUPERSEDED
    assert not cast(ErasureCheckpoint, ledger.load("ann")).done


def test_an_erasure_never_requested_does_nothing() -> None:
    eraser = _eraser(FakeUserPartitions(), FakeErasureLedger(), Profiles())
    assert eraser.run("ann", NOW).summary()["status"] == "not_requested"


# -- the league close's invocations on fakes ------------------------------------------------


@dataclass
class Close:
    """``LeagueClose`` as its invocations use it: ``cohorts`` per shard, closed one a unit."""

    cohorts: int
    shards: int = 1
    open: int = 0
    closed: dict[int, int] = field(default_factory=dict)

    def close_shards(self, week: str, floor: int = 1) -> int:
        return max(self.shards, floor)

    def open_shards(self, week: str, shards: int) -> int:
        return self.open

    def plan_seats(self, closed: str, now: datetime) -> str | None:
        return "2026-W50"

    def run(self, week: str, now: datetime, **run: Any) -> CloseProgress:
        shard = run["shard"]
        walk = Steps([True] * (self.cohorts - self.closed.get(shard, 0)))
        status = run_units(walk, Budget(run["should_stop"], run["max_cohorts"]))
        self.closed[shard] = self.closed.get(shard, 0) + walk.done
        checkpoint = CloseCheckpoint(
            week, shard, run["shards"], position=self.closed[shard], done=status is Status.DONE
        )
        return CloseProgress(
            status=status, checkpoint=checkpoint, cohorts=self.cohorts, closed_this_run=walk.done
        )


def _job(close: Close, continuation: RecordingContinuation) -> LeagueCloseJob:
    return LeagueCloseJob(cast(LeagueClose, close), JobRunner(continuation))


def test_a_scheduled_run_fans_out_one_invocation_per_shard() -> None:
    continuation = RecordingContinuation()
    done = _job(Close(cohorts=3, shards=2), continuation).scheduled(NOW, Budget())
    assert done.summary == {
        "status": "fanned_out",
        "week": "2026-W48",
        "shards": 2,
        "late_shards": 0,
    }
    assert continuation.started == [
        {"week": "2026-W48", "shard": 0, "shards": 2},
        {"week": "2026-W48", "shard": 1, "shards": 2},
    ]
    assert done.planned == "2026-W50"
    assert "LeagueCohortsClosed" not in done.counts


def test_without_a_function_every_shard_closes_here() -> None:
    close = Close(cohorts=3, shards=2)
    done = _job(close, RecordingContinuation(available=False)).scheduled(NOW, Budget(lambda: True))
    assert done.summary["status"] == "done"
    assert close.closed == {0: 3, 1: 3}
    assert done.counts == {"LeagueCohortsClosed": 6}


def test_a_late_scheduled_run_counts_the_open_shards() -> None:
    close = Close(cohorts=1, open=1)
    done = _job(close, RecordingContinuation()).scheduled(NOW + timedelta(hours=2), Budget())
    assert done.summary["late_shards"] == 1
    assert done.counts == {"LeagueWeekOpen": 1, "LeagueCohortsClosed": 1}


@pytest.mark.parametrize("available", [True, False])
def test_a_shard_short_of_time_continues_itself_unless_limited_by_hand(available: bool) -> None:
    continuation = RecordingContinuation(available=available)
    close = Close(cohorts=3)
    job = _job(close, continuation)

    stepped = job.shard(ShardRun(week="2026-W48", max_cohorts=1), NOW, Budget())
    assert stepped.summary["status"] == "paused"
    assert continuation.started == []

    short = job.shard(ShardRun(week="2026-W48"), NOW, Budget(lambda: True))
    assert short.summary["status"] == ("paused" if available else "done")
    assert continuation.started == (
        [{"week": "2026-W48", "shard": 0, "shards": 1}] if available else []
    )
