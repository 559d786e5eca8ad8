"""An in-memory event bus and dead-letter queue: the ports of ``services.event_publisher``
(real: ``adapters.event_bus.EventBridgeBus`` on EventBridge, ``LocalEventLog``; the contract:
tests/adapters/contracts/test_event_bus.py holds them equal)."""

from __future__ import annotations

from collections.abc import Sequence

from gamification.domain.dead_letters import DeadLetter
from gamification.domain.event_catalog import DomainEvent


class FakeEventBus:
    def __init__(self) -> None:
        self.sent: list[DomainEvent] = []
        self.calls: list[int] = []
        self.refusals: dict[str, int] = {}
        """Event id -> how many more puts refuse it."""
        self.down = False
        self.lost_responses = 0
        """How many more puts take their entries (refusing as scripted) and then raise, as a
        call whose response never came back (a timeout, a crash after the call)."""

    def put(self, events: Sequence[DomainEvent]) -> dict[str, str]:
        if self.down:
            raise ConnectionError("the fake bus is down")
        assert len(events) <= 10, "PutEvents takes at most 10 entries"
        self.calls.append(len(events))
        refused: dict[str, str] = {}
        for event in events:
            if self.refusals.get(event.id, 0) > 0:
                self.refusals[event.id] -= 1
                refused[event.id] = "ThrottlingException: rate exceeded"
            else:
                self.sent.append(event)
        if self.lost_responses > 0:
            self.lost_responses -= 1
            raise ConnectionError("the fake bus took the entries; the response was lost")
        return refused


class FakeDeadLetters:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def send(self, letters: Sequence[DeadLetter]) -> None:
        self.letters.extend(letters)
