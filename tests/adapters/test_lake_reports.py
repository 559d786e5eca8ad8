"""The named reports on a local lake (DuckDB over the Parquet files) built from a fixed
scenario (tests/fixtures/lake_scenario.py), every number worked out by hand from its table.
Each event is delivered twice, as Firehose may: the reports must not count a row twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gamification.adapters.lake_duckdb import LakeQueries
from gamification.adapters.lake_sink import LocalLakeFolder
from gamification.domain.domain_events import EventDraft, stamp
from gamification.services.analytics import Analytics, report_names
from gamification.services.history_lake import HistoryLake
from tests.fakes.lake import FakeLakeKeys
from tests.fixtures import lake_scenario


@pytest.fixture(scope="module")
def analytics(tmp_path_factory: pytest.TempPathFactory) -> Analytics:
    root: Path = tmp_path_factory.mktemp("lake")
    keys = FakeLakeKeys()
    keys.live = set(lake_scenario.ACTIVE)
    writer = HistoryLake(keys, LocalLakeFolder(root))
    events = lake_scenario.events()
    writer.record(events)
    writer.record(events)  # at least once: every row twice
    return Analytics(LakeQueries(root))


def _rows(analytics: Analytics, name: str) -> list[dict[str, Any]]:
    names, rows = analytics.report(name)
    return [dict(zip(names, r, strict=True)) for r in rows]


def d(day: int) -> date:
    return date.fromordinal(lake_scenario.DAY0.toordinal() + day)


def test_the_lake_holds_every_row_twice_and_no_user_id(analytics: Analytics) -> None:
    _, [(rows, distinct, raw_ids)] = analytics.query(
        "SELECT COUNT(*), COUNT(DISTINCT row_id), "
        "COUNT(*) FILTER (WHERE subject LIKE 'u_' OR row_id LIKE 'evt_%') FROM events"
    )
    assert rows == 2 * len(lake_scenario.events())
    assert distinct == len(lake_scenario.events())
    assert raw_ids == 0


def test_active_users(analytics: Analytics) -> None:
    by_day = {r["day"]: (r["dau"], r["wau"], r["mau"]) for r in _rows(analytics, "active_users")}
    assert by_day[d(0)] == (4, 4, 4)  # u1 u2 u3 u5
    assert by_day[d(1)] == (3, 5, 5)  # u1 u2 u4; week: + u3 u5
    assert by_day[d(2)] == (2, 6, 6)  # u1 u6
    assert by_day[d(7)] == (2, 5, 6)  # u1 u5; week = days 1-7 (u3 only on day 0)
    assert by_day[d(8)] == (1, 4, 6)  # u4; week = days 2-8: u1 u4 u5 u6
    assert by_day[d(30)] == (2, 2, 5)  # u1 u5; 30 days = 1-30: all but u3
    assert sorted(by_day) == [d(n) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 30)]


def test_retention_by_signup_cohort(analytics: Analytics) -> None:
    cohorts = {
        r["cohort"]: (r["users"], r["d1"], r["d7"], r["d30"], r["d1_rate"])
        for r in _rows(analytics, "retention")
    }
    assert cohorts == {
        d(0): (4, 2, 2, 2, 0.5),  # u1 u2 u3 u5: back on day 1 u1 u2, day 7 u1 u5, day 30 u1 u5
        d(1): (1, 0, 1, 0, 0.0),  # u4: day 8
        d(2): (1, 0, 0, 0, 0.0),  # u6
    }


def test_streak_length_distribution(analytics: Analytics) -> None:
    assert {r["streak_days"]: r["users"] for r in _rows(analytics, "streak_lengths")} == {
        1: 4,  # u3 u4 u5 u6
        2: 1,  # u2
        8: 1,  # u1, days 0-7
    }


def test_badge_funnel_and_time_to_badge(analytics: Analytics) -> None:
    rows = {r["badge_id"]: r for r in _rows(analytics, "badge_funnel")}
    assert rows["first-read"]["users"] == 6
    assert rows["first-read"]["share"] == 1.0
    assert rows["first-read"]["max_days_to_badge"] == 0.0
    assert rows["week-streak"]["users"] == 1
    assert rows["week-streak"]["share"] == round(1 / 6, 4)
    assert rows["week-streak"]["avg_days_to_badge"] == 6.0  # u1: day 0 to day 6


def test_level_distribution(analytics: Analytics) -> None:
    assert {r["level"]: r["users"] for r in _rows(analytics, "level_distribution")} == {
        0: 4,
        1: 1,  # u5
        2: 1,  # u1
    }


def test_league_movement_per_tier(analytics: Analytics) -> None:
    rows = [
        (r["week"], r["tier"], r["members"], r["promoted"], r["stayed"], r["demoted"])
        for r in _rows(analytics, "league_movement")
    ]
    assert rows == [("2026-W45", 0, 3, 1, 2, 0), ("2026-W45", 1, 1, 0, 0, 1)]


def test_quest_completion_rate(analytics: Analytics) -> None:
    [row] = _rows(analytics, "quest_completion")
    assert (row["quest_id"], row["completed"], row["active_users"]) == ("weekly-5", 1, 6)
    assert row["completion_rate"] == round(1 / 6, 4)


def test_every_named_report_is_tested_here() -> None:
    tested = {
        "active_users",
        "retention",
        "streak_lengths",
        "badge_funnel",
        "level_distribution",
        "league_movement",
        "quest_completion",
    }
    assert set(report_names()) == tested


def test_a_line_still_being_written_is_left_for_the_next_query(tmp_path: Path) -> None:
    staged = tmp_path / "staging" / "dt=2026-11-02"
    staged.mkdir(parents=True)
    whole = '{"row_id": "a", "type": "xp.awarded", "occurred_at": "2026-11-02 12:00:00.000"}\n'
    (staged / "rows.jsonl").write_text(whole + '{"row_id": "b", "ty', encoding="utf-8")
    queries = LakeQueries(tmp_path)
    assert queries.query("SELECT row_id FROM events")[1] == [("a",)]


def test_an_offline_sync_counts_on_the_days_its_activities_occurred(tmp_path: Path) -> None:
    """Three days of reading reported at once on day 5: one commit, three active days; the
    streak milestone it earned is a bonus, no activity of day 5."""
    milestone = EventDraft(
        "xp.awarded",
        "streak_milestone#1",
        lake_scenario.at(5),
        {
            "source": "streak_milestone#1",
            "activity_type": "streak_milestone",
            "xp": 50,
            "total_xp": 80,
        },
    )
    drafts = [
        EventDraft(
            "xp.awarded",
            f"post_read#p{day}",
            lake_scenario.at(5),
            {
                "source": f"post_read#p{day}",
                "activity_type": "post_read",
                "xp": 10,
                "total_xp": 10 * (day + 1),
                "activity_at": lake_scenario.at(day).isoformat(),
            },
        )
        for day in range(3)
    ] + [milestone]
    keys = FakeLakeKeys()
    keys.live = {"offline"}
    HistoryLake(keys, LocalLakeFolder(tmp_path)).record(
        stamp(drafts, tenant=lake_scenario.TENANT, user_id="offline", version=1)
    )
    analytics = Analytics(LakeQueries(tmp_path))
    assert [r["day"] for r in _rows(analytics, "active_users")] == [d(0), d(1), d(2)]
    [cohort] = _rows(analytics, "retention")
    assert (cohort["cohort"], cohort["users"], cohort["d1"]) == (d(0), 1, 1)
