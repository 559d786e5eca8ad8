"""The feed ports (``Feed``, ``ReadMarks``): the fake (tests/fakes/notifications.py) and
``NotificationRepository`` on moto pass the same tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from gamification.adapters.cursor import InvalidCursorError
from gamification.adapters.notification_codec import notification_item
from gamification.adapters.notification_repository import NotificationRepository
from gamification.domain import notifications
from gamification.domain.notifications import Notification
from gamification.local.provision import Provisioned
from tests.fakes.notifications import FakeFeed

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@dataclass
class Subject:
    feed: FakeFeed | NotificationRepository
    add: Callable[[Notification], None]
    """What the consumer's transaction stores."""


@pytest.fixture(params=["fake", "dynamodb"])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = FakeFeed()
        return Subject(fake, fake.add)
    aws: Provisioned = request.getfixturevalue("aws")
    client = boto3.client("dynamodb")

    def add(notification: Notification) -> None:
        item = notification_item(notification, timedelta(days=90))
        client.put_item(TableName=aws.table_name, Item=item)

    return Subject(NotificationRepository(client, aws.table_name), add)


def _levels(subject: Subject, user_id: str, count: int) -> None:
    for level in range(1, count + 1):
        subject.add(
            notifications.level_up(
                user_id=user_id,
                old=level - 1,
                new=level,
                now=NOW + timedelta(minutes=level),
                push=False,
            )
        )


def _all_pages(subject: Subject, limit: int, *, unread_only: bool = False) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page = subject.feed.page("ann", limit=limit, unread_only=unread_only, cursor=cursor)
        assert len(page.items) <= limit
        pages.append([n.id for n in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_the_feed_pages_newest_first_and_every_item_once(subject: Subject) -> None:
    _levels(subject, "ann", 5)
    _levels(subject, "bob", 2)

    pages = _all_pages(subject, 2)

    assert [i for page in pages for i in page] == [f"level#{n}" for n in (5, 4, 3, 2, 1)]
    assert pages[0] == ["level#5", "level#4"]


def test_marks_read_some_then_all_and_names_the_unknown(subject: Subject) -> None:
    _levels(subject, "ann", 4)
    _levels(subject, "bob", 1)

    some = subject.feed.mark_read("ann", ["level#2", "level#9", "level#1"])
    again = subject.feed.mark_read("ann", ["level#2"])
    unread = [i for page in _all_pages(subject, 10, unread_only=True) for i in page]
    rest = subject.feed.mark_read("ann", None)

    assert sorted(some.marked) == ["level#1", "level#2"]
    assert some.unknown == ["level#9"]
    assert again.marked == []
    assert unread == ["level#4", "level#3"]
    assert sorted(rest.marked) == ["level#3", "level#4"]
    assert subject.feed.mark_read("bob", ["level#2"]).unknown == ["level#2"]  # not bob's


def test_a_cursor_not_issued_is_refused(subject: Subject) -> None:
    with pytest.raises(InvalidCursorError):
        subject.feed.page("ann", limit=2, cursor="not-a-cursor")
