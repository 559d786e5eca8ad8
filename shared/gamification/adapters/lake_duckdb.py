"""The local lake's SQL engine: DuckDB over the Parquet files, with the Athena table's name.

``compact`` turns each day's staged JSON lines into ``events/dt=<day>/part-0.parquet`` with the
Glue table's column types (as Firehose's record conversion does on AWS); ``query`` runs SQL over
a view ``events`` of every Parquet file, so the named reports run unchanged here and in Athena.
DuckDB is an extra of the local stack (``pyproject.toml``: ``local``), imported only here.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from gamification.domain import lake

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
}


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _columns() -> str:
    """The Glue table's columns as DuckDB's ``read_json`` wants them."""
    return "{" + ", ".join(f"'{c}': '{DUCKDB_TYPES[t]}'" for c, t in lake.COLUMNS.items()) + "}"


def write_parquet(rows: Sequence[Mapping[str, Any]], target: Path) -> None:
    """Write lake rows (``domain.lake.row``) as one Parquet file in the Glue table's types, the
    file Firehose's conversion would write; ``target`` appears whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        staged = Path(scratch) / "rows.jsonl"
        staged.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows))
        partial = target.parent / f".{target.name}.partial"  # beside it: not read as *.parquet
        with duckdb.connect() as db:
            source = (
                f"read_json({_quote(staged)}, format = 'newline_delimited', "
                f"columns = {_columns()}, timestampformat = '%Y-%m-%d %H:%M:%S.%g')"
            )
            # Our own paths and column list, quoted: no outside input reaches this statement.
            select = f"SELECT * FROM {source}"  # noqa: S608
            db.execute(f"COPY ({select}) TO {_quote(partial)} (FORMAT PARQUET)")
        partial.replace(target)


def compact(root: Path) -> int:
    """Rewrite the Parquet file of every day whose staged rows changed; returns days written."""
    written = 0
    columns = _columns()
    for staged in sorted((root / "staging").glob(f"{lake.PARTITION}=*/rows.jsonl")):
        target = root / "events" / staged.parent.name / "part-0.parquet"
        if target.exists() and target.stat().st_mtime_ns >= staged.stat().st_mtime_ns:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect() as db:
            source = (
                f"read_json({_quote(staged)}, format = 'newline_delimited', "
                f"columns = {columns}, timestampformat = '%Y-%m-%d %H:%M:%S.%g', "
                # A line still being appended reads as nulls: left out now, taken next time.
                "ignore_errors = true)"
            )
            # Our own paths and column list, quoted: no outside input reaches this statement.
            rows = f"SELECT * FROM {source} WHERE row_id IS NOT NULL"  # noqa: S608
            copy = f"COPY ({rows}) TO {_quote(target)} (FORMAT PARQUET)"
            db.execute(copy)
        written += 1
    return written


class LakeQueries:
    """SQL over the local lake: ``events`` is every row (``dt`` its partition)."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        compact(self._root)
        with duckdb.connect() as db:
            files = self._root / "events" / f"{lake.PARTITION}=*" / "*.parquet"
            if any((self._root / "events").glob(f"{lake.PARTITION}=*/*.parquet")):
                view = f"read_parquet({_quote(files)}, hive_partitioning = true)"
                db.execute(f"CREATE VIEW events AS SELECT * FROM {view}")  # noqa: S608
            else:
                cols = ", ".join(f'"{c}" {DUCKDB_TYPES[t]}' for c, t in lake.COLUMNS.items())
                db.execute(f"CREATE TABLE events ({cols}, {lake.PARTITION} VARCHAR)")
            cursor = db.execute(sql)
            names = [d[0] for d in cursor.description or []]
            return names, cursor.fetchall()
