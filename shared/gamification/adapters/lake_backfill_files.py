"""The backfill's day files in a local lake folder (``events/dt=<day>/backfill-0.parquet``),
written with DuckDB in the Glue table's types, next to the live ``part-0.parquet``; the
``events`` view reads both. A day's file is replaced whole, so a re-run adds nothing."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gamification.adapters.lake_duckdb import DUCKDB_TYPES, _quote
from gamification.domain import lake

FILE_NAME = "backfill-0.parquet"


class LocalBackfillFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def replace(self, day: str, rows: Sequence[dict[str, Any]]) -> None:
        import duckdb

        target = self.root / "events" / f"{lake.PARTITION}={day}" / FILE_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        columns = (
            "{" + ", ".join(f"'{c}': '{DUCKDB_TYPES[t]}'" for c, t in lake.COLUMNS.items()) + "}"
        )
        with tempfile.TemporaryDirectory() as scratch:
            staged = Path(scratch) / "rows.jsonl"
            staged.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows))
            partial = Path(scratch) / FILE_NAME
            with duckdb.connect() as db:
                source = (
                    f"read_json({_quote(staged)}, format = 'newline_delimited', "
                    f"columns = {columns}, timestampformat = '%Y-%m-%d %H:%M:%S.%g')"
                )
                # Our own paths and column list, quoted: no outside input reaches this statement.
                select = f"SELECT * FROM {source}"  # noqa: S608
                db.execute(f"COPY ({select}) TO {_quote(partial)} (FORMAT PARQUET)")
            partial.replace(target)  # whole or not at all
