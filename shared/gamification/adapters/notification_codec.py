"""The one definition of a stored notification item (``NOTIF#``; see docs/data-model.md).

Every writer (the consumer's and the league close's ``UserChange``, the backfill, the reminder
ledger) encodes with :func:`notification_item`, and every reader (the feed, the export, the push
outbox reading stream images) decodes with :func:`notification_from_item` or
:func:`stored_notification_from_item`, so the attributes cannot drift apart between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.domain.notifications import Notification
from gamification.domain.notifications import StoredNotification as StoredNotification  # noqa: PLC0414 (re-exported: its old home)

DEFAULT_NOTIFICATION_TTL = timedelta(days=90)
"""How long an item stays before DynamoDB's TTL removes it (``NOTIFICATION_TTL_DAYS``)."""


def notification_item(notification: Notification, ttl: timedelta) -> dict[str, Any]:
    """The item (DynamoDB-typed) a notification is stored as, unread, expiring ``ttl`` later."""
    return to_item(
        {
            "PK": keys.user_pk(notification.user_id),
            "SK": keys.notification_sk(notification.created_at, notification.id),
            "notification_id": notification.id,
            "user_id": notification.user_id,
            "kind": notification.kind.value,
            "title": notification.title,
            "message": notification.message,
            "created_at": notification.created_at.astimezone(UTC).isoformat(),
            "read": False,
            "push": notification.push,
            "expires_at": int((notification.created_at + ttl).timestamp()),
        }
    )


def notification_from_item(values: Mapping[str, Any]) -> Notification:
    """The domain notification of an item (plain values: ``from_item`` or a stream image)."""
    return Notification(**_fields(values))


def notification_in_image(image: Mapping[str, Any]) -> Notification | None:
    """The notification a stream record's image holds, ``None`` for any other item."""
    if not keys.is_notification_sk(str(image.get("SK", ""))):
        return None
    return notification_from_item(image)


def stored_notification_from_item(values: Mapping[str, Any]) -> StoredNotification:
    """The notification of an item with its read mark (the feed and the export)."""
    return StoredNotification(**_fields(values), read=bool(values.get("read", False)))


def _fields(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(values["notification_id"]),
        "user_id": str(values["user_id"]),
        "kind": str(values["kind"]),
        "title": str(values["title"]),
        "message": str(values["message"]),
        "created_at": datetime.fromisoformat(str(values["created_at"])),
        "push": bool(values.get("push", False)),
    }
