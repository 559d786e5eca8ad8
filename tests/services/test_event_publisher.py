"""The event publisher on the port fakes: stamps the outbox of each committed profile image,
puts ≤ 10 events a call, retries refused entries by entry, dead-letters the rest with the reason."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from gamification.domain.domain_events import EventDraft
from gamification.services.event_publisher import DEAD_EVENT, EventPublisher
from tests.fakes.events import FakeDeadLetters, FakeEventBus

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _outbox_of(image: Mapping[str, Any]) -> tuple[str, int, list[EventDraft]] | None:
    if "drafts" not in image:
        return None
    return image["user"], image["version"], image["drafts"]


def _image(user: str, version: int, badges: int) -> dict[str, Any]:
    drafts = [
        EventDraft("badge.earned", f"b{i}", NOW, {"badge_id": f"b{i}", "name": f"B{i}"})
        for i in range(badges)
    ]
    return {"user": user, "version": version, "drafts": drafts}


def _publisher(bus: FakeEventBus, dead: FakeDeadLetters) -> tuple[EventPublisher, list[float]]:
    slept: list[float] = []
    publisher = EventPublisher(
        bus, dead, _outbox_of, "test", attempts=3, sleep=slept.append, jitter=lambda: 0.5
    )
    return publisher, slept


def test_events_are_stamped_in_stream_order_and_put_ten_at_a_time() -> None:
    bus, dead = FakeEventBus(), FakeDeadLetters()
    publisher, _ = _publisher(bus, dead)

    events = publisher.events_in([_image("ann", 3, 7), {"other": 1}, _image("bob", 9, 8)])
    published = publisher.publish(events)

    assert published.sent == 15
    assert not published.dead
    assert bus.calls == [10, 5]
    assert [e.sequence for e in bus.sent[:7]] == list(range(30_000, 30_007))
    assert {e.tenant for e in bus.sent} == {"test"}
    assert len({e.id for e in bus.sent}) == 15


def test_the_same_image_again_gives_the_same_events() -> None:
    publisher, _ = _publisher(FakeEventBus(), FakeDeadLetters())

    first = publisher.events_in([_image("ann", 3, 2)])
    again = publisher.events_in([_image("ann", 3, 2)])

    assert first == again


def test_a_refused_entry_is_retried_alone_with_backoff() -> None:
    bus, dead = FakeEventBus(), FakeDeadLetters()
    publisher, slept = _publisher(bus, dead)
    events = publisher.events_in([_image("ann", 1, 4)])
    bus.refusals[events[2].id] = 2

    published = publisher.publish(events)

    assert bus.calls == [4, 1, 1]
    assert published.sent == 4
    assert published.retried == 2
    assert not dead.letters
    assert slept == [0.1, 0.2]  # 0.1 s doubling, jitter 0.5 -> x1


def test_an_entry_refused_on_every_attempt_goes_to_the_dead_letter_queue_with_the_reason() -> None:
    bus, dead = FakeEventBus(), FakeDeadLetters()
    publisher, _ = _publisher(bus, dead)
    events = publisher.events_in([_image("ann", 1, 3)])
    bus.refusals[events[0].id] = 99

    published = publisher.publish(events)

    assert published.sent == 2
    assert [(d.message_id, d.code) for d in dead.letters] == [(events[0].id, DEAD_EVENT)]
    assert "ThrottlingException" in dead.letters[0].reason
    assert events[0].id in dead.letters[0].body


def test_a_bus_down_raises_so_the_stream_batch_is_retried() -> None:
    bus, dead = FakeEventBus(), FakeDeadLetters()
    publisher, _ = _publisher(bus, dead)
    bus.down = True

    with pytest.raises(ConnectionError):
        publisher.publish(publisher.events_in([_image("ann", 1, 1)]))
    assert not dead.letters
