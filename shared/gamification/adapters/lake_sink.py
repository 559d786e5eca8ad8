"""Where lake rows go: Kinesis Data Firehose on AWS, a folder of day partitions locally.

Firehose converts the JSON records to Parquet with the Glue table's schema and writes them under
``events/dt=<UTC day>/`` (docs/analytics.md). The local folder mirrors it: rows are appended as
JSON lines to ``staging/dt=<day>/``, and ``compact`` (run by ``gamify analytics`` before it
queries, as Firehose's buffer would) turns each day into one Parquet file with the same columns.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_firehose import FirehoseClient

PUT_RECORDS = 500
"""PutRecordBatch takes at most 500 records (and 4 MiB) a call."""
ATTEMPTS = 4


class LakeNotTakenError(RuntimeError):
    """Firehose kept refusing some records: the stream batch is retried."""


class FirehoseSink:
    def __init__(self, client: FirehoseClient, stream_name: str) -> None:
        self._client = client
        self._stream = stream_name

    def put(self, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), PUT_RECORDS):
            pending = [
                {"Data": (json.dumps(r, separators=(",", ":")) + "\n").encode()}
                for r in rows[start : start + PUT_RECORDS]
            ]
            for _ in range(ATTEMPTS):
                response = self._client.put_record_batch(
                    DeliveryStreamName=self._stream,
                    Records=pending,  # type: ignore[arg-type]
                )
                if not response["FailedPutCount"]:
                    break
                pending = [
                    record
                    for record, result in zip(pending, response["RequestResponses"], strict=True)
                    if "ErrorCode" in result
                ]
            else:
                raise LakeNotTakenError(f"{len(pending)} lake records refused by {self._stream}")


class LocalLakeFolder:
    """The local stack's lake: ``<root>/staging`` (JSON lines) → ``<root>/events`` (Parquet)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def put(self, rows: Sequence[dict[str, Any]]) -> None:
        with self._lock:
            for row in rows:
                day = str(row["occurred_at"])[:10]
                folder = self.root / "staging" / f"dt={day}"
                folder.mkdir(parents=True, exist_ok=True)
                with (folder / "rows.jsonl").open("a", encoding="utf-8") as out:
                    out.write(json.dumps(row, separators=(",", ":")) + "\n")
