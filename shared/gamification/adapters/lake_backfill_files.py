"""The backfill's day files (``events/dt=<day>/backfill-0.parquet``), next to the live rows'
files, in the Glue table's types (``lake_duckdb.write_parquet``); the ``events`` table (DuckDB's
view locally, Athena's partition projection on AWS) reads both. A day's file is replaced whole,
so a re-run adds nothing.

Two adapters behind ``services.lake_backfill.BackfillFiles``: a local lake folder, and the lake
bucket on AWS (one ``PutObject`` per day: S3 replaces an object whole, so it stays idempotent).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gamification.adapters.lake_duckdb import write_parquet
from gamification.domain import lake

FILE_NAME = "backfill-0.parquet"
TABLE_PREFIX = "events"
"""The table's folder: Firehose writes ``events/dt=<day>/`` too (infra: history_lake.py)."""


def day_key(day: str) -> str:
    """Where a day's backfill file lives, relative to the lake's root (folder or bucket)."""
    return f"{TABLE_PREFIX}/{lake.PARTITION}={day}/{FILE_NAME}"


class LocalBackfillFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def replace(self, day: str, rows: Sequence[dict[str, Any]]) -> None:
        write_parquet(rows, self.root / day_key(day))


class S3BackfillFiles:
    """The lake bucket on AWS: the file is written locally with DuckDB (an operator's machine
    or task has it, docs/analytics.md) and put whole."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def replace(self, day: str, rows: Sequence[dict[str, Any]]) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            local = Path(scratch) / FILE_NAME
            write_parquet(rows, local)
            self._client.put_object(
                Bucket=self._bucket,
                Key=day_key(day),
                Body=local.read_bytes(),
                ContentType="application/vnd.apache.parquet",
            )
