"""Push dispatch as an outbox: committed notification items, read from the table's stream.

The consumer (and the reminder sender) write notifications inside their transactions; the
stream only carries committed writes, so a rolled-back transaction never pushes and a committed
one always reaches this service (the event source mapping retries a failed record). Only *inserted*
notification items with ``push`` set are published: a user with push off gets in-app only, and
profile writes, rewrites and TTL deletions are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from gamification.domain.notifications import Notification

INSERT = "INSERT"

# -- ports (adapters: PushPublisher, notification_codec.notification_in_image; fakes: tests/fakes)


class Pusher(Protocol):
    def publish(self, notification: Notification) -> str:
        """Send one push; returns the message id. Errors propagate (the caller retries)."""
        ...


NotificationOfImage = Callable[[Mapping[str, Any]], Notification | None]
"""The notification a stream record's image holds (``None``: the item is no notification)."""


def pending_push(
    event_name: str, image: Mapping[str, Any], notification_of: NotificationOfImage
) -> Notification | None:
    """The notification a stream record asks to push, or ``None`` for anything else."""
    if event_name != INSERT:
        return None
    notification = notification_of(image)
    return notification if notification is not None and notification.push else None


class OutboxDispatcher:
    def __init__(self, publisher: Pusher, notification_of: NotificationOfImage) -> None:
        self._publisher = publisher
        self._notification_of = notification_of

    def dispatch(self, event_name: str, image: Mapping[str, Any]) -> Notification | None:
        """Publish the record's push, if it is one; returns what was published."""
        notification = pending_push(event_name, image, self._notification_of)
        if notification is not None:
            self._publisher.publish(notification)
        return notification
