"""The two services fed by the table's stream, on the port fakes: the outbox pushes exactly the
inserted notifications that ask for it; the projector publishes every profile image."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gamification.domain import notifications
from gamification.domain.boards import ALLTIME, PlayerScore
from gamification.domain.notifications import Notification
from gamification.services.outbox import OutboxDispatcher
from gamification.services.projector import LeaderboardProjector
from tests.fakes.boards import FakeLeaderboard
from tests.fakes.push import FakePusher

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _note(push: bool) -> Notification:
    return notifications.level_up(user_id="ann", old=0, new=1, now=NOW, push=push)


def _notification_of(image: Mapping[str, Any]) -> Notification | None:
    return image.get("notification")


def test_only_inserted_notifications_with_push_are_pushed() -> None:
    pusher = FakePusher()
    outbox = OutboxDispatcher(pusher, _notification_of)
    wanted, quiet = _note(push=True), _note(push=False)

    pushed = [
        outbox.dispatch("INSERT", {"notification": wanted}),
        outbox.dispatch("MODIFY", {"notification": wanted}),
        outbox.dispatch("REMOVE", {"notification": wanted}),
        outbox.dispatch("INSERT", {"notification": quiet}),
        outbox.dispatch("INSERT", {"profile": True}),
    ]

    assert pushed == [wanted, None, None, None, None]
    assert pusher.sent == [wanted]


def test_every_profile_image_is_published_in_order_and_others_are_skipped() -> None:
    board = FakeLeaderboard()
    scores = {
        "p1": PlayerScore("ann", 10, NOW, "Ann"),
        "p2": PlayerScore("ann", 30, NOW, "Annie"),
        "p3": PlayerScore("bob", 20, NOW, "Bob"),
    }
    projector = LeaderboardProjector(board, lambda: NOW, lambda image: scores.get(image["id"]))

    projected = projector.project([{"id": "p1"}, {"id": "n1"}, {"id": "p2"}, {"id": "p3"}])

    assert projected == 3
    page = board.page(ALLTIME, 0, 10)
    assert [(e.user_id, e.xp, e.display_name) for e in page.entries] == [
        ("ann", 30, "Annie"),
        ("bob", 20, "Bob"),
    ]
    assert projector.project([{"id": "n1"}]) == 0
