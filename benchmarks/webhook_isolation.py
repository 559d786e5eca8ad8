"""A slow webhook endpoint and the others: simulated seconds, counted, not timed.

One batch of the webhook queue's mapping (10 messages) holds ``slow`` deliveries to an endpoint
that times out (5 s each: ``TIMEOUT_SECONDS``) and the rest to healthy endpoints (50 ms each),
the slow ones first, which is the worst order. The real ``WebhookSender`` and ``WebhookFanOut``
run on moto's DynamoDB (the endpoints, the log, the places in line) and a queue that records
what is put back; the endpoints are simulated, and a simulated clock adds each POST's duration
as one Lambda invocation runs them one after another. Reported: the seconds the batch spends on
the slow endpoint before the healthy deliveries, with the per-endpoint breaker
(``BREAKER_COOLDOWN``) and without it (a cooldown of 0), and the POSTs made to the slow one.

Run alone with ``python -m benchmarks.webhook_isolation``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import boto3
from moto import mock_aws

from gamification.adapters.kms_sealer import LocalSealer
from gamification.adapters.webhook_lines import WebhookLines
from gamification.adapters.webhook_repository import WebhookRepository
from gamification.domain.webhooks import TIMEOUT_SECONDS, Attempt, Delivery, Posted
from gamification.local.provision import provision
from gamification.services.webhooks import (
    BREAKER_COOLDOWN,
    WebhookAdmin,
    WebhookFanOut,
    WebhookSender,
)

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
BATCH = 10
HEALTHY_SECONDS = 0.05


class SimulatedEndpoints:
    """``slow.example.com`` times out after 5 s; any other answers 200 in 50 ms."""

    def __init__(self, clock: list[datetime]) -> None:
        self.clock = clock
        self.slow_posts = 0

    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> Posted:
        if "slow." in url:
            self.slow_posts += 1
            self.clock[0] += timedelta(seconds=timeout)
            raise TimeoutError("timed out")
        self.clock[0] += timedelta(seconds=HEALTHY_SECONDS)
        return Posted(200, "ok", int(HEALTHY_SECONDS * 1000))


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    def send(self, deliveries: Sequence[Delivery], delay_seconds: int = 0) -> None:
        self.sent.extend(deliveries)


def _batch(slow: int, cooldown: timedelta) -> tuple[float, int]:
    """(simulated seconds until the last healthy delivery is done, POSTs to the slow one)."""
    with mock_aws():
        stack = provision("webhook-bench", webhook_key=False)
        client = boto3.client("dynamodb")
        store = WebhookRepository(client, stack.table_name)
        lines = WebhookLines(client, stack.table_name)
        clock = [NOW]
        queue, sealer = Recorder(), LocalSealer()
        admin = WebhookAdmin(store, lambda: clock[0], sealer=sealer)
        admin.put("slow", {"url": "https://slow.example.com/", "event_types": ["xp.awarded"]})
        admin.put("fast", {"url": "https://fast.example.com/", "event_types": ["badge.earned"]})
        fan_out = WebhookFanOut(store, queue, lambda: clock[0], lines)
        for n in range(BATCH):
            kind = "xp.awarded" if n < slow else "badge.earned"
            event = {"id": f"evt_{n}", "type": kind, "user_id": f"u{n}", "sequence": 1}
            fan_out.fan_out(event)
        batch, queue.sent = queue.sent, []
        endpoints = SimulatedEndpoints(clock)
        sender = WebhookSender(
            store,
            endpoints,
            queue,
            lambda: clock[0],
            lines=lines,
            sealer=sealer,
            breaker_cooldown=cooldown,
        )
        for delivery in batch:
            outcome = sender.attempt(delivery)
            if delivery.webhook_id == "fast":
                assert isinstance(outcome, Attempt)
                assert outcome.status == "delivered"
        return (clock[0] - NOW).total_seconds(), endpoints.slow_posts


def run() -> str:
    rows = []
    for slow in (1, 5, 9):
        with_breaker, posts = _batch(slow, BREAKER_COOLDOWN)
        without, posts_without = _batch(slow, timedelta(0))
        assert posts == 1, f"{slow} slow deliveries: {posts} POSTs to the slow endpoint"
        rows.append(
            f"| {slow} of {BATCH} | {with_breaker:.2f} s ({posts} POST) | "
            f"{without:.2f} s ({posts_without} POST{'s' if posts_without > 1 else ''}) | "
            f"{without / with_breaker:.1f} |"
        )
    return "\n".join(
        [
            "### Webhooks: a slow endpoint in a batch (simulated seconds, not timed)",
            "",
            f"A batch of {BATCH} deliveries, the slow endpoint's first (each times out after "
            f"{TIMEOUT_SECONDS:.0f} s), the rest to a healthy endpoint "
            f"({HEALTHY_SECONDS * 1000:.0f} ms): the batch's time until the healthy ones are "
            "delivered.",
            "",
            "| slow deliveries | with the breaker | without | ratio |",
            "|---|---|---|---|",
            *rows,
        ]
    )


if __name__ == "__main__":
    print(run())
