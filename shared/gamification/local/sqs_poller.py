"""The SQS event source mapping, locally: receive, invoke in batches, delete what succeeded.

Like Lambda's poller: a batch is up to ``QUEUE.batch_size`` messages (gathered for at most the
batching window), the function's ``batchItemFailures`` stay on the queue, and everything else is
deleted. A response that names an unknown message, or a function error, fails the whole batch.
Retries and the dead-letter queue are the queue's own (moto implements the RedrivePolicy's
``maxReceiveCount``).

One local difference, on purpose: a failed message is made visible again after
``retry_delay_seconds`` (ChangeMessageVisibility) instead of the queue's visibility timeout
(minutes on AWS), so a retry or a trip to the DLQ happens within seconds on a laptop.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gamification.local.handlers import region
from gamification.resources import QUEUE, QueueSpec

log = logging.getLogger("gamify.local")

Invoke = Callable[[str, dict[str, Any]], Any]
RECEIVE_MAX = 10
"""SQS returns at most 10 messages per ReceiveMessage."""


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    received: int
    deleted: int
    failed: int


class SqsPoller:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        invoke: Invoke,
        *,
        function: str = "consumer",
        spec: QueueSpec = QUEUE,
        retry_delay_seconds: int = 2,
        wait_seconds: int = 1,
    ) -> None:
        self._sqs = sqs
        self._url = queue_url
        self._arn = queue_arn
        self._invoke = invoke
        self._function = function
        self._spec = spec
        self._retry_delay = retry_delay_seconds
        self._wait = wait_seconds
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._paused = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqs-poller", daemon=True)
        self.totals = {"received": 0, "deleted": 0, "failed": 0, "batches": 0}

    def start(self) -> SqsPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._wait + 35)

    def pause(self, timeout: float = 60) -> None:
        """Take no new batch (as disabling an event source mapping does); returns once the
        batch in hand, if any, is settled. Messages queue up until ``resume``."""
        self._running.clear()
        if self._thread.is_alive():
            self._paused.wait(timeout)

    def resume(self) -> None:
        self._paused.clear()
        self._running.set()

    def poll_once(self) -> BatchOutcome:
        """Receive one batch (if any), invoke the function, settle each message."""
        messages = self._receive_batch()
        if not messages:
            return BatchOutcome(0, 0, 0)
        failed_ids = self._invoke_batch(messages)
        succeeded = [m for m in messages if m["MessageId"] not in failed_ids]
        self._delete(succeeded)
        self._retry_soon([m for m in messages if m["MessageId"] in failed_ids])
        outcome = BatchOutcome(len(messages), len(succeeded), len(failed_ids))
        self.totals["received"] += outcome.received
        self.totals["deleted"] += outcome.deleted
        self.totals["failed"] += outcome.failed
        self.totals["batches"] += 1
        log.info(
            "%s: batch of %d, %d done, %d to retry",
            self._function,
            outcome.received,
            outcome.deleted,
            outcome.failed,
        )
        return outcome

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._running.is_set():
                self._paused.set()
                self._running.wait(0.2)
                continue
            try:
                self.poll_once()
            except Exception:
                log.exception("sqs poller iteration failed")
                self._stop.wait(1)

    def _receive_batch(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        window_ends = time.monotonic() + self._spec.max_batching_window_seconds
        wait = self._wait
        while len(messages) < self._spec.batch_size and not self._stop.is_set():
            response = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=min(RECEIVE_MAX, self._spec.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = response.get("Messages", [])
            messages.extend(received)
            if not received or time.monotonic() >= window_ends:
                break
            wait = 0
        return messages

    def _invoke_batch(self, messages: Sequence[Mapping[str, Any]]) -> set[str]:
        """The ids to retry: the reported failures, or all of them when the response is bad."""
        every = {str(m["MessageId"]) for m in messages}
        try:
            result = self._invoke(self._function, sqs_event(messages, self._arn))
        except Exception:
            log.exception("%s failed: the whole batch will be retried", self._function)
            return every
        failures = (result or {}).get("batchItemFailures", []) if isinstance(result, dict) else []
        ids = {str(f.get("itemIdentifier") or "") for f in failures}
        if not ids <= every:
            # Lambda treats an unknown or empty identifier as a failure of the whole batch.
            log.error("%s returned unknown batchItemFailures %s", self._function, ids - every)
            return every
        return ids

    def _delete(self, messages: Sequence[Mapping[str, Any]]) -> None:
        for start in range(0, len(messages), RECEIVE_MAX):
            chunk = messages[start : start + RECEIVE_MAX]
            self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )

    def _retry_soon(self, messages: Sequence[Mapping[str, Any]]) -> None:
        for message in messages:
            self._sqs.change_message_visibility(
                QueueUrl=self._url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=self._retry_delay,
            )


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping delivers for these ReceiveMessage results."""
    here = region()
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m.get("Body", ""),
                "attributes": dict(m.get("Attributes", {})),
                "messageAttributes": {
                    name: _message_attribute(value)
                    for name, value in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": here,
            }
            for m in messages
        ]
    }


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """ReceiveMessage spells attributes ``StringValue``; the Lambda event ``stringValue``."""
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": _base64(value.get("BinaryValue")),
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [_base64(v) for v in value.get("BinaryListValues", [])],
        "dataType": value.get("DataType", "String"),
    }


def _base64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")


def retry_delay_from_env() -> int:
    return int(os.environ.get("GAMIFY_LOCAL_RETRY_SECONDS", "2"))
