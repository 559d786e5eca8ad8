"""In-memory webhook ports of ``services.webhooks``: the endpoint store (and its deliveries log),
the delivery queue (delays kept, not waited for) and an HTTP endpoint that answers from a script
(real: ``adapters.webhook_repository`` on DynamoDB, ``adapters.webhook_queue`` on SQS,
``adapters.webhook_http.SafePoster``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from gamification.adapters.webhook_lines import GRACE
from gamification.domain.webhooks import (
    Attempt,
    Delivery,
    DeliveryRefusedError,
    Health,
    Posted,
    Webhook,
)


class FakeDeliveryLines:
    """Places in line as a dict (key → lapse time), read in key order like the Query."""

    def __init__(self, grace: timedelta = GRACE) -> None:
        self.places: dict[tuple[str, str, int, str], datetime] = {}
        self._grace = grace

    def join(
        self, webhook_id: str, user_id: str, sequence: int, event_id: str, due: datetime
    ) -> None:
        self.places[(webhook_id, user_id, sequence, event_id)] = due + self._grace

    def renew(
        self, webhook_id: str, user_id: str, sequence: int, event_id: str, due: datetime
    ) -> None:
        if (key := (webhook_id, user_id, sequence, event_id)) in self.places:
            self.places[key] = due + self._grace

    def head(self, webhook_id: str, user_id: str, now: datetime) -> tuple[int, str] | None:
        live = sorted(
            (sequence, event_id)
            for (webhook, user, sequence, event_id), lapses in self.places.items()
            if webhook == webhook_id and user == user_id and lapses > now
        )
        return live[0] if live else None

    def leave(self, webhook_id: str, user_id: str, sequence: int, event_id: str) -> None:
        self.places.pop((webhook_id, user_id, sequence, event_id), None)


class FakeWebhookStore:
    def __init__(self) -> None:
        self.webhooks: dict[str, Webhook] = {}
        self.attempts: dict[str, list[Attempt]] = {}
        self.parked_deliveries: dict[tuple[str, str], Delivery] = {}
        self.lines = FakeDeliveryLines()
        """The places in line, which the real adapters keep in the same table."""
        self.erased: dict[str, datetime] = {}
        """Users' ``erased_at`` (the real store reads the profile's tombstone)."""

    def get(self, webhook_id: str) -> Webhook | None:
        return self.webhooks.get(webhook_id)

    def put(self, webhook: Webhook) -> None:
        self.webhooks[webhook.id] = webhook

    def mark(self, webhook_id: str, health: Health) -> None:
        if (webhook := self.webhooks.get(webhook_id)) is not None:
            self.webhooks[webhook_id] = webhook.model_copy(update=dict(health))

    def claim_probe(self, webhook_id: str, now: datetime, until: datetime) -> bool:
        webhook = self.webhooks.get(webhook_id)
        if webhook is None or (webhook.breaker_until is not None and webhook.breaker_until > now):
            return False
        self.webhooks[webhook_id] = webhook.model_copy(update={"breaker_until": until})
        return True

    def delete(self, webhook_id: str) -> bool:
        return self.webhooks.pop(webhook_id, None) is not None

    def all(self) -> list[Webhook]:
        return [self.webhooks[k] for k in sorted(self.webhooks)]

    def record(self, webhook_id: str, attempt: Attempt) -> None:
        self.attempts.setdefault(webhook_id, []).append(attempt)

    def recent(self, webhook_id: str, limit: int) -> list[Attempt]:
        return list(reversed(self.attempts.get(webhook_id, [])))[:limit]

    def park(self, delivery: Delivery, at: datetime) -> bool:
        event = json.loads(delivery.event)
        erased = self.erased.get(str(event.get("user_id") or ""))
        occurred = event.get("occurred_at")
        if erased is not None and (not occurred or datetime.fromisoformat(occurred) <= erased):
            return False
        self.parked_deliveries[(delivery.webhook_id, delivery.event_id)] = delivery
        return True

    def parked(self, webhook_id: str, event_id: str) -> Delivery | None:
        found = self.parked_deliveries.get((webhook_id, event_id))
        return replace(found, attempt=1) if found else None


class FakeSealer:
    """Seals by reversing under a marker, bound to the endpoint like KMS's encryption context;
    counts the secrets it opened (real: ``adapters.kms_sealer.KmsSealer``)."""

    def __init__(self) -> None:
        self.opened = 0

    def seal(self, secret: str, webhook_id: str) -> str:
        return f"sealed:{webhook_id}:{secret[::-1]}"

    def open(self, sealed: str, webhook_id: str) -> str:
        marker = f"sealed:{webhook_id}:"
        if not sealed.startswith(marker):
            raise ValueError("sealed for another endpoint")
        self.opened += 1
        return sealed.removeprefix(marker)[::-1]


class FakeDeliveryQueue:
    def __init__(self) -> None:
        self.messages: list[tuple[Delivery, int]] = []

    def send(self, deliveries: Sequence[Delivery], delay_seconds: int = 0) -> None:
        self.messages.extend((d, delay_seconds) for d in deliveries)

    def take(self) -> list[Delivery]:
        taken = [d for d, _ in self.messages]
        self.messages.clear()
        return taken


class ScriptedEndpoint:
    """Answers each POST with the next status of ``script`` (then 200); records what came."""

    def __init__(self, *script: int | Exception, latency_ms: int = 12) -> None:
        self.script = list(script)
        self.latency_ms = latency_ms
        """What every answer reports it took."""
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.answers: list[int | Exception] = []
        """What each received POST was answered, in order."""
        self.refuse = False

    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> Posted:
        if self.refuse:
            raise DeliveryRefusedError("the url's host is a loopback address")
        self.received.append((url, dict(headers), body))
        answer = self.script.pop(0) if self.script else 200
        self.answers.append(answer)
        if isinstance(answer, Exception):
            raise answer
        return Posted(answer, "ok" if answer < 300 else "x" * 5000, self.latency_ms)
