"""Backfilling the local lake (DuckDB over Parquet) from what the table still holds: the rows a
stored profile proves, before the lake's start only, with the live rows' ids, and a re-run that
writes no duplicate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from gamification.adapters.lake_backfill_files import LocalBackfillFiles
from gamification.adapters.lake_duckdb import LakeQueries
from gamification.adapters.lake_sink import LocalLakeFolder
from gamification.adapters.player_history import PlayerHistory
from gamification.adapters.user_repository import UserRepository
from gamification.domain.domain_events import event_id
from gamification.domain.event_catalog import DomainEvent
from gamification.domain.game_rules import default_game_rules
from gamification.domain.lake import row_id
from gamification.domain.profile_records import StoredUser, UserChange
from gamification.domain.state import UserState
from gamification.domain.streaks import DayRun, StreakTrack
from gamification.local.provision import Provisioned
from gamification.services.analytics import Analytics
from gamification.services.history_lake import HistoryLake
from gamification.services.lake_backfill import LakeBackfill
from tests.fakes.lake import FakeLakeKeys, FakePlayerHistory

TENANT = "test"
START = datetime(2026, 11, 10, tzinfo=UTC)
"""The lake was deployed here: the backfill writes what happened before."""
RULES = default_game_rules()


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, 1, hour, tzinfo=UTC) + timedelta(days=day)


def _players() -> FakePlayerHistory:
    players = FakePlayerHistory()
    # ann: read on days 0, 1, 2 (a 3-day streak), earned first_steps on day 0, level 1.
    ann = UserState.new("ann").model_copy(
        update={
            "xp": 130,
            "badges": {"first_steps": _at(0)},
            "streak": StreakTrack(runs=(DayRun(start=date(2026, 11, 1), end=date(2026, 11, 3)),)),
        }
    )
    players.profiles["ann"] = StoredUser(ann, version=4, xp_at=_at(2))
    players.markers["ann"] = [(f"post_read#p{d}", _at(d)) for d in range(3)] + [
        ("post_read#p9", _at(12))  # after the lake started: the live rows have it
    ]
    # bob: one read on day 5; erased meanwhile (no key may be made): left out.
    bob = UserState.new("bob").model_copy(update={"xp": 10})
    players.profiles["bob"] = StoredUser(bob, version=1, xp_at=_at(5))
    players.markers["bob"] = [("post_read#p1", _at(5))]
    return players


def _backfill(root: Path, keys: FakeLakeKeys) -> LakeBackfill:
    return LakeBackfill(_players(), keys, LocalBackfillFiles(root), TENANT)


@pytest.fixture
def keys() -> FakeLakeKeys:
    found = FakeLakeKeys()
    found.live = {"ann"}
    return found


def test_the_backfill_writes_what_the_profile_proves_before_the_lake_started(
    tmp_path: Path, keys: FakeLakeKeys
) -> None:
    done = _backfill(tmp_path, keys).run(RULES, START)
    lake = Analytics(LakeQueries(tmp_path))

    assert (done.users, done.skipped, done.days) == (1, 1, 3)
    _, rows = lake.query("SELECT type, COUNT(*) FROM events GROUP BY type ORDER BY type")
    assert rows == [
        ("badge.earned", 1),
        ("level.changed", 1),
        ("streak.extended", 3),
        ("xp.awarded", 3),  # p9 came after the lake's start: not backfilled
    ]
    _, [(xp, total, sequence)] = lake.query(
        "SELECT MAX(xp), MAX(total_xp), MAX(sequence) FROM events WHERE type = 'xp.awarded'"
    )
    assert (xp, total, sequence) == (None, None, 0)  # an activity's XP is not kept: null
    _, streaks = lake.query(
        "SELECT day, streak_days FROM events WHERE type = 'streak.extended' ORDER BY day"
    )
    assert streaks == [(date(2026, 11, d), d) for d in (1, 2, 3)]
    by_day = {r[0]: r[1] for r in lake.report("active_users")[1]}
    assert by_day == {date(2026, 11, 1): 1, date(2026, 11, 2): 1, date(2026, 11, 3): 1}


def test_running_it_again_writes_no_duplicate(tmp_path: Path, keys: FakeLakeKeys) -> None:
    _backfill(tmp_path, keys).run(RULES, START)
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet"))
    _backfill(tmp_path, keys).run(RULES, START)

    _, [(rows, distinct)] = Analytics(LakeQueries(tmp_path)).query(
        "SELECT COUNT(*), COUNT(DISTINCT row_id) FROM events"
    )
    assert rows == distinct == 8
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet")) == files


def test_a_backfilled_row_has_the_row_id_of_the_live_row_of_the_same_fact(
    tmp_path: Path, keys: FakeLakeKeys
) -> None:
    """Had the lake existed, the badge's live row would have had this row id: a fact on both
    sides of the lake's start is one distinct row."""
    _backfill(tmp_path, keys).run(RULES, START)
    live = DomainEvent(
        id=event_id(TENANT, "ann", "badge.earned", "first_steps"),
        type="badge.earned",
        schema_version=1,
        tenant=TENANT,
        user_id="ann",
        sequence=40_000,
        occurred_at=_at(0),
        data={"badge_id": "first_steps", "name": "First Steps"},
    )
    HistoryLake(keys, LocalLakeFolder(tmp_path)).record([live])

    _, [(rows, distinct, expected)] = Analytics(LakeQueries(tmp_path)).query(
        "SELECT COUNT(*), COUNT(DISTINCT row_id), "
        f"COUNT(*) FILTER (WHERE row_id = '{row_id(keys.keys['ann'], live.id)}') "
        "FROM events WHERE type = 'badge.earned'"
    )
    assert (rows, distinct, expected) == (2, 1, 2)


def test_the_table_side_lists_players_with_their_profile_and_markers(aws: Provisioned) -> None:
    """``PlayerHistory`` on moto: the player index, the profile, every ``SEEN#`` marker."""
    client = boto3.client("dynamodb")
    users = UserRepository(client, aws.table_name)
    state = UserState.new("ann").model_copy(update={"xp": 20})
    users.save(
        UserChange(
            before=users.load("ann"),
            state=state,
            now=_at(1),
            new_markers=("post_read#p1", "post_read#p2"),
        )
    )

    found = PlayerHistory(client, aws.table_name)
    assert "ann" in set(found.user_ids())
    assert found.load("ann").state.xp == 20
    assert sorted(found.applied("ann")) == [("post_read#p1", _at(1)), ("post_read#p2", _at(1))]
