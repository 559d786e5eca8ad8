"""The reminder ports of ``services.reminders`` (hour progress, unit queue, ledger): the fakes
(tests/fakes/reminders.py) and the adapters on moto pass the same tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.event_codec import outbox_of_image
from gamification.adapters.friend_notice_ledger import FriendNoticeLedger
from gamification.adapters.reminder_index import ReminderIndex
from gamification.adapters.reminder_ledger import ReminderLedger
from gamification.adapters.reminder_progress import ReminderProgress
from gamification.adapters.reminder_queue import ReminderQueue, decode
from gamification.adapters.user_repository import UserRepository
from gamification.domain import notifications
from gamification.domain.domain_events import friend_streak_event
from gamification.domain.friend_streak_notices import (
    FriendNotice,
    NoticeKind,
    plan_friend_notices,
)
from gamification.domain.reminders import ReminderOutcome, ReminderUnit
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import StreakTrack
from gamification.local.provision import Provisioned
from gamification.services.friend_streak_notices import NoticeLedger
from gamification.services.reminders import DueIndex, HourProgress, Ledger, UnitQueue
from tests.fakes.profiles import FakeProfiles
from tests.fakes.reminders import (
    FakeDueIndex,
    FakeFriendNoticeLedger,
    FakeHourProgress,
    FakeLedger,
    FakeUnitQueue,
)

HOUR = datetime(2026, 11, 25, 18, tzinfo=UTC)
DAY = date(2026, 11, 25)


@pytest.fixture(params=["fake", "dynamodb"])
def progress(request: pytest.FixtureRequest) -> HourProgress:
    if request.param == "fake":
        return FakeHourProgress()
    aws: Provisioned = request.getfixturevalue("aws")
    return ReminderProgress(boto3.client("dynamodb"), aws.table_name)


def test_an_hour_no_run_started_differs_from_one_with_nothing_done(progress: HourProgress) -> None:
    assert progress.finished(HOUR) is None
    progress.start(HOUR)
    assert progress.finished(HOUR) == set()
    progress.finish(HOUR, 3)
    progress.finish(HOUR, 3)
    progress.finish(HOUR, 0)
    progress.start(HOUR)  # a later run starting again forgets nothing
    assert progress.finished(HOUR) == {0, 3}
    assert progress.finished(HOUR + timedelta(hours=1)) is None


@dataclass
class Queue:
    queue: UnitQueue
    received: Callable[[], list[ReminderUnit]]


@pytest.fixture(params=["fake", "sqs"])
def queue(request: pytest.FixtureRequest) -> Queue:
    if request.param == "fake":
        fake = FakeUnitQueue()
        return Queue(fake, fake.take)
    aws: Provisioned = request.getfixturevalue("aws")
    sqs = boto3.client("sqs")

    def received() -> list[ReminderUnit]:
        units: list[ReminderUnit] = []
        while messages := sqs.receive_message(
            QueueUrl=aws.reminder_queue_url, MaxNumberOfMessages=10
        ).get("Messages", []):
            for message in messages:
                units.append(decode(message["Body"]))
                sqs.delete_message(
                    QueueUrl=aws.reminder_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return units

    return Queue(ReminderQueue(sqs, aws.reminder_queue_url), received)


def test_every_unit_sent_arrives_whole(queue: Queue) -> None:
    units = [
        ReminderUnit(HOUR, shard, HOUR, after=None if shard % 2 else f"u{shard}")
        for shard in range(23)
    ]

    queue.queue.send(units)

    assert sorted(queue.received(), key=lambda u: u.shard) == units


@dataclass
class Guarded:
    ledger: Ledger
    touch: Callable[[str], int]
    """Write the user's profile (a settings change); returns its new version."""


@pytest.fixture(params=["fake", "dynamodb"])
def guarded(request: pytest.FixtureRequest) -> Guarded:
    if request.param == "fake":
        profiles = FakeProfiles()
        ledger: Ledger = FakeLedger(profiles)
        users: FakeProfiles | UserRepository = profiles
    else:
        aws: Provisioned = request.getfixturevalue("aws")
        client = boto3.client("dynamodb")
        ledger = ReminderLedger(client, aws.table_name)
        users = UserRepository(client, aws.table_name)

    def touch(user_id: str) -> int:
        return users.update_settings(user_id, lambda s: s, HOUR).version

    return Guarded(ledger, touch)


def _reminder(user_id: str) -> notifications.Notification:
    return notifications.streak_reminder(
        user_id=user_id, streak_days=4, local_day=DAY.isoformat(), tonight=True, now=HOUR
    )


def test_one_reminder_per_user_and_day_only_at_the_version_read(guarded: Guarded) -> None:
    version = guarded.touch("ann")
    guarded.touch("bob")
    stale_bob = guarded.touch("bob") - 1

    assert guarded.ledger.already_reminded([("ann", DAY)]) == set()
    assert guarded.ledger.record(_reminder("ann"), DAY, version) is ReminderOutcome.RECORDED
    assert guarded.ledger.record(_reminder("ann"), DAY, version) is (
        ReminderOutcome.ALREADY_REMINDED
    )
    assert guarded.ledger.record(_reminder("bob"), DAY, stale_bob) is (
        ReminderOutcome.PROFILE_CHANGED
    )
    assert guarded.ledger.already_reminded([("ann", DAY), ("bob", DAY)]) == {"ann"}


SHARDS = 4
DUE = datetime(2026, 11, 26, 18, tzinfo=UTC)  # a streak last active on DAY, 6 h lead, UTC


@dataclass
class Index:
    index: DueIndex
    file: Callable[[str], None]
    """Store a profile with push on and a streak last active on ``DAY``: due at ``DUE``."""


@pytest.fixture(params=["fake", "dynamodb"])
def due_index(request: pytest.FixtureRequest) -> Index:
    if request.param == "fake":
        fake = FakeDueIndex()
        return Index(fake, lambda u: fake.add(u, DUE, keys.reminder_shard(u, SHARDS)))
    aws: Provisioned = request.getfixturevalue("aws")
    client = boto3.client("dynamodb")
    users = UserRepository(client, aws.table_name, reminder_shards=SHARDS)

    def file(user_id: str) -> None:
        state = UserState(
            user_id=user_id,
            settings=UserSettings(push_enabled=True),
            streak=StreakTrack().with_day(DAY),
        )
        client.put_item(TableName=aws.table_name, Item=users.profile_item(state, 1, None, HOUR))

    return Index(ReminderIndex(client, aws.table_name), file)


def test_a_shard_of_an_hour_pages_through_its_users_in_order_each_once(
    due_index: Index,
) -> None:
    user_ids = [f"user-{n}" for n in range(12)]
    for user_id in user_ids:
        due_index.file(user_id)

    for shard in range(SHARDS):
        found: list[str] = []
        after: str | None = None
        while True:
            page = due_index.index.page(DUE, shard, after, 2)
            assert len(page.user_ids) <= 2
            found += page.user_ids
            if page.next is None:
                break
            after = page.next
        assert found == sorted(u for u in user_ids if keys.reminder_shard(u, SHARDS) == shard)
    assert due_index.index.page(DUE + timedelta(hours=1), 0, None, 10).user_ids == []


@dataclass
class FriendGuarded:
    ledger: NoticeLedger
    touch: Callable[[str], int]
    outbox: Callable[[str], list[tuple[str, str]]]
    """(type, fact) of the events a recipient's profile outbox got with notices."""
    version: Callable[[str], int]


@pytest.fixture(params=["fake", "dynamodb"])
def friend_guarded(request: pytest.FixtureRequest) -> FriendGuarded:
    if request.param == "fake":
        profiles = FakeProfiles()
        ledger: NoticeLedger = FakeFriendNoticeLedger(profiles)
        users: FakeProfiles | UserRepository = profiles
        table = ""
    else:
        aws: Provisioned = request.getfixturevalue("aws")
        client = boto3.client("dynamodb")
        table = aws.table_name
        ledger = FriendNoticeLedger(client, table)
        users = UserRepository(client, table)

    def touch(user_id: str) -> int:
        return users.update_settings(user_id, lambda s: s, HOUR).version

    def outbox(user_id: str) -> list[tuple[str, str]]:
        if isinstance(ledger, FakeFriendNoticeLedger):
            return [(e.type, e.fact) for u, e in ledger.events if u == user_id]
        item = boto3.client("dynamodb").get_item(
            TableName=table,
            Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
        )
        found = outbox_of_image(from_item(item["Item"])) if "Item" in item else None
        return [(d.type, d.fact) for d in found[2]] if found else []

    return FriendGuarded(ledger, touch, outbox, lambda u: users.load(u).version)


def _friend_notices(me: str, partner: str) -> list[FriendNotice]:
    """An at-risk reminder for ``me`` and a milestone for both (their 7th pair day: DAY)."""
    days = [DAY - timedelta(days=d) for d in range(7)]

    def state(user_id: str, active: list[date]) -> UserState:
        track = StreakTrack()
        for day in active:
            track = track.with_day(day)
        return UserState(user_id=user_id, settings=UserSettings(push_enabled=True), streak=track)

    now = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=19)
    return plan_friend_notices(
        state(me, days),
        state(partner, [*days, DAY + timedelta(days=1)]),
        days[-1],
        now,
        timedelta(hours=6),
    )


def test_each_friend_notice_once_and_a_reminder_only_at_the_version_read(
    friend_guarded: FriendGuarded,
) -> None:
    ledger = friend_guarded.ledger
    version = friend_guarded.touch("ann")
    stale = friend_guarded.touch("cat") - 1
    friend_guarded.touch("cat")
    notices = _friend_notices("ann", "bob")
    assert [n.kind for n in notices] == [
        NoticeKind.MILESTONE,
        NoticeKind.MILESTONE,
        NoticeKind.AT_RISK,
    ]
    assert ledger.already_sent(notices) == [False, False, False]
    assert ledger.record(notices[0], None) is ReminderOutcome.RECORDED
    assert ledger.record(notices[2], version) is ReminderOutcome.RECORDED
    assert ledger.record(notices[2], version) is ReminderOutcome.ALREADY_REMINDED
    assert ledger.record(notices[0], None) is ReminderOutcome.ALREADY_REMINDED
    assert ledger.already_sent([*notices, notices[0]]) == [True, False, True, True]
    risk_for_cat = _friend_notices("cat", "bob")[2]
    assert ledger.record(risk_for_cat, stale) is ReminderOutcome.PROFILE_CHANGED
    assert ledger.already_sent([risk_for_cat]) == [False]


def test_a_milestone_commits_its_event_into_the_recipients_profile_outbox(
    friend_guarded: FriendGuarded,
) -> None:
    ledger = friend_guarded.ledger
    before = friend_guarded.touch("ann")  # ann has a profile; bob has none
    to_ann, to_bob, _ = _friend_notices("ann", "bob")
    now = datetime(2026, 11, 26, 19, tzinfo=UTC)
    ann_event, bob_event = (friend_streak_event(n, now) for n in (to_ann, to_bob))
    assert ann_event is not None
    assert bob_event is not None

    assert ledger.record(to_ann, None, [ann_event]) is ReminderOutcome.RECORDED
    assert ledger.record(to_bob, None, [bob_event]) is ReminderOutcome.RECORDED

    fact = f"bob#{DAY.isoformat()}"
    assert friend_guarded.outbox("ann") == [("friend_streak.milestone", fact)]
    assert friend_guarded.version("ann") > before  # the publisher's sequence moves on
    assert friend_guarded.outbox("bob") == []  # no profile to carry it: the notice alone
    assert ledger.already_sent([to_ann, to_bob]) == [True, True]
