"""Push dispatch as an outbox: committed notification items, read from the table's stream.

The consumer (and the notifier) write notifications inside their transactions; the stream only
carries committed writes, so a rolled-back transaction never pushes and a committed one always
reaches this service (the event source mapping retries a failed record). Only *inserted*
notification items with ``push`` set are published: a user with push off gets in-app only, and
profile writes, rewrites and TTL deletions are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gamification.adapters import keys
from gamification.adapters.notification_codec import notification_from_item
from gamification.adapters.push_publisher import PushPublisher
from gamification.domain.notifications import Notification

INSERT = "INSERT"


def pending_push(event_name: str, image: Mapping[str, Any]) -> Notification | None:
    """The notification a stream record asks to push, or ``None`` for anything else."""
    if event_name != INSERT or not keys.is_notification_sk(str(image.get("SK", ""))):
        return None
    if not image.get("push"):
        return None
    return notification_from_item(image)


class OutboxDispatcher:
    def __init__(self, publisher: PushPublisher) -> None:
        self._publisher = publisher

    def dispatch(self, event_name: str, image: Mapping[str, Any]) -> Notification | None:
        """Publish the record's push, if it is one; returns what was published."""
        notification = pending_push(event_name, image)
        if notification is not None:
            self._publisher.publish(notification)
        return notification
