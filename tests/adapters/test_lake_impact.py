"""The impact report on local lakes (DuckDB): a treatment that retains better shows the
difference, one that does not shows none."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamification.adapters.lake_duckdb import LakeQueries
from gamification.adapters.lake_sink import LocalLakeFolder
from gamification.services.analytics import Analytics, impact_sql
from gamification.services.history_lake import HistoryLake
from tests.fakes.lake import FakeLakeKeys
from tests.fixtures import lake_scenario


def _analytics(root: Path, treatment: tuple[int, int], control: tuple[int, int]) -> Analytics:
    events = lake_scenario.impact_events(treatment, control)
    keys = FakeLakeKeys()
    keys.live = {e.user_id for e in events}
    HistoryLake(keys, LocalLakeFolder(root)).record(events)
    return Analytics(LakeQueries(root))


def test_a_better_treatment_shows(tmp_path: Path) -> None:
    found = _analytics(tmp_path, treatment=(60, 100), control=(40, 100)).impact(days=14)
    assert (found.treatment.users, found.treatment.retained) == (100, 60)
    assert (found.control.users, found.control.retained) == (100, 40)
    assert found.treatment.active_days == 2.0  # days 0 and 1 of the first 14
    assert found.retention is not None
    assert found.retention.difference == pytest.approx(0.2)
    assert found.retention.significant


def test_an_equal_treatment_shows_nothing(tmp_path: Path) -> None:
    found = _analytics(tmp_path, treatment=(50, 100), control=(50, 100)).impact(days=14)
    assert found.retention is not None
    assert found.retention.difference == 0
    assert not found.retention.significant


def test_users_not_observed_long_enough_are_left_out(tmp_path: Path) -> None:
    found = _analytics(tmp_path, treatment=(60, 100), control=(40, 100)).impact(days=21)
    assert found.treatment.users == 0  # the lake's last day is day 20
    assert found.retention is None


def test_days_must_be_a_sane_integer() -> None:
    with pytest.raises(ValueError, match="days"):
        impact_sql(0)
    assert "14" in impact_sql(14)
    assert "{days}" not in impact_sql(14)
