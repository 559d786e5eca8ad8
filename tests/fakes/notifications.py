"""An in-memory notification feed: the ``Feed`` and ``ReadMarks`` ports (real:
``adapters.notification_repository``; the contract:
tests/adapters/contracts/test_notifications.py holds them equal).

Newest first, ties by id (descending) as the table's sort key orders them; cursors are opaque and a
cursor this fake did not issue is ``InvalidCursorError``, as the real one's.
"""

from __future__ import annotations

from collections.abc import Collection

from gamification.adapters.cursor import SortKeyCursor
from gamification.domain.notifications import (
    MarkedRead,
    Notification,
    NotificationPage,
    StoredNotification,
)

_CURSOR = SortKeyCursor(max_chars=512, accepts=lambda key: "|" in key)


def _key(n: Notification) -> str:
    return f"{n.created_at.timestamp():020.6f}|{n.id}"


class FakeFeed:
    def __init__(self) -> None:
        self.feeds: dict[str, dict[str, StoredNotification]] = {}
        """User -> sort key -> notification."""

    def add(self, notification: Notification) -> None:
        """What the consumer's transaction does: store it unread."""
        stored = StoredNotification(**notification.model_dump(), read=False)
        self.feeds.setdefault(notification.user_id, {})[_key(notification)] = stored

    def page(
        self, user_id: str, *, limit: int, unread_only: bool = False, cursor: str | None = None
    ) -> NotificationPage:
        after = _CURSOR.decode(cursor) if cursor is not None else None
        items = [
            (key, n)
            for key, n in self._newest_first(user_id)
            if (after is None or key < after) and not (unread_only and n.read)
        ]
        shown = items[:limit]
        more = len(items) > limit
        return NotificationPage(
            [n for _, n in shown], _CURSOR.encode(shown[-1][0]) if more and shown else None
        )

    def mark_read(self, user_id: str, ids: Collection[str] | None) -> MarkedRead:
        wanted = None if ids is None else set(ids)
        feed = self.feeds.get(user_id, {})
        marked: list[str] = []
        seen: set[str] = set()
        for key, n in self._newest_first(user_id):
            if wanted is not None and n.id not in wanted:
                continue
            seen.add(n.id)
            if not n.read:
                feed[key] = n.model_copy(update={"read": True})
                marked.append(n.id)
        return MarkedRead(marked=marked, unknown=sorted((wanted or set()) - seen))

    def _newest_first(self, user_id: str) -> list[tuple[str, StoredNotification]]:
        return sorted(self.feeds.get(user_id, {}).items(), reverse=True)
