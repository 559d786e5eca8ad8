"""An in-memory push channel: the ``Pusher`` port of ``services.outbox`` (real:
``adapters.push_publisher`` on SNS; the contract: tests/adapters/contracts/test_push.py holds
them equal)."""

from __future__ import annotations

from gamification.domain.notifications import Notification


class FakePusher:
    def __init__(self) -> None:
        self.sent: list[Notification] = []
        self.failing = False

    def publish(self, notification: Notification) -> str:
        if self.failing:
            raise ConnectionError("the fake push channel is down")
        self.sent.append(notification)
        return f"message-{len(self.sent)}"
