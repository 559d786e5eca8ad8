"""``gamify analytics`` over a lake folder (no stack needed with ``--lake``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamification.adapters.lake_sink import LocalLakeFolder
from gamification.cli.main import main
from gamification.services.history_lake import HistoryLake
from tests.fakes.lake import FakeLakeKeys
from tests.fixtures import lake_scenario


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    keys = FakeLakeKeys()
    keys.live = set(lake_scenario.ACTIVE)
    HistoryLake(keys, LocalLakeFolder(tmp_path)).record(lake_scenario.events())
    return tmp_path


def test_query_prints_a_table(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT type, COUNT(*) AS n FROM events GROUP BY type ORDER BY type"
    assert (
        main(["--url", "http://127.0.0.1:9", "analytics", "query", sql, "--lake", str(lake)]) == 0
    )
    out = capsys.readouterr().out
    assert "league.closed" in out
    assert "xp.awarded" in out


def test_report_as_json(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--url", "http://127.0.0.1:9", "--json", "analytics", "report", "level_distribution"]
    assert main([*argv, "--lake", str(lake)]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"level": 0, "users": 4},
        {"level": 1, "users": 1},
        {"level": 2, "users": 1},
    ]


def test_an_unknown_report_is_a_usage_error(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--url", "http://127.0.0.1:9", "analytics", "report", "nope", "--lake", str(lake)]
    assert main(argv) != 0
    assert "retention" in capsys.readouterr().err


def test_reports_lists_every_named_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--url", "http://127.0.0.1:9", "analytics", "reports"]) == 0
    out = capsys.readouterr().out
    assert "retention" in out
    assert "D1/D7/D30" in out


def test_report_impact_prints_the_test(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = lake_scenario.impact_events((60, 100), (40, 100))
    keys = FakeLakeKeys()
    keys.live = {e.user_id for e in events}
    HistoryLake(keys, LocalLakeFolder(tmp_path)).record(events)

    argv = ["--url", "http://127.0.0.1:9", "report", "impact", "--days", "14"]
    assert main([*argv, "--lake", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "retention, treatment - control: +20.0%" in out
    assert "a difference" in out
