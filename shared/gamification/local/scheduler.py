"""EventBridge schedules, locally: each job in ``SCHEDULES`` runs on its rate (a job on the clock
at its whole multiples past the hour, like its cron rule) with the same "Scheduled Event" payload
EventBridge sends, and any job can be run now or "as of" a time.

The jobs take "now" from the event's ``time``, so running one as of a chosen time is how a
developer (or an end-to-end test) reproduces what the hourly run at that moment would do.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from gamification.local.handlers import ACCOUNT_ID, region
from gamification.resources import SCHEDULES, Schedule

log = logging.getLogger("gamify.local")

Invoke = Callable[[str, dict[str, Any]], Any]


def scheduled_event(function: str, at: datetime, prefix: str = "gamify") -> dict[str, Any]:
    """The event an EventBridge rule delivers to its target Lambda."""
    here = region()
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": here,
        "resources": [f"arn:aws:events:{here}:{ACCOUNT_ID}:rule/{prefix}-{function}"],
        "detail": {},
    }


class Scheduler:
    def __init__(
        self,
        invoke: Invoke,
        schedules: Iterable[Schedule] = SCHEDULES,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tick_seconds: float = 1.0,
    ) -> None:
        self._invoke = invoke
        self._schedules = list(schedules)
        self._clock = clock
        self._tick = tick_seconds
        started = time.monotonic()
        self._next_due = {s.name: started + self._wait(s) for s in self._schedules}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    @property
    def schedules(self) -> list[Schedule]:
        return list(self._schedules)

    def due_in(self, name: str) -> float:
        """Seconds until the schedule's next run (``Schedule.name``: usually the function)."""
        return self._next_due[name] - time.monotonic()

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=35)

    def run(self, function: str, at: datetime | None = None) -> Any:
        """Invoke a job now, or as of ``at`` (the event's ``time``); returns its result."""
        moment = at or self._clock()
        log.info("job %s as of %s", function, moment.isoformat())
        return self._invoke(function, scheduled_event(function, moment))

    def run_due(self) -> list[str]:
        """Run every schedule whose period has elapsed; returns their names."""
        now = time.monotonic()
        ran: list[str] = []
        for schedule in self._schedules:
            if now < self._next_due[schedule.name]:
                continue
            self._next_due[schedule.name] = now + self._wait(schedule, ran=True)
            try:
                if schedule.job_input is None:
                    self.run(schedule.function)
                else:
                    self._invoke(schedule.function, dict(schedule.job_input))
            except Exception:
                log.exception("scheduled job %s failed", schedule.name)
            ran.append(schedule.name)
        return ran

    def _wait(self, schedule: Schedule, *, ran: bool = False) -> float:
        """Seconds from now to the job's next run: one period, like a rate() rule (the first run
        comes one period after the rule is created), or up to its next multiple of the period
        past the hour, like a cron rule, for a job on the clock."""
        period = schedule.rate_minutes * 60
        if not schedule.on_the_clock:
            return period
        now = self._clock()
        past = (now.minute * 60 + now.second + now.microsecond / 1e6) % period
        if ran and period - past < self._tick:
            return 2 * period - past  # it ran a hair before its time: that was this one's run
        return period - past

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            self.run_due()
