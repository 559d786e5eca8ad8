"""The export's ``Records`` port: the fake (tests/fakes/user_records.py) and
``adapters.user_records`` on moto pass the same tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.cursor import InvalidCursorError
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.notification_codec import notification_item
from gamification.adapters.user_records import UserRecords
from gamification.domain import notifications
from gamification.domain.notifications import StoredNotification
from gamification.domain.user_records import (
    AppliedActivity,
    BudgetWindow,
    NotificationRecord,
    ReminderSent,
    UserRecord,
)
from gamification.local.provision import Provisioned
from tests.fakes.user_records import FakeUserRecords

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@dataclass
class Subject:
    records: FakeUserRecords | UserRecords
    add: Callable[[str, UserRecord], None]
    spend: Callable[[str, BudgetWindow], None]


@pytest.fixture(params=["fake", "dynamodb"])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = FakeUserRecords()
        return Subject(fake, fake.add, fake.spend)
    aws: Provisioned = request.getfixturevalue("aws")
    client = boto3.client("dynamodb")

    def put(values: dict[str, object]) -> None:
        client.put_item(TableName=aws.table_name, Item=to_item(values))

    def add(user_id: str, record: UserRecord) -> None:
        pk = keys.user_pk(user_id)
        match record:
            case AppliedActivity(key=key, applied_at=at):
                put({"PK": pk, "SK": keys.seen_sk(key), "at": at})
            case NotificationRecord(notification=n):
                item = notification_item(n, timedelta(days=90))
                client.put_item(TableName=aws.table_name, Item=item)
            case ReminderSent(day=day):
                put({"PK": pk, "SK": keys.reminded_sk(date.fromisoformat(day))})
            case _:
                raise NotImplementedError(record)

    def spend(user_id: str, window: BudgetWindow) -> None:
        put({"PK": keys.budget_pk(user_id), "SK": f"W#{window.window}", "spent": window.spent})

    return Subject(UserRecords(client, aws.table_name), add, spend)


def _seed(subject: Subject) -> list[UserRecord]:
    note = notifications.level_up(user_id="ann", old=0, new=1, now=NOW, push=True)
    records: list[UserRecord] = [
        NotificationRecord(StoredNotification(**note.model_dump(), read=False)),
        ReminderSent("2026-11-24"),
        *(AppliedActivity(f"post_read:p{i}", NOW.isoformat()) for i in range(5)),
    ]
    for record in records:
        subject.add("ann", record)
    subject.add("bob", AppliedActivity("post_read:x", NOW.isoformat()))
    return records


def test_pages_hold_every_record_of_the_user_once_in_key_order(subject: Subject) -> None:
    records = _seed(subject)

    found: list[UserRecord] = []
    cursor: str | None = None
    while True:
        page = subject.records.page("ann", cursor, 3)
        assert len(page.records) <= 3
        found += page.records
        cursor = page.next_cursor
        if cursor is None:
            break

    assert found == records


def test_the_write_budget_windows_of_the_user(subject: Subject) -> None:
    subject.spend("ann", BudgetWindow("1764072000", 4))
    subject.spend("ann", BudgetWindow("1764072060", 1))
    subject.spend("bob", BudgetWindow("1764072000", 9))

    assert subject.records.budget("ann") == [
        BudgetWindow("1764072000", 4),
        BudgetWindow("1764072060", 1),
    ]
    assert subject.records.budget("cy") == []


def test_a_cursor_not_issued_is_refused(subject: Subject) -> None:
    with pytest.raises(InvalidCursorError):
        subject.records.page("ann", "%%%", 3)
