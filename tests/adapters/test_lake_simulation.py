"""The issue's simulation at the lowest layer that runs it whole: 200 simulated users over 30
back-dated days (the simulator's own plan), applied by the real transition and event
derivation one commit per user and day, recorded by the real lake writer into a local lake, and
every named report run by DuckDB. A quest runs over the month, and every week is closed at
its end by the league close's own ranking (``domain.leagues.close_cohort``, cohorts of the
rules' size per tier) and event (``league_closed``), so no report is empty. The e2e stack
would add only transport (HTTP, SQS, moto, the stream) to what this covers, at ≈ 13 minutes
instead of seconds (docs/analytics.md); the numbers are checked for plausibility here and by
hand on small fixed populations (test_lake_reports.py, tests/e2e/test_analytics.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from gamification.adapters.lake_duckdb import LakeQueries
from gamification.adapters.lake_sink import LocalLakeFolder
from gamification.cli.simulate import PlannedActivity, plan
from gamification.domain.activity import Activity
from gamification.domain.domain_events import EventDraft, derive, league_closed, stamp
from gamification.domain.game_rules import default_game_rules
from gamification.domain.leagues import Standing, close_cohort
from gamification.domain.periods import iso_week, week_bounds
from gamification.domain.quests import QuestCatalog, QuestDefinition
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities
from gamification.services.analytics import Analytics, report_names
from gamification.services.history_lake import HistoryLake
from tests.fakes.lake import FakeLakeKeys

USERS, DAYS = 200, 30
NOW = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
QUEST = QuestDefinition(
    id="month-reader",
    name="Month reader",
    description="Read 20 posts this month.",
    starts_at=NOW - timedelta(days=DAYS),
    ends_at=NOW + timedelta(days=1),
    criteria={"type": "posts_read", "count": 20},
    reward_xp=50,
)


class Simulated(NamedTuple):
    analytics: Analytics
    activities: int
    levels: dict[str, int]
    quest_done: int
    seated: dict[str, int]
    """Members per closed week (users with the week's XP)."""


def _activity(planned: PlannedActivity, received: datetime) -> Activity:
    return Activity.model_validate(
        {**planned.body(with_user=True), "received_at": received, "source": "client"}
    )


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    root: Path = tmp_path_factory.mktemp("lake")
    rules = default_game_rules().with_quests(QuestCatalog(quests=(QUEST,)))
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
    tiers: dict[str, int] = defaultdict(int)
    seated: dict[str, int] = {}

    def record(user_id: str, drafts: tuple[EventDraft, ...] | list[EventDraft]) -> None:
        versions[user_id] += 1
        writer.record(stamp(drafts, tenant="sim", user_id=user_id, version=versions[user_id]))

    def close(week: str) -> None:
        """The week's close: members are the users with XP that week, by tier, in cohorts of
        the rules' size (sorted ids); each gets the close's event and their new tier."""
        at = week_bounds(week)[1] + timedelta(minutes=5)
        members = sorted(u for u, st in states.items() if st.weekly_xp.get(week, 0) > 0)
        seated[week] = len(members)
        size = rules.leagues.cohort_size
        by_tier: dict[int, list[str]] = defaultdict(list)
        for user_id in members:
            by_tier[tiers[user_id]].append(user_id)  # before anyone moves
        for tier, here in sorted(by_tier.items()):
            for start in range(0, len(here), size):
                cohort = [
                    Standing(u, states[u].weekly_xp[week]) for u in here[start : start + size]
                ]
                for user_id, outcome in close_cohort(week, tier, cohort, rules.leagues).items():
                    record(user_id, [league_closed(outcome, at)])
                    tiers[user_id] = outcome.to_tier

    week = None
    for (user_id, _day), items in sorted(by_commit.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        now = max(i.occurred_at for i in items) + timedelta(minutes=1)  # committed as it happened
        if week is not None and iso_week(items[0].occurred_at) != week:
            close(week)  # the first commit of a new week (by the day the activities occurred)
        week = iso_week(items[0].occurred_at)
        before = states.get(user_id) or UserState.new(user_id)
        done = apply_activities(
            before, [_activity(i, now) for i in items], rules, now, frozenset(seen[user_id])
        )
        seen[user_id] |= set(done.effects.applied_keys)
        states[user_id] = done.state
        record(user_id, derive(before, done.state, done.effects, rules, now))
    levels = {u: s.level for u, s in states.items()}
    quest_done = sum(
        1 for st in states.values() if (q := st.quests.get(QUEST.id)) and q.completed_at
    )
    return Simulated(Analytics(LakeQueries(root)), len(planned), levels, quest_done, seated)


def _rows(analytics: Analytics, name: str) -> list[dict[str, Any]]:
    names, rows = analytics.report(name)
    return [dict(zip(names, r, strict=True)) for r in rows]


def test_every_named_report_answers_on_the_simulated_month(
    simulated: Simulated,
) -> None:
    assert simulated.activities > 2_000  # the heavy-tailed month is not trivially small
    for name in report_names():
        assert _rows(simulated.analytics, name), name


def test_active_users_are_bounded_and_nested(
    simulated: Simulated,
) -> None:
    rows = _rows(simulated.analytics, "active_users")
    assert len(rows) == DAYS
    for row in rows:
        assert 0 < row["dau"] <= row["wau"] <= row["mau"] <= USERS
    assert max(r["mau"] for r in rows) > USERS // 2


def test_retention_counts_stay_within_their_cohorts(
    simulated: Simulated,
) -> None:
    rows = _rows(simulated.analytics, "retention")
    assert sum(r["users"] for r in rows) == len(simulated.levels)  # every user in one cohort
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
    simulated: Simulated,
) -> None:
    by_level = {r["level"]: r["users"] for r in _rows(simulated.analytics, "level_distribution")}
    expected: dict[int, int] = defaultdict(int)
    for level in simulated.levels.values():
        expected[level] += 1
    assert by_level == dict(expected)


def test_every_closed_week_moves_its_members_within_the_zones(simulated: Simulated) -> None:
    rows = _rows(simulated.analytics, "league_movement")
    weeks = sorted({r["week"] for r in rows})
    assert weeks == sorted(simulated.seated)  # 2026-W44 to W48: W49 is still running
    assert len(weeks) == 5
    for week in weeks:
        here = [r for r in rows if r["week"] == week]
        assert sum(r["members"] for r in here) == simulated.seated[week]
        for row in here:
            assert row["promoted"] + row["stayed"] + row["demoted"] == row["members"]
            assert row["promoted"] >= 1  # everyone seated earned XP: at least one goes up
            if row["tier"] == 0:
                assert row["demoted"] == 0  # nobody falls out of the first tier
    # Promotion carries over: from the second close on, Silver (tier 1) has members.
    assert {r["tier"] for r in rows if r["week"] == weeks[0]} == {0}
    assert {r["tier"] for r in rows if r["week"] == weeks[-1]} >= {0, 1}


def test_quest_completion_counts_the_users_whose_state_completed_it(simulated: Simulated) -> None:
    [row] = _rows(simulated.analytics, "quest_completion")
    assert row["quest_id"] == QUEST.id
    assert row["completed"] == simulated.quest_done > 0
    assert row["completed"] <= row["active_users"] <= USERS
    assert 0 < row["completion_rate"] <= 1
