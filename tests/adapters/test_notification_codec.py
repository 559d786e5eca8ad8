"""The notification item is one definition: what any writer stores, every reader gets back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item
from gamification.adapters.notification_codec import (
    StoredNotification,
    notification_from_item,
    notification_in_image,
    notification_item,
    stored_notification_from_item,
)
from gamification.domain.notifications import Notification, NotificationKind
from gamification.services.outbox import pending_push

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
_ZONES = st.sampled_from([UTC, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York")])

notifications = st.builds(
    Notification,
    id=_TEXT.filter(bool),
    user_id=_TEXT.filter(bool),
    kind=st.sampled_from(NotificationKind),
    title=_TEXT,
    message=_TEXT,
    created_at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=_ZONES
    ),
    push=st.booleans(),
)
ttls = st.timedeltas(min_value=timedelta(days=1), max_value=timedelta(days=3650))


def _in_utc(notification: Notification) -> Notification:
    """What the item stores: the same instant in UTC. Compared in UTC because Python never finds
    a time in a zone's repeated or skipped hour (New York's 01:30 on a November Sunday, 02:00 on
    a March one) equal to a time in another zone."""
    return notification.model_copy(update={"created_at": notification.created_at.astimezone(UTC)})


@given(notifications, ttls)
@example(  # New York's repeated hour: found by hypothesis, kept so it always runs
    Notification(
        id="n",
        user_id="u",
        kind=NotificationKind.LEVEL_UP,
        title="",
        message="",
        created_at=datetime(2028, 11, 5, 1, 0, tzinfo=ZoneInfo("America/New_York")),
        push=False,
    ),
    timedelta(days=1),
)
def test_an_item_decodes_to_the_notification_it_was_encoded_from(
    notification: Notification, ttl: timedelta
) -> None:
    values = from_item(notification_item(notification, ttl))
    in_utc = _in_utc(notification)

    decoded = notification_from_item(values)
    assert decoded == in_utc
    assert decoded.created_at.timestamp() == notification.created_at.timestamp()
    stored = stored_notification_from_item(values)
    assert stored == StoredNotification(**in_utc.model_dump(), read=False)
    assert stored_notification_from_item({**values, "read": True}).read is True


@given(notifications, ttls)
def test_the_item_is_keyed_in_the_users_feed_and_expires_after_the_ttl(
    notification: Notification, ttl: timedelta
) -> None:
    values = from_item(notification_item(notification, ttl))

    assert values["PK"] == keys.user_pk(notification.user_id)
    assert values["SK"] == keys.notification_sk(notification.created_at, notification.id)
    assert values["expires_at"] == int((notification.created_at + ttl).timestamp())
    assert set(values) == {
        "PK",
        "SK",
        "notification_id",
        "user_id",
        "kind",
        "title",
        "message",
        "created_at",
        "read",
        "push",
        "expires_at",
    }


@given(notifications)
@example(  # New York's skipped hour: found by hypothesis, kept so it always runs
    Notification(
        id="0",
        user_id="0",
        kind=NotificationKind.LEVEL_UP,
        title="",
        message="",
        created_at=datetime(2016, 3, 13, 2, 0, tzinfo=ZoneInfo("America/New_York")),
        push=True,
    )
)
def test_the_outbox_pushes_exactly_the_inserted_items_that_ask_for_it(
    notification: Notification,
) -> None:
    image = from_item(notification_item(notification, timedelta(days=90)))

    pushed = pending_push("INSERT", image, notification_in_image)

    assert pushed == (_in_utc(notification) if notification.push else None)
    assert pending_push("MODIFY", image, notification_in_image) is None
