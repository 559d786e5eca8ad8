"""The history lake's SQL engine on AWS: Athena, in the stack's workgroup and Glue database.

The same ``LakeQueryEngine`` as the local DuckDB one (``lake_duckdb``), so ``gamify analytics``
and ``gamify report impact`` run the same SQL against the customer's lake with ``--athena``.
The workgroup enforces its result location, encryption and the 10 GB scan cutoff (the stack's
``HistoryLake`` construct); this adapter only starts a query, waits for it and pages through its
rows. Athena answers every value as text: callers convert (``Analytics.impact`` does).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

DONE = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
POLL_SECONDS = (0.2, 0.5, 1.0, 2.0)
"""Waits between status reads: a short query answers in about a second, a scan in tens."""


class AthenaClient(Protocol):
    """The three calls of boto3's Athena client this adapter makes."""

    def start_query_execution(self, **kwargs: Any) -> dict[str, Any]: ...

    def get_query_execution(self, **kwargs: Any) -> dict[str, Any]: ...

    def get_query_results(self, **kwargs: Any) -> dict[str, Any]: ...


class AthenaQueryError(RuntimeError):
    """A query that Athena failed or cancelled, with Athena's reason."""


def stage_names(stage: str) -> tuple[str, str]:
    """The workgroup and Glue database the stack names for ``stage`` (``HistoryLake``)."""
    return f"gamify-{stage}-analytics", f"gamify_{stage.replace('-', '_')}"


class AthenaQueries:
    def __init__(
        self,
        client: AthenaClient,
        workgroup: str,
        database: str,
        timeout_seconds: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._workgroup = workgroup
        self._database = database
        self._timeout = timeout_seconds
        self._sleep = sleep

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of ``sql`` over the table ``events``."""
        started = self._client.start_query_execution(
            QueryString=sql,
            WorkGroup=self._workgroup,
            QueryExecutionContext={"Database": self._database},
        )
        execution_id = started["QueryExecutionId"]
        self._wait(execution_id)
        names: list[str] = []
        rows: list[tuple[Any, ...]] = []
        for page in self._pages(execution_id):
            if not names:
                columns = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
                names = [c["Name"] for c in columns]
            for row in page["ResultSet"]["Rows"]:
                values = tuple(cell.get("VarCharValue") for cell in row["Data"])
                if not rows and values == tuple(names):  # a SELECT's first row is its header
                    continue
                rows.append(values)
        return names, rows

    def _wait(self, execution_id: str) -> None:
        waited, attempt = 0.0, 0
        while True:
            execution = self._client.get_query_execution(QueryExecutionId=execution_id)
            status = execution["QueryExecution"]["Status"]
            if status["State"] in DONE:
                if status["State"] != "SUCCEEDED":
                    reason = status.get("StateChangeReason", "no reason given")
                    raise AthenaQueryError(f"Athena query {status['State'].lower()}: {reason}")
                return
            pause = POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)]
            if waited + pause > self._timeout:
                raise AthenaQueryError(
                    f"Athena query {execution_id} still running after {waited:.0f} s"
                )
            self._sleep(pause)
            waited, attempt = waited + pause, attempt + 1

    def _pages(self, execution_id: str) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            extra = {"NextToken": token} if token else {}
            page = self._client.get_query_results(QueryExecutionId=execution_id, **extra)
            yield page
            token = page.get("NextToken")
            if not token:
                return
