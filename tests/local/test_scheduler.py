"""Local schedules: EventBridge-shaped events, "as of" runs, rates."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from gamification.local.scheduler import Scheduler, scheduled_event
from gamification.resources import SCHEDULES, Schedule


def test_scheduled_event_has_the_eventbridge_shape() -> None:
    event = scheduled_event("reminder_fanout", datetime(2026, 3, 29, 1, 30, 15, 999, tzinfo=UTC))
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["time"] == "2026-03-29T01:30:15Z"
    assert event["resources"][0].endswith(":rule/gamify-reminder_fanout")
    assert event["detail"] == {}


def test_run_as_of_a_time_and_due_jobs_by_rate() -> None:
    calls: list[tuple[str, str]] = []

    def invoke(name: str, event: dict[str, Any]) -> str:
        calls.append((name, event["time"]))
        return "ok"

    fixed = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    scheduler = Scheduler(
        invoke,
        [Schedule("fast", 0, "every tick"), Schedule("slow", 60, "hourly")],
        clock=lambda: fixed,
    )
    assert scheduler.run("slow", datetime(2026, 1, 1, tzinfo=UTC)) == "ok"
    assert scheduler.run_due() == ["fast"]  # "slow" is due an hour after creation
    assert calls == [("slow", "2026-01-01T00:00:00Z"), ("fast", "2026-11-27T08:00:00Z")]


@pytest.mark.parametrize(
    ("now", "fan_out_in"),
    [
        (datetime(2026, 11, 27, 8, 59, 30, tzinfo=UTC), 30),  # the coming full hour
        (datetime(2026, 11, 27, 9, 0, 0, 200_000, tzinfo=UTC), 3599.8),  # just ran: the next
        (datetime(2026, 11, 27, 8, 59, 59, 990_000, tzinfo=UTC), 0.01),
    ],
)
def test_a_job_on_the_clock_runs_on_the_hour_and_a_rate_job_a_period_after_start(
    now: datetime, fan_out_in: float
) -> None:
    scheduler = Scheduler(lambda name, event: None, SCHEDULES, clock=lambda: now, tick_seconds=1)
    rates = {s.name: s.rate_minutes for s in SCHEDULES}
    assert scheduler.due_in("reminder_fanout") == pytest.approx(fan_out_in, abs=0.5)
    assert scheduler.due_in("reconciler") == pytest.approx(rates["reconciler"] * 60, abs=0.5)


def test_a_job_on_the_clock_needs_a_rate_that_divides_the_hour() -> None:
    with pytest.raises(ValueError, match="divides 60"):
        Schedule("odd", 7, "every 7 minutes on the clock", on_the_clock=True)
    assert Schedule("quarter", 15, "at :00, :15, :30, :45", on_the_clock=True).rate_minutes == 15


def test_a_run_a_hair_before_the_hour_is_that_hour_s_run() -> None:
    """Wall clock and timer may disagree by a little; the next run is still an hour later."""
    ran: list[str] = []
    early = datetime(2026, 11, 27, 8, 59, 59, 999_000, tzinfo=UTC)
    (reminder_fanout,) = (s for s in SCHEDULES if s.function == "reminder_fanout")
    scheduler = Scheduler(
        lambda name, event: ran.append(event["time"]), [reminder_fanout], clock=lambda: early
    )
    time.sleep(0.01)

    assert scheduler.run_due() == ["reminder_fanout"]
    assert ran == ["2026-11-27T08:59:59Z"]
    assert scheduler.due_in("reminder_fanout") == pytest.approx(3600, abs=0.5)
