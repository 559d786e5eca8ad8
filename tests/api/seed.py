"""Put state where the read routes find it, through the real adapters (no fakes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from gamification import composition
from gamification.adapters.player_score import PlayerScore
from gamification.adapters.user_repository import StoredUser, UserChange
from gamification.config import settings
from gamification.domain.notifications import Notification, NotificationKind
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import StreakTrack
from gamification.services.applier import player_score


def now() -> datetime:
    return datetime.now(UTC)


def quest(**overrides: Any) -> dict[str, Any]:
    """An admin's quest body, live now for two days (the quest and hostile-input tests)."""
    moment = now()
    return {
        "name": "Weekend Reader",
        "description": "Read 3 posts this weekend.",
        "starts_at": (moment - timedelta(hours=1)).isoformat(),
        "ends_at": (moment + timedelta(days=2)).isoformat(),
        "criteria": {"type": "posts_read", "count": 3},
        "reward_xp": 40,
        **overrides,
    }


def profile(
    user_id: str,
    xp: int = 0,
    *,
    xp_at: datetime | None = None,
    name: str | None = None,
    timezone: str = "UTC",
    counters: dict[str, int] | None = None,
    streak_days: Sequence[date] = (),
    badges: dict[str, datetime] | None = None,
    weekly_xp: dict[str, int] | None = None,
    publish: bool = True,
) -> StoredUser:
    """Commit a profile through the repository and (by default) push it to the leaderboards."""
    streak = StreakTrack()
    for day in streak_days:
        streak = streak.with_day(day)
    state = UserState(
        user_id=user_id,
        settings=UserSettings(display_name=name, timezone=timezone),
        xp=xp,
        counters=counters or {},
        streak=streak,
        badges=badges or {},
        weekly_xp=weekly_xp or {},
    )
    users = composition.user_repository()
    before = users.load(user_id)
    moment = xp_at or now()
    version = users.commit(UserChange(before=before, state=state, now=moment))
    stored = StoredUser(state, version, moment if xp else None)
    if publish:
        composition.leaderboard().publish([player_score(stored)], now())
        complete_boards()
    return stored


def score_of(user_id: str) -> PlayerScore:
    """What the projector writes for the stored profile."""
    return player_score(composition.user_repository().load(user_id))


def project(user_id: str) -> None:
    """Deliver the stored profile to the boards, as the projector does from the stream."""
    composition.leaderboard().publish([score_of(user_id)], now())


def complete_boards() -> None:
    """Stamp the all-time and this week's boards as complete, as a rebuild's swap does: the
    tests seed the boards directly, and a board without its marker is served as stale."""
    from gamification.adapters.leaderboard import ALLTIME, marker_key, weekly
    from gamification.adapters.redis_client import shared_client
    from gamification.domain.periods import iso_week

    for board in (ALLTIME, weekly(iso_week(now()))):
        shared_client().set(marker_key(board), "seeded")


def notifications(
    user_id: str, count: int, *, start: datetime | None = None, first_level: int = 1
) -> list[str]:
    """``count`` level-up notifications one minute apart (oldest first); returns their ids."""
    base = start or now() - timedelta(hours=1)
    users = composition.user_repository()
    client = composition.dynamodb()
    table = settings().table_name
    ids = []
    for i in range(count):
        level = first_level + i
        notification = Notification(
            id=f"level#{level}",
            user_id=user_id,
            kind=NotificationKind.LEVEL_UP,
            title=f"Level {level}!",
            message=f"You advanced from level {level - 1} to {level}.",
            created_at=base + timedelta(minutes=i),
        )
        client.put_item(TableName=table, Item=users.notification_item(notification))
        ids.append(notification.id)
    return ids


def queued_bodies(queue_url: str) -> list[dict[str, Any]]:
    """Every message now in the queue (received with a long visibility so each is read once)."""
    sqs = composition.sqs()
    bodies: list[dict[str, Any]] = []
    while True:
        response = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600
        )
        messages = response.get("Messages", [])
        if not messages:
            return bodies
        bodies.extend(json.loads(m["Body"]) for m in messages)


def queue_depth(queue_url: str) -> int:
    attributes = composition.sqs().get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def sqs_event(queue_url: str, queue_arn: str) -> dict[str, Any]:
    """The queue's messages as the event source mapping hands them to the consumer."""
    sqs = composition.sqs()
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600
    ).get("Messages", [])
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }
