"""The event bus: EventBridge on AWS, an inspectable JSON-lines log on the local stack.

Both implement ``services.event_publisher.EventBus``: put ≤ 10 events, answer the refused ones
with the reason. On EventBridge ``Source`` is ``gamify``, ``DetailType`` the event type, and
``Detail`` the whole envelope (so rules can match on ``detail.user_id`` or ``detail.data``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gamification.domain.event_catalog import SOURCE, DomainEvent

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

MAX_ENTRY_BYTES = 256 * 1024
"""EventBridge's limit for one entry (our envelopes stay far below it: docs/events.md)."""


def detail_of(event: DomainEvent) -> str:
    return event.model_dump_json()


class EventBridgeBus:
    def __init__(self, client: EventBridgeClient, bus_name: str) -> None:
        self._client = client
        self._bus = bus_name

    def put(self, events: Sequence[DomainEvent]) -> dict[str, str]:
        entries: list[Any] = [
            {
                "Source": SOURCE,
                "DetailType": e.type,
                "Detail": detail_of(e),
                "EventBusName": self._bus,
                "Time": e.occurred_at,
            }
            for e in events
        ]
        response = self._client.put_events(Entries=entries)
        refused: dict[str, str] = {}
        if response.get("FailedEntryCount", 0):
            # Entries answer in the order sent; a refused one has an ErrorCode and no EventId.
            for event, entry in zip(events, response["Entries"], strict=True):
                if entry.get("ErrorCode"):
                    refused[event.id] = f"{entry['ErrorCode']}: {entry.get('ErrorMessage', '')}"
        return refused


class LocalEventLog:
    """The local stack's bus: appends each event as one JSON line (``gamify events tail``
    reads it) and hands it to the local subscribers (the webhook sender's queue)."""

    def __init__(
        self, path: Path, subscribers: Sequence[Callable[[DomainEvent], None]] = ()
    ) -> None:
        self._path = path
        self._subscribers = subscribers
        self._lock = threading.Lock()

    def put(self, events: Sequence[DomainEvent]) -> dict[str, str]:
        with self._lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as log:
                for event in events:
                    log.write(json.dumps(event.model_dump(mode="json")) + "\n")
        for event in events:
            for subscriber in self._subscribers:
                subscriber(event)
        return {}
