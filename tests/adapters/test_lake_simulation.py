"""The issue's simulation at the lowest layer that runs it whole: 200 simulated users over 30
back-dated days (the simulator's own plan), applied by the real transition and event
derivation one commit per user and day, recorded by the real lake writer into a local lake, and
every named report run by DuckDB. The e2e stack would add only transport (HTTP, SQS, moto,
the stream) to what this covers, at minutes instead of seconds; the numbers are checked for
plausibility here (they are hand-checked on a fixed lake in test_lake_reports.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gamification.adapters.lake_duckdb import LakeQueries
from gamification.adapters.lake_sink import LocalLakeFolder
from gamification.cli.simulate import PlannedActivity, plan
from gamification.domain.activity import Activity
from gamification.domain.domain_events import derive, stamp
from gamification.domain.game_rules import default_game_rules
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities
from gamification.services.analytics import Analytics, report_names
from gamification.services.history_lake import HistoryLake
from tests.fakes.lake import FakeLakeKeys

USERS, DAYS = 200, 30
NOW = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
NOT_SIMULATED = {"league_movement", "quest_completion"}


def _activity(planned: PlannedActivity, received: datetime) -> Activity:
    return Activity.model_validate(
        {**planned.body(with_user=True), "received_at": received, "source": "client"}
    )


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Analytics, int, dict[str, int]]:
    root: Path = tmp_path_factory.mktemp("lake")
    rules = default_game_rules()
    planned = plan(USERS, DAYS, NOW, seed=7)
    by_commit: dict[tuple[str, str], list[PlannedActivity]] = defaultdict(list)
    for item in planned:
        by_commit[item.user_id, item.occurred_at.date().isoformat()].append(item)
    keys = FakeLakeKeys()
    keys.live = {p.user_id for p in planned}
    writer = HistoryLake(keys, LocalLakeFolder(root))
    states: dict[str, UserState] = {}
    seen: dict[str, set[str]] = defaultdict(set)
    versions: dict[str, int] = defaultdict(int)
    for (user_id, _), items in sorted(by_commit.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        now = max(i.occurred_at for i in items) + timedelta(minutes=1)  # committed as it happened
        before = states.get(user_id) or UserState.new(user_id)
        done = apply_activities(
            before, [_activity(i, now) for i in items], rules, now, frozenset(seen[user_id])
        )
        seen[user_id] |= set(done.effects.applied_keys)
        states[user_id] = done.state
        versions[user_id] += 1
        drafts = derive(before, done.state, done.effects, rules, now)
        writer.record(stamp(drafts, tenant="sim", user_id=user_id, version=versions[user_id]))
    levels = {u: s.level for u, s in states.items()}
    return Analytics(LakeQueries(root)), len(planned), levels


def _rows(analytics: Analytics, name: str) -> list[dict[str, Any]]:
    names, rows = analytics.report(name)
    return [dict(zip(names, r, strict=True)) for r in rows]


def test_every_named_report_answers_on_the_simulated_month(
    simulated: tuple[Analytics, int, dict[str, int]],
) -> None:
    analytics, activities, _ = simulated
    assert activities > 2_000  # the heavy-tailed month is not trivially small
    for name in report_names():
        # League results come from the weekly close job, which this path does not run, and
        # the default rules ship no quest (both tested on the fixed lake, test_lake_reports.py).
        assert bool(_rows(analytics, name)) == (name not in NOT_SIMULATED), name


def test_active_users_are_bounded_and_nested(
    simulated: tuple[Analytics, int, dict[str, int]],
) -> None:
    rows = _rows(simulated[0], "active_users")
    assert len(rows) == DAYS
    for row in rows:
        assert 0 < row["dau"] <= row["wau"] <= row["mau"] <= USERS
    assert max(r["mau"] for r in rows) > USERS // 2


def test_retention_counts_stay_within_their_cohorts(
    simulated: tuple[Analytics, int, dict[str, int]],
) -> None:
    rows = _rows(simulated[0], "retention")
    assert sum(r["users"] for r in rows) == len(simulated[2])  # every user in one cohort
    assert rows[0]["users"] > USERS // 4  # the first day: every user with an active day 0
    for row in rows:
        assert 0 <= row["d30"] <= row["users"]
        assert 0 <= row["d1"] <= row["users"]
        assert 0 <= row["d7"] <= row["users"]
        assert 0.0 <= row["d1_rate"] <= 1.0
    # Heavy users come back: the first cohort keeps well over a tenth the next day.
    assert rows[0]["d1"] > rows[0]["users"] // 10
    assert all(r["d30"] == 0 for r in rows)  # 30 days: nobody can be seen 30 days later


def test_the_level_distribution_matches_the_states_the_transition_left(
    simulated: tuple[Analytics, int, dict[str, int]],
) -> None:
    analytics, _, levels = simulated
    by_level = {r["level"]: r["users"] for r in _rows(analytics, "level_distribution")}
    expected: dict[int, int] = defaultdict(int)
    for level in levels.values():
        expected[level] += 1
    assert by_level == dict(expected)
