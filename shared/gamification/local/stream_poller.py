"""The DynamoDB Streams event source mapping, locally: read the table's stream, invoke in order.

Like Lambda: records are read per shard from TRIM_HORIZON, dropped before invocation unless the
subscription's filter accepts them (the CDK mapping's filter criteria, both from
``gamification.resources.STREAM``), delivered in batches, and
a batch that fails is retried (from the first reported ``batchItemFailures`` sequence number, or
whole when the function raises) up to ``retry_attempts`` times; after that it is discarded with
an error log, where AWS would send it to the on-failure destination.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gamification.local.handlers import region
from gamification.resources import StreamSpec

log = logging.getLogger("gamify.local")

Invoke = Callable[[str, dict[str, Any]], Any]
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Subscription:
    function: str
    accepts: Callable[[Mapping[str, Any]], bool]
    batch_size: int
    retry_attempts: int

    @classmethod
    def of(cls, spec: StreamSpec) -> Subscription:
        """The mapping ``spec`` describes (its bisection and record age are not emulated)."""
        return cls(spec.function, spec.accepts, spec.batch_size, spec.retry_attempts)


class StreamPoller:
    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        invoke: Invoke,
        subscriptions: Sequence[Subscription],
        *,
        interval_seconds: float = 0.5,
        iterator_type: str = "TRIM_HORIZON",
    ) -> None:
        self._streams = streams
        self._iterator_type = iterator_type
        self._arn = stream_arn
        self._invoke = invoke
        self._subscriptions = subscriptions
        self._interval = interval_seconds
        self._iterators: dict[str, str | None] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stream-poller", daemon=True)
        self.totals = {"records": 0, "delivered": 0, "discarded": 0}

    def start(self) -> StreamPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=35)

    def poll_once(self) -> int:
        """Read every shard once and deliver what arrived; returns the number of records read."""
        self._discover_shards()
        read = 0
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            response = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            self._iterators[shard_id] = response.get("NextShardIterator")
            records = [lambda_record(r, self._arn) for r in response.get("Records", [])]
            read += len(records)
            self.totals["records"] += len(records)
            for subscription in self._subscriptions:
                wanted = [r for r in records if subscription.accepts(r)]
                for start in range(0, len(wanted), subscription.batch_size):
                    self._deliver(subscription, wanted[start : start + subscription.batch_size])
        return read

    def _discover_shards(self) -> None:
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=self._arn, ShardId=shard_id, ShardIteratorType=self._iterator_type
                )["ShardIterator"]

    def _deliver(self, subscription: Subscription, batch: list[Record]) -> None:
        pending = batch
        for _attempt in range(subscription.retry_attempts + 1):
            if self._stop.is_set():
                return
            retry_from = self._invoke_once(subscription.function, pending)
            if retry_from is None:
                self.totals["delivered"] += len(batch)
                return
            pending = pending[retry_from:]
            self._stop.wait(min(1.0, self._interval))
        self.totals["discarded"] += len(pending)
        log.error(
            "%s: gave up on %d stream records after %d retries",
            subscription.function,
            len(pending),
            subscription.retry_attempts,
        )

    def _invoke_once(self, function: str, records: list[Record]) -> int | None:
        """``None`` when done, else the index of the first record to retry."""
        try:
            result = self._invoke(function, {"Records": records})
        except Exception:
            log.exception("%s failed: retrying its stream batch", function)
            return 0
        failures = result.get("batchItemFailures", []) if isinstance(result, dict) else []
        if not failures:
            return None
        sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
        failed = [str(f.get("itemIdentifier")) for f in failures]
        indexes = [sequence.index(f) for f in failed if f in sequence]
        if len(indexes) != len(failed):
            return 0  # an unknown identifier fails the whole batch, as on AWS
        return min(indexes)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("stream poller iteration failed")
            self._stop.wait(self._interval)


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> Record:
    """A GetRecords record as Lambda delivers it: epoch-second timestamps and the source ARN."""
    dynamodb = dict(record.get("dynamodb", {}))
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", region()),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
