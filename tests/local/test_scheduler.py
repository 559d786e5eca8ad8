"""Local schedules: EventBridge-shaped events, "as of" runs, rates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gamification.local.scheduler import Scheduler, scheduled_event
from gamification.resources import Schedule


def test_scheduled_event_has_the_eventbridge_shape() -> None:
    event = scheduled_event("notifier", datetime(2026, 3, 29, 1, 30, 15, 999, tzinfo=UTC))
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["time"] == "2026-03-29T01:30:15Z"
    assert event["resources"][0].endswith(":rule/gamify-notifier")
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
