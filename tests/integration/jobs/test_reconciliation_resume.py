"""One full pass at a time, resumable (issue 19: ten million players take more than one
15-minute invocation) on Redis and moto: a pass paused after any page ends exactly as a one-shot
pass would (keys, expiries, no temporary key left), a crashed pass is taken over once its lease
expires, and a Redis that lost its data starts over. That a second pass waits while one holds
the lease is tested on fakes (tests/services/test_reconciliation.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.leaderboard import ALLTIME, board_key, encode_score, weekly
from gamification.adapters.player_score import league
from gamification.adapters.rebuild_lease import LEASE_KEY, PROGRESS_KEY, RebuildLease
from gamification.adapters.snapshot_repository import Snapshot
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.reconciliation import LeaderboardReconciler
from gamification.services.reconciliation_report import (
    DONE,
    IN_PROGRESS,
    LOST,
    PAUSED,
    ReconciliationReport,
)
from tests.integration.jobs.support import Context, World, build_world, scheduled_event

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
# The boards expire by the clock (Redis follows the moved one): the tests run at NOW, on any date.
pytestmark = pytest.mark.time_machine(NOW)
WEEK = iso_week(NOW)
LAST_WEEK = iso_week(NOW - timedelta(days=7))
PLAYERS = 160
"""More than Redis keeps in a compact zset (128): the all-time board's ``ZSCAN`` takes steps."""
PAGE = 4
"""Players per page and ``ZSCAN`` step (one step a unit): a pass is some 200 units."""


def uid(i: int) -> str:
    return f"user-{i:03d}"


@pytest.fixture
def world(stack_env: Provisioned, redis_client: redis.Redis) -> World:
    """``PLAYERS`` index entries over the GSI2 shards: weekly XP for most, a league cohort for
    half (three cohorts), a few unlisted, a few nameless."""
    world = build_world(stack_env, redis_client, NOW)
    for i in range(PLAYERS):
        item: dict[str, Any] = {
            "PK": keys.user_pk(uid(i)),
            "SK": keys.PROFILE_SK,
            "GSI2PK": keys.players_pk(keys.player_shard(uid(i))),
            "GSI2SK": uid(i),
            "xp": 10 + (i * 37) % 300,
            "xp_at": (NOW - timedelta(hours=i)).isoformat(),
            "weekly_xp": {WEEK: 1 + (i * 11) % 90, LAST_WEEK: 4} if i % 3 else {LAST_WEEK: 4},
        }
        if i % 5:
            item["display_name"] = f"Player {i}"
        if i % 2 == 0:
            item["league"] = f"{WEEK}:0:{i % 3}"
        if i % 13 == 7:
            item["unlisted"] = True
        world.dynamodb.put_item(TableName=world.aws.table_name, Item=to_item(item))
    return world


def seed_cache(world: World) -> None:
    """The same drifted cache every time: five players missing, a stray, a wrong score, no
    markers (a cache that lost them: the check rebuilds)."""
    world.redis.flushdb()
    players = list(world.directory.players())
    world.leaderboard.publish(players[5:], NOW)
    world.redis.zadd(board_key(ALLTIME), {"ghost": encode_score(500, None)})
    world.redis.zadd(board_key(ALLTIME), {players[9].user_id: encode_score(9_999, None)})


def cache(client: redis.Redis) -> dict[str, Any]:
    """Every key with its content and absolute expiry (a marker's generation differs between
    runs by design: only its presence and expiry are compared)."""
    found: dict[str, Any] = {}
    for key in sorted(client.scan_iter("*")):
        kind = client.type(key)
        if kind == "zset":
            value: Any = client.zrange(key, 0, -1, withscores=True)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "set":
            value = sorted(client.smembers(key))
        else:
            value = "<marker>" if ":generation:" in key else client.get(key)
        found[key] = (value, client.expiretime(key))
    return found


def snapshots(world: World) -> list[Snapshot | None]:
    return [world.snapshots.load(board) for board in (ALLTIME, weekly(WEEK))]


def outcome(report: ReconciliationReport) -> dict[str, Any]:
    summary = report.summary()
    return {k: summary[k] for k in ("players", "late_updates", "cohorts", "boards", "rebuilt")}


def always() -> bool:
    return True


def run_to_the_end(
    reconciler: LeaderboardReconciler, first: ReconciliationReport, limit: int = 500
) -> list[ReconciliationReport]:
    """One-minute checks, each stopping after one unit, until the pass is done."""
    runs = [first]
    while runs[-1].rebuild != DONE:
        assert len(runs) < limit, runs[-1].summary()
        runs.append(reconciler.check(NOW + timedelta(seconds=10 * len(runs)), always))
    return runs


def test_a_pass_stopped_after_every_page_ends_as_a_one_shot_pass(world: World) -> None:
    seed_cache(world)
    one_shot = world.reconciler(page_size=PAGE, scan_chunks=1).check(NOW)
    assert one_shot.rebuild == DONE
    assert one_shot.invocations == 1
    expected_cache, expected_snapshots = cache(world.redis), snapshots(world)

    seed_cache(world)
    reconciler = world.reconciler(page_size=PAGE, scan_chunks=1)
    runs = run_to_the_end(reconciler, reconciler.check(NOW, always))

    assert len(runs) > 2 * keys.PLAYER_SHARDS  # each run did one unit: two reads, the swap
    assert all(r.units == 1 for r in runs)
    phases = {r.phase for r in runs}
    assert {"build", "strays", "swap", "catch_up", "unseen"} <= phases
    assert [r.rebuild for r in runs] == [PAUSED] * (len(runs) - 1) + [DONE]
    assert all(r.resumed for r in runs[1:])
    assert not runs[0].resumed
    assert runs[-1].invocations == len(runs)
    assert outcome(runs[-1]) == outcome(one_shot)
    assert one_shot.boards[0].drift.total > 0  # the seeded drift was found, in both
    assert cache(world.redis) == expected_cache  # boards, cohorts, names, markers, expiries
    assert snapshots(world) == expected_snapshots
    assert not list(world.redis.scan_iter("{lb}:rebuild:*"))  # temp keys, progress, lease


def test_the_progress_is_saved_next_to_the_temporary_boards(world: World) -> None:
    seed_cache(world)
    paused = world.reconciler(page_size=PAGE, scan_chunks=1).check(NOW, always)

    assert paused.rebuild == PAUSED
    assert paused.summary()["pass"] == {
        "resumed": False,
        "units": 1,
        "phase": "build",
        "started": NOW.isoformat(),
        "invocations": 1,
    }
    assert not world.redis.exists(LEASE_KEY)  # released: the next run resumes
    temp = [k for k in world.redis.scan_iter("{lb}:rebuild:*") if k != PROGRESS_KEY]
    assert temp
    # The progress expires with the temporary keys (a lost cache loses both).
    assert abs(world.redis.ttl(PROGRESS_KEY) - max(world.redis.ttl(k) for k in temp)) <= 1


def test_the_handler_reports_a_pass_in_progress(world: World) -> None:
    from functions.reconciler.handler import lambda_handler

    seed_cache(world)
    holder = RebuildLease(world.redis).acquire()
    assert holder is not None

    summary = lambda_handler(scheduled_event(NOW, {"mode": "check"}), Context("reconciler"))

    assert summary["rebuild"] == IN_PROGRESS
    assert summary["rebuilt"] is False
    assert summary["boards"] == {}
    assert world.redis.get(LEASE_KEY) == holder  # not taken over
    assert not _runs(world.redis)


def test_the_handler_pauses_near_its_timeout_and_the_next_check_resumes(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the run that finishes a pass publishes its drift (a paused one's is partial)."""
    from functions.reconciler.handler import TIME_MARGIN_MS, lambda_handler

    seed_cache(world)
    capsys.readouterr()
    late = Ending("reconciler", [10 * TIME_MARGIN_MS, TIME_MARGIN_MS - 1])
    first = lambda_handler(scheduled_event(NOW), late)
    assert first["rebuild"] == PAUSED
    assert first["rebuilt"] is False
    assert first["boards"] == {}
    paused = _metrics(capsys.readouterr().out)
    assert paused["FullPassPaused"] == 1
    assert not any(name.startswith("LeaderboardDrift") for name in paused)
    assert "ReconciledPlayers" not in paused

    second = lambda_handler(scheduled_event(NOW, {"mode": "check"}), Context("reconciler"))

    assert second["rebuild"] == DONE
    assert second["pass"]["resumed"] is True
    assert second["pass"]["invocations"] == 2
    assert second["players"] == PLAYERS
    done = _metrics(capsys.readouterr().out)
    assert done["ReconciledPlayers"] == PLAYERS
    assert done["LeaderboardDriftAdded"] > 0
    assert "FullPassPaused" not in done


def _metrics(output: str) -> dict[str, float]:
    """Metric name -> value from the EMF lines a handler printed (the last one wins)."""
    found: dict[str, float] = {}
    for line in output.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        blob = json.loads(line)
        for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            value = blob[metric["Name"]]
            found[metric["Name"]] = value[0] if isinstance(value, list) else value
    return found


def test_a_crashed_pass_is_taken_over_once_its_lease_expires(world: World) -> None:
    seed_cache(world)
    expected = _one_shot_cache(world)
    seed_cache(world)
    reconciler = world.reconciler(page_size=PAGE, scan_chunks=1)
    with pytest.raises(RuntimeError):
        reconciler.check(NOW, _crash_after(5))  # the function died after its 6th page
    assert world.redis.exists(LEASE_KEY)
    assert reconciler.check(NOW).rebuild == IN_PROGRESS  # its lease has not expired yet

    world.redis.delete(LEASE_KEY)  # it expires (LEASE_TTL_MS)
    report = reconciler.check(NOW + timedelta(minutes=2))

    assert report.rebuild == DONE
    assert report.resumed
    assert cache(world.redis) == expected
    assert report.players == PLAYERS


def test_a_pass_that_lost_its_lease_stops_and_the_next_holder_resumes(world: World) -> None:
    """A run stalled past its lease's expiry while another took the lease: its next renewal
    fails, so it stops at once and never saves over the new holder's progress."""
    seed_cache(world)
    expected = _one_shot_cache(world)
    seed_cache(world)
    reconciler = world.reconciler(page_size=PAGE, scan_chunks=1)
    reconciler.check(NOW, always)  # a first page, progress saved
    taken: list[str | None] = []

    def take_over(**_: Any) -> None:
        if not taken:
            world.redis.delete(LEASE_KEY)
            taken.append(RebuildLease(world.redis).acquire())

    world.dynamodb.meta.events.register("before-call.dynamodb.Query", take_over)
    try:
        lost = reconciler.check(NOW)
    finally:
        world.dynamodb.meta.events.unregister("before-call.dynamodb.Query", take_over)

    assert lost.rebuild == LOST
    assert world.redis.get(LEASE_KEY) == taken[0]  # the new holder's lease is untouched
    world.redis.delete(LEASE_KEY)  # the interloper of this test does no work: let it expire
    report = reconciler.check(NOW)
    assert report.rebuild == DONE
    assert cache(world.redis) == expected


def test_a_cache_lost_mid_pass_starts_over(world: World) -> None:
    seed_cache(world)
    reconciler = world.reconciler(page_size=PAGE, scan_chunks=1)
    for _ in range(60):  # well into the pass
        assert reconciler.check(NOW, always).rebuild == PAUSED

    # FLUSHALL (of our one database): progress, temporary boards and markers go together.
    world.redis.flushdb()
    report = reconciler.check(NOW)

    assert report.rebuild == DONE
    assert not report.resumed
    assert report.invocations == 1
    assert report.players == PLAYERS
    assert report.empty_cache_rebuilt
    alltime = report.summary()["boards"][ALLTIME]
    assert alltime["added"] == alltime["members"] > 0
    assert alltime["removed"] == alltime["changed"] == 0
    assert not list(world.redis.scan_iter("{lb}:rebuild:*"))
    assert world.leaderboard.complete([ALLTIME, weekly(WEEK), league(f"{WEEK}:0:0")]) == {
        ALLTIME: True,
        weekly(WEEK): True,
        league(f"{WEEK}:0:0"): True,
    }


def test_a_build_paused_across_the_week_boundary_starts_over(world: World) -> None:
    """Resuming it would swap in last week's boards and empty the new week's."""
    seed_cache(world)
    reconciler = world.reconciler(page_size=PAGE, scan_chunks=1)
    reconciler.check(NOW, always)
    monday = datetime(2026, 11, 30, 0, 1, tzinfo=UTC)

    report = reconciler.reconcile(monday)

    assert report.rebuild == DONE
    assert not report.resumed
    assert report.pass_started == monday


class Ending(Context):
    """An invocation whose remaining time is read from ``readings`` (the last one repeats)."""

    def __init__(self, function_name: str, readings: list[int]) -> None:
        super().__init__(function_name)
        self._readings = readings

    def get_remaining_time_in_millis(self) -> int:
        return self._readings.pop(0) if len(self._readings) > 1 else self._readings[0]


def _crash_after(pages: int) -> Callable[[], bool]:
    asked: list[int] = []

    def should_stop() -> bool:
        asked.append(1)
        if len(asked) > pages:
            raise RuntimeError("the function timed out")
        return False

    return should_stop


def _runs(client: redis.Redis) -> set[str]:
    """The runs whose temporary keys exist (``{lb}:rebuild:<run>:<name>``)."""
    return {
        key.split(":")[2]
        for key in client.scan_iter("{lb}:rebuild:*")
        if key not in (LEASE_KEY, PROGRESS_KEY)
    }


def _one_shot_cache(world: World) -> dict[str, Any]:
    seed_cache(world)
    assert world.reconciler(page_size=PAGE, scan_chunks=1).check(NOW).rebuild == DONE
    return cache(world.redis)


def test_with_redis_down_the_pass_still_writes_the_snapshots_then_fails(world: World) -> None:
    """It cannot take the lease or save progress, but it reads the truth for the snapshots."""
    from gamification.adapters.leaderboard import Leaderboard, LeaderboardUnavailableError
    from gamification.local.redis_server import RedisServer

    with RedisServer() as server:
        down = redis.Redis.from_url(server.url, socket_timeout=0.2, decode_responses=True)
        server.stop()
        reconciler = LeaderboardReconciler(
            world.directory,
            Leaderboard(down),
            world.snapshots,
            lease=RebuildLease(down),
            page_size=PAGE,
        )
        with pytest.raises(LeaderboardUnavailableError):
            reconciler.reconcile(NOW)

    snapshot = world.snapshots.load(ALLTIME)
    assert snapshot is not None
    assert snapshot.taken_at == NOW
    listed = [i for i in range(PLAYERS) if i % 13 != 7]
    assert snapshot.total == len(listed)
    assert snapshot.entries[0].xp == max(10 + (i * 37) % 300 for i in listed)
