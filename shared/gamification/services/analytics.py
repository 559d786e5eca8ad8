"""Analytics over the history lake: ad-hoc SQL and the named reports (one SQL file each).

The reports live in ``gamification/data/reports/<name>.sql``, written in the SQL DuckDB and
Athena (Trino) share, so the stack's Athena named queries and ``gamify analytics report`` run
the same text. Every report counts distinct subjects or distinct rows, so a row Firehose
delivered twice changes nothing.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Protocol

# -- port (adapters: lake_duckdb.LakeQueries locally; Athena runs the same files on AWS)


class LakeQueryEngine(Protocol):
    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of ``sql`` over the view/table ``events``."""
        ...


def report_names() -> list[str]:
    folder = resources.files("gamification") / "data" / "reports"
    return sorted(p.name.removesuffix(".sql") for p in folder.iterdir() if p.name.endswith(".sql"))


def report_sql(name: str) -> str:
    if name not in report_names():
        raise KeyError(f"no report {name!r}; reports: {', '.join(report_names())}")
    return (resources.files("gamification") / "data" / "reports" / f"{name}.sql").read_text()


def report_description(name: str) -> str:
    """The report's first comment line (the Athena named query's description)."""
    first = report_sql(name).splitlines()[0]
    return first.removeprefix("--").strip()


class Analytics:
    def __init__(self, engine: LakeQueryEngine) -> None:
        self._engine = engine

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self._engine.query(sql)

    def report(self, name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self._engine.query(report_sql(name))
