"""The impact report and the reports on AWS: Athena in the stack's workgroup (moto runs no SQL,
so it answers what DuckDB computed on the same lake), through the adapter and ``gamify report
impact --athena``; then a failed, a slow and a paged query on a scripted client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends
from moto.core.models import DEFAULT_ACCOUNT_ID

from gamification.adapters.lake_athena import AthenaQueries, AthenaQueryError, stage_names
from gamification.adapters.lake_duckdb import LakeQueries
from gamification.adapters.lake_sink import LocalLakeFolder
from gamification.cli.main import main
from gamification.services.analytics import Analytics, impact_sql
from gamification.services.history_lake import HistoryLake
from tests.fakes.lake import FakeLakeKeys
from tests.fixtures import lake_scenario

REGION = "eu-west-1"


@pytest.fixture
def athena() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("athena", region_name=REGION)
        workgroup, _ = stage_names("prod")
        client.create_work_group(Name=workgroup, Configuration={})
        yield client


def _duckdb_rows(root: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    events = lake_scenario.impact_events((60, 100), (40, 100))
    keys = FakeLakeKeys()
    keys.live = {e.user_id for e in events}
    HistoryLake(keys, LocalLakeFolder(root)).record(events)
    return LakeQueries(root).query(sql)


def _answer_next_query(names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """What Athena would answer: every value as text, the header as the first row."""

    def row(values: tuple[Any, ...]) -> dict[str, Any]:
        return {"Data": [{"VarCharValue": str(v)} for v in values]}

    backend = athena_backends[DEFAULT_ACCOUNT_ID][REGION]
    columns = [{"Name": n, "Type": "varchar"} for n in names]
    answer = QueryResults([row(tuple(names)), *(row(r) for r in rows)], columns)
    backend.query_results_queue.append(answer)


def test_the_impact_report_on_athena_equals_the_local_one(athena: Any, tmp_path: Path) -> None:
    sql = impact_sql(14)
    names, rows = _duckdb_rows(tmp_path, sql)
    _answer_next_query(names, rows)
    workgroup, database = stage_names("prod")

    on_aws = Analytics(AthenaQueries(athena, workgroup, database)).impact(14)

    local = Analytics(LakeQueries(tmp_path)).impact(14)
    assert on_aws == local
    assert (on_aws.treatment.retained, on_aws.control.retained) == (60, 40)
    (execution,) = athena.list_query_executions(WorkGroup=workgroup)["QueryExecutionIds"]
    sent = athena.get_query_execution(QueryExecutionId=execution)["QueryExecution"]
    assert sent["Query"] == sql
    assert sent["QueryExecutionContext"]["Database"] == database == "gamify_prod"


def test_gamify_report_impact_with_athena_reads_the_stage(
    athena: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    _answer_next_query(*_duckdb_rows(tmp_path, impact_sql(14)))

    argv = ["--url", "http://127.0.0.1:9", "report", "impact", "--days", "14", "--athena", "prod"]
    assert main(argv) == 0

    out = capsys.readouterr().out
    assert "retention, treatment - control: +20.0%" in out
    assert "a difference" in out


def test_the_stage_names_follow_the_stack() -> None:
    assert stage_names("eu-prod") == ("gamify-eu-prod-analytics", "gamify_eu_prod")


class ScriptedAthena:
    """Athena's answers in order: states for ``get_query_execution``, pages of results."""

    def __init__(self, states: list[dict[str, str]], pages: list[dict[str, Any]]) -> None:
        self.states, self.pages = states, pages
        self.tokens: list[str | None] = []

    def start_query_execution(self, **_: Any) -> dict[str, Any]:
        return {"QueryExecutionId": "q-1"}

    def get_query_execution(self, **_: Any) -> dict[str, Any]:
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return {"QueryExecution": {"Status": state}}

    def get_query_results(self, **kwargs: Any) -> dict[str, Any]:
        self.tokens.append(kwargs.get("NextToken"))
        return self.pages.pop(0)


def _page(rows: list[list[str]], token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "ResultSet": {
            "ResultSetMetadata": {"ColumnInfo": [{"Name": "day"}, {"Name": "users"}]},
            "Rows": [{"Data": [{"VarCharValue": v} for v in r]} for r in rows],
        }
    }
    if token:
        page["NextToken"] = token
    return page


def test_a_query_waits_for_athena_and_reads_every_page() -> None:
    running, done = {"State": "RUNNING"}, {"State": "SUCCEEDED"}
    pages = [
        _page([["day", "users"], ["2026-12-01", "3"]], token="t2"),
        _page([["2026-12-02", "4"]]),
    ]
    client = ScriptedAthena([running, running, done], pages)
    slept: list[float] = []

    names, rows = AthenaQueries(client, "wg", "db", sleep=slept.append).query("SELECT 1")

    assert (names, rows) == (["day", "users"], [("2026-12-01", "3"), ("2026-12-02", "4")])
    assert client.tokens == [None, "t2"]
    assert slept == [0.2, 0.5]


def test_a_failed_query_says_why() -> None:
    failed = {"State": "FAILED", "StateChangeReason": "COLUMN_NOT_FOUND: line 1:8"}
    client = ScriptedAthena([failed], [])
    with pytest.raises(AthenaQueryError, match="failed: COLUMN_NOT_FOUND"):
        AthenaQueries(client, "wg", "db", sleep=lambda _: None).query("SELECT nope")


def test_a_query_past_its_timeout_stops_waiting() -> None:
    client = ScriptedAthena([{"State": "RUNNING"}], [])
    slept: list[float] = []
    queries = AthenaQueries(client, "wg", "db", timeout_seconds=3.0, sleep=slept.append)
    with pytest.raises(AthenaQueryError, match="still running"):
        queries.query("SELECT 1")
    assert sum(slept) <= 3.0
