"""A message that can never succeed, with the reason why: what the consumer hands the
dead-letter queue (``adapters.dead_letters`` sends it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeadLetter:
    message_id: str
    body: str
    code: str
    """Machine-readable, e.g. ``invalid_message`` or ``unknown_event_type``."""
    reason: str
    """Human-readable: what was wrong, naming the field."""


class DeadLetterQueueError(Exception):
    """Some dead letters could not be sent; their records must be retried, not dropped."""

    def __init__(self, message_ids: Sequence[str]) -> None:
        super().__init__(f"{len(message_ids)} dead letters not sent")
        self.message_ids = list(message_ids)
