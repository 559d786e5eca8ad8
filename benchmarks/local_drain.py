"""How fast the local stack drains a deep activity queue, against a shallow one, in one run.

moto 5.2's SQS ``ReceiveMessage`` cost O(queue length) per message returned (its retention check
rebuilt every queue attribute, counting the queue twice per message): with 5,000 activities
queued the local consumer drained 1.9 a CPU second instead of ≈ 30 with 100 queued, until
``local/moto_patches.py`` replaced those parts (figures in docs/local.md).

The real local stack (``LocalStack``: moto over HTTP, Redis, the stream poller and schedules,
the real handlers) runs in a child process, so nothing of it leaks into the other benchmarks.
With the consumer's mapping paused, activities are queued through the ingest API's own adapter
(``ActivityQueue.send_many``: the message shape the consumer reads in AWS), users interleaved so
that each batch holds ten users as a busy queue's would; then the mapping resumes and the
poller's deleted count is watched.

* shallow: 100 activities for 100 users, three times (the median counts);
* deep: 5,000 activities for 500 users (ten each); the rate is measured over the first 1,000
  (5,000 to 4,000 queued), then the rest is drained and the whole drain reported too.

Rates are measured from the first batch settled to the target, in the stack process's CPU time
(activities per CPU second: a one-core figure, as the stack is one Python process, that holds
on a loaded machine) and in wall time (shown, what a user watches here). The benchmark fails
unless the deep rate is at least 50 a CPU second and at least 0.8 times the shallow one.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gamification.adapters.activity_queue import ActivityQueue
    from gamification.local.stack import LocalStack

SHALLOW = 100
SHALLOW_ROUNDS = 3
DEEP = 5_000
DEEP_USERS = 500
DEEP_WINDOW = 1_000
"""The deep rate is measured while the first 1,000 of the 5,000 are drained."""
MIN_DEEP_RATE = 50.0
MIN_RATIO = 0.8
DRAIN_TIMEOUT = 600.0
TYPES = ("post_read", "post_read", "post_read", "comment_left", "post_completed")


@dataclass(frozen=True, slots=True)
class Drain:
    queued: int
    measured: int
    """Activities counted in the rate (after the first batch, up to the target)."""
    cpu_seconds: float
    wall_seconds: float
    drained: int
    drain_wall_seconds: float

    @property
    def cpu_rate(self) -> float:
        return self.measured / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def wall_rate(self) -> float:
        return self.measured / self.wall_seconds if self.wall_seconds else 0.0


def run() -> str:
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.local_drain"],
        capture_output=True,
        text=True,
        timeout=2 * DRAIN_TIMEOUT + 300,
        env={k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "AWS_ENDPOINT_URL"}},
        check=False,
    )
    if child.returncode != 0:
        raise RuntimeError(f"the drain measurement failed:\n{child.stdout}\n{child.stderr}")
    found = json.loads(child.stdout.strip().splitlines()[-1])
    shallow_rounds = [Drain(**d) for d in found["shallow"]]
    deep = Drain(**found["deep"])
    shallow_cpu = statistics.median(d.cpu_rate for d in shallow_rounds)
    shallow_wall = statistics.median(d.wall_rate for d in shallow_rounds)
    ratio = deep.cpu_rate / shallow_cpu
    lines = [
        "## Local stack: draining a deep activity queue",
        "",
        "| queued | activities measured | per CPU second | per second (wall) |",
        "|---:|---:|---:|---:|",
        f"| {SHALLOW} (median of {SHALLOW_ROUNDS}) | {shallow_rounds[0].measured} "
        f"| {shallow_cpu:.1f} | {shallow_wall:.1f} |",
        f"| {DEEP:,} (first {DEEP_WINDOW:,} drained) | {deep.measured} "
        f"| {deep.cpu_rate:.1f} | {deep.wall_rate:.1f} |",
        "",
        f"Deep / shallow: {ratio:.2f} (at least {MIN_RATIO}); all {deep.drained:,} of {DEEP:,} "
        f"drained in {deep.drain_wall_seconds:.0f} s wall "
        f"({deep.drained / deep.drain_wall_seconds:.1f} a second on average).",
    ]
    section = "\n".join(lines)
    assert deep.cpu_rate >= MIN_DEEP_RATE, f"{section}\n\ndeep rate below {MIN_DEEP_RATE}/s"
    assert ratio >= MIN_RATIO, f"{section}\n\ndeep rate below {MIN_RATIO} x the shallow rate"
    return section


def measure() -> dict[str, object]:
    """In a fresh process: start the local stack, drain shallow then deep queues."""
    import boto3

    from gamification.adapters.activity_queue import ActivityQueue
    from gamification.local.redis_server import free_port
    from gamification.local.stack import LocalStack

    stack = LocalStack(port=free_port())
    try:
        stack.start()
        assert stack.provisioned is not None
        queue = ActivityQueue(boto3.client("sqs"), stack.provisioned.queue_url)
        shallow = [
            _drain(stack, queue, [f"shallow-{r}-{u:03d}" for u in range(SHALLOW)], 1, SHALLOW)
            for r in range(SHALLOW_ROUNDS)
        ]
        users = [f"deep-{u:03d}" for u in range(DEEP_USERS)]
        deep = _drain(stack, queue, users, DEEP // DEEP_USERS, DEEP_WINDOW)
    finally:
        stack.stop()
    return {"shallow": [asdict(d) for d in shallow], "deep": asdict(deep)}


def _drain(
    stack: LocalStack, queue: ActivityQueue, users: list[str], each: int, window: int
) -> Drain:
    from gamification.domain.activity import Activity

    stack.pause_consumer()
    now = datetime.now(UTC)
    activities = [
        Activity(
            user_id=user,
            type=TYPES[n % len(TYPES)],
            object_id=f"post-{n}",
            occurred_at=now,
            received_at=now,
        )
        for n in range(each)
        for user in users  # interleaved: consecutive messages are different users
    ]
    assert not queue.send_many(activities), "SQS refused some activities"
    base = stack.consumer_totals()["deleted"]

    def done() -> int:
        return stack.consumer_totals()["deleted"] - base

    started = time.monotonic()
    stack.resume_consumer()
    first_at, first_cpu, first = _wait(done, 1, started)
    window_at, window_cpu, reached = _wait(done, window, started)
    end_at, _, drained = _wait(done, len(activities), started)
    return Drain(
        queued=len(activities),
        measured=reached - first,
        cpu_seconds=window_cpu - first_cpu,
        wall_seconds=window_at - first_at,
        drained=drained,
        drain_wall_seconds=end_at - started,
    )


def _wait(done: Callable[[], int], target: int, started: float) -> tuple[float, float, int]:
    """Poll until ``done() >= target`` (or the timeout): when, the CPU time then, the count."""
    while True:
        count = done()
        now = time.monotonic()
        if count >= target or now - started > DRAIN_TIMEOUT:
            return now, time.process_time(), count
        time.sleep(0.01)


if __name__ == "__main__":
    print(json.dumps(measure()))
