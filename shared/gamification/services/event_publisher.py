"""Domain events out: the profile outbox, read from the table's stream, put on the event bus.

The consumer writes a commit's event drafts into the profile it commits (``adapters.event_codec``),
so an event exists iff its effect committed. The stream hands every committed profile image to
this service; it stamps the drafts (stable id, per-user sequence from the profile version) and
puts them on the bus in batches of at most 10 (PutEvents' limit). Entries the bus refuses are
retried by entry with exponential backoff and jitter; those still refused after the last attempt
go to the events' dead-letter queue with the bus's reason, so one bad entry never holds back the
stream. An error of the whole call (throttling, the network) propagates: the stream batch is
retried, and the events already sent go again with the same ids (receivers dedupe by id).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from gamification.domain.dead_letters import DeadLetter
from gamification.domain.domain_events import EventDraft, stamp
from gamification.domain.event_catalog import DomainEvent

PUT_BATCH = 10
"""PutEvents takes at most 10 entries."""
DEAD_EVENT = "event_not_delivered"

# -- ports (adapters: event_bus.EventBridgeBus / event_bus.LocalEventLog, DeadLetterQueue,
#    event_codec.outbox_of_image; fakes: tests/fakes/events.py)


class EventBus(Protocol):
    def put(self, events: Sequence[DomainEvent]) -> dict[str, str]:
        """Put ≤ 10 events; returns the refused ones: event id -> reason. Raises when the whole
        call failed (nothing known to be sent)."""
        ...


class DeadLetters(Protocol):
    def send(self, letters: Sequence[DeadLetter]) -> None: ...


OutboxOfImage = Callable[[Mapping[str, Any]], tuple[str, int, list[EventDraft]] | None]


@dataclass
class Published:
    sent: int = 0
    retried: int = 0
    dead: list[DeadLetter] = field(default_factory=list)


class EventPublisher:
    def __init__(
        self,
        bus: EventBus,
        dead_letters: DeadLetters,
        outbox_of: OutboxOfImage,
        tenant: str,
        *,
        attempts: int = 4,
        base_delay: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._bus = bus
        self._dead = dead_letters
        self._outbox_of = outbox_of
        self._tenant = tenant
        self._attempts = attempts
        self._base_delay = base_delay
        self._sleep = sleep
        self._jitter = jitter

    def events_in(self, images: Iterable[Mapping[str, Any]]) -> list[DomainEvent]:
        """The events the committed profile images carry, in stream order."""
        found: list[DomainEvent] = []
        for image in images:
            outbox = self._outbox_of(image)
            if outbox is not None:
                user_id, version, drafts = outbox
                found += stamp(drafts, tenant=self._tenant, user_id=user_id, version=version)
        return found

    def publish(self, events: Sequence[DomainEvent]) -> Published:
        """Put ``events`` in batches of ≤ 10, retrying refused entries; the rest dead-lettered."""
        result = Published()
        for start in range(0, len(events), PUT_BATCH):
            self._put_batch(list(events[start : start + PUT_BATCH]), result)
        if result.dead:
            self._dead.send(result.dead)
        return result

    def _put_batch(self, batch: list[DomainEvent], result: Published) -> None:
        reasons: dict[str, str] = {}
        for attempt in range(self._attempts):
            if attempt:
                # Full jitter: spread retries of many containers over the backoff window.
                self._sleep(self._base_delay * (2 ** (attempt - 1)) * (0.5 + self._jitter()))
                result.retried += len(batch)
            reasons = self._bus.put(batch)
            result.sent += len(batch) - len(reasons)
            batch = [e for e in batch if e.id in reasons]
            if not batch:
                return
        result.dead += [
            DeadLetter(
                message_id=e.id,
                body=json.dumps(e.model_dump(mode="json")),
                code=DEAD_EVENT,
                reason=f"refused by the event bus after {self._attempts} attempts: {reasons[e.id]}",
            )
            for e in batch
        ]
