"""The reminder fan-out queue: one message per unit of work (a due hour's shard, from a cursor).

The hourly run only sends these; the sender (``functions/reminder_sender``) takes one unit per
message and sends the continuation of a shard too long for one unit. A message is small JSON
(< 200 bytes) and idempotent to deliver twice: the ledger sends a reminder at most once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from gamification.domain.reminders import ReminderUnit as ReminderUnit  # noqa: PLC0414 (re-exported: its old home)

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

_BATCH_LIMIT = 10
"""SendMessageBatch takes at most 10 entries."""


class UnitMessage(BaseModel):
    """The message body, parsed strictly by the worker (a bad one goes to the DLQ)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hour: datetime
    shard: int = Field(ge=0, le=10_000)
    at: datetime
    after: str | None = Field(default=None, max_length=512)

    def unit(self) -> ReminderUnit:
        return ReminderUnit(
            hour=self.hour.astimezone(UTC),
            shard=self.shard,
            at=self.at.astimezone(UTC),
            after=self.after,
        )


def encode(unit: ReminderUnit) -> str:
    body: dict[str, Any] = {
        "hour": unit.hour.astimezone(UTC).isoformat(),
        "shard": unit.shard,
        "at": unit.at.astimezone(UTC).isoformat(),
    }
    if unit.after is not None:
        body["after"] = unit.after
    return json.dumps(body, separators=(",", ":"))


def decode(body: str) -> ReminderUnit:
    return UnitMessage.model_validate_json(body).unit()


class ReminderQueue:
    """SQS: ``send`` puts units on the queue the worker's event source mapping reads."""

    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send(self, units: Sequence[ReminderUnit]) -> None:
        """Send every unit or raise (a failed entry is retried once, then reported)."""
        for start in range(0, len(units), _BATCH_LIMIT):
            chunk = units[start : start + _BATCH_LIMIT]
            entries: Any = [
                {"Id": str(i), "MessageBody": encode(unit)} for i, unit in enumerate(chunk)
            ]
            for _ in range(2):
                response = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
                failed = {f["Id"] for f in response.get("Failed", [])}
                entries = [e for e in entries if e["Id"] in failed]
                if not entries:
                    break
            if entries:
                raise RuntimeError(f"{len(entries)} reminder units could not be queued")
