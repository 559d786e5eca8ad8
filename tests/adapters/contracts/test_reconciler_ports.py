"""The reconciler's ports (``services.reconciliation``: ``Boards``, ``Rebuild``, ``PassLease``,
``PlayerIndex``): the fakes (tests/fakes/boards.py, tests/fakes/reconciliation.py) and the real
adapters (Redis; DynamoDB on moto) pass the same tests."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.rebuild_lease import LEASE_KEY, RebuildLease
from gamification.domain.boards import (
    ALLTIME,
    Entry,
    LeaderboardUnavailableError,
    PlayerScore,
    league,
    leagues_marker,
    weekly,
)
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.reconciliation import Boards, PassLease, PlayerIndex
from tests.fakes.boards import FakeLeaderboard
from tests.fakes.reconciliation import FakePassLease, FakePlayerIndex

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
WEEK = iso_week(NOW)
COHORT = f"{WEEK}:0:0"
BOARDS = [ALLTIME, weekly(WEEK)]

pytestmark = pytest.mark.time_machine(NOW)


def _player(user_id: str, xp: int, **fields: Any) -> PlayerScore:
    fields.setdefault("display_name", user_id.title())
    return PlayerScore(
        user_id=user_id,
        xp=xp,
        xp_at=NOW - timedelta(hours=1),
        weekly_xp={WEEK: xp} if xp else {},
        **fields,
    )


def _scan(step: Callable[[int], tuple[int, Any]]) -> list[Any]:
    """Every step's result of a scan from cursor 0 until the cursor comes back to 0."""
    results, cursor = [], 0
    while True:
        cursor, found = step(cursor)
        results.append(found)
        if cursor == 0:
            return results


# -- Boards and Rebuild -------------------------------------------------------------------------


@dataclass
class BoardSubject:
    boards: Boards
    break_it: Callable[[], Boards]


@pytest.fixture(params=["fake", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[BoardSubject]:
    if request.param == "fake":
        fake = FakeLeaderboard(complete=False)

        def broken() -> FakeLeaderboard:
            fake.down = True
            return fake

        yield BoardSubject(fake, broken)
        return
    client: redis.Redis = request.getfixturevalue("redis_client")

    def unreachable() -> Leaderboard:
        return Leaderboard(redis.Redis(port=1, socket_connect_timeout=0.2, socket_timeout=0.2))

    yield BoardSubject(Leaderboard(client), unreachable)


def _live(cache: BoardSubject) -> None:
    """Live boards a rebuild is compared with: ann in step, bob behind, a ghost the truth lacks."""
    cache.boards.publish(
        [_player("ann", 100), _player("bob", 50), _player("ghost", 10), _player("dan", 5)], NOW
    )


def test_a_page_counts_what_it_adds_and_how_the_live_boards_differ(cache: BoardSubject) -> None:
    _live(cache)
    rebuild = cache.boards.rebuild(BOARDS, WEEK, "run-1")

    counts = rebuild.add(
        [
            _player("ann", 100),
            _player("bob", 70),
            _player("cy", 30),
            _player("dan", 5, listed=False),  # on no board
            _player("ann", 100),  # read twice in one page: counts once
        ]
    )

    assert counts.players == 4
    assert counts.members == {ALLTIME: 3, weekly(WEEK): 3}
    assert counts.added == {ALLTIME: 1, weekly(WEEK): 1}
    assert counts.changed == {ALLTIME: 1, weekly(WEEK): 1}
    again = rebuild.add([_player("bob", 70), _player("dan", 5, listed=False)])
    assert (again.players, again.members, again.added, again.changed) == (0, {}, {}, {})


def test_a_paused_rebuild_resumes_under_its_run_name(cache: BoardSubject) -> None:
    cache.boards.rebuild(BOARDS, WEEK, "run-1").add([_player("ann", 100)])

    resumed = cache.boards.rebuild(BOARDS, WEEK, "run-1")
    counts = resumed.add([_player("ann", 100), _player("bob", 70)])
    resumed.swap(ALLTIME, None, "gen-1")

    assert counts.players == 1
    assert [e.user_id for e in cache.boards.page(ALLTIME, 0, 10).entries] == ["ann", "bob"]


def test_strays_are_the_live_members_the_rebuild_lacks(cache: BoardSubject) -> None:
    _live(cache)
    rebuild = cache.boards.rebuild(BOARDS, WEEK, "run-1")
    rebuild.add([_player("ann", 100), _player("bob", 70), _player("dan", 5)])

    steps = _scan(lambda cursor: _step(rebuild.strays(ALLTIME, cursor, 2)))

    assert sum(strays for strays, _ in steps) == 1  # the ghost
    assert sum(seen for _, seen in steps) == 4


def _step(found: tuple[int, int, int]) -> tuple[int, tuple[int, int]]:
    cursor, strays, seen = found
    return cursor, (strays, seen)


def test_a_swap_puts_the_rebuilt_board_in_place_complete(cache: BoardSubject) -> None:
    _live(cache)
    rebuild = cache.boards.rebuild(BOARDS, WEEK, "run-1")
    rebuild.add([_player("ann", 100), _player("bob", 70, display_name=None)])
    assert cache.boards.complete(BOARDS) == {ALLTIME: False, weekly(WEEK): False}

    rebuild.swap(ALLTIME, None, "gen-1")
    rebuild.swap(weekly("2026-W01"), None, None)  # never built: the live board goes

    assert cache.boards.complete(BOARDS) == {ALLTIME: True, weekly(WEEK): False}
    page = cache.boards.page(ALLTIME, 0, 10)
    assert page.entries == [Entry(1, "ann", 100, "Ann"), Entry(2, "bob", 70, None)]
    assert cache.boards.size(ALLTIME) == 2
    assert cache.boards.size(weekly("2026-W01")) == 0
    assert cache.boards.scores_of(ALLTIME, ["bob", "ghost"]) == {"bob": 70, "ghost": None}


def test_the_cohort_boards_of_the_week_swap_together(cache: BoardSubject) -> None:
    rebuild = cache.boards.rebuild(BOARDS, WEEK, "run-1")
    other = f"{WEEK}:1:0"
    counts = rebuild.add(
        [
            _player("ann", 100, league=COHORT),
            _player("bob", 70, league=COHORT),
            _player("cy", 30, league=other),
            _player("old", 30, league="2026-W01:0:0"),  # another week: not rebuilt
        ]
    )

    swapped = rebuild.swap_cohorts()
    rebuild.drop_from_cohorts(["bob"])
    rebuild.finish()
    cache.boards.stamp(leagues_marker(WEEK), "gen-1", None)

    assert counts.cohort_members == 3
    assert swapped == 2
    assert cache.boards.complete([league(COHORT), league(other)]) == {
        league(COHORT): True,
        league(other): True,
    }
    assert [e.user_id for e in cache.boards.page(league(COHORT), 0, 10).entries] == ["ann"]
    assert [e.user_id for e in cache.boards.page(league(other), 0, 10).entries] == ["cy"]
    assert cache.boards.size(league("2026-W01:0:0")) == 0


def test_stale_finds_who_the_cache_holds_behind_and_unseen_who_it_should_not_hold(
    cache: BoardSubject,
) -> None:
    _live(cache)
    page = [
        _player("ann", 100),  # in step
        _player("bob", 70),  # behind
        _player("cy", 30),  # missing
        _player("dan", 5, listed=False),  # held although unlisted
        _player("eve", 0, display_name=None),  # on no board, no name, not held: in step
    ]

    behind = cache.boards.stale(page, BOARDS, WEEK, "seen-1")
    renamed = cache.boards.stale(
        [_player("ann", 100, display_name="Annie")], BOARDS, WEEK, "seen-1"
    )

    assert [p.user_id for p in behind] == ["bob", "cy", "dan"]
    assert [p.user_id for p in renamed] == ["ann"]
    unseen = _scan(lambda cursor: cache.boards.unseen(ALLTIME, "seen-1", cursor, 2))
    assert sorted(m for step in unseen for m in step) == ["ghost"]
    cache.boards.forget("seen-1")
    unseen = _scan(lambda cursor: cache.boards.unseen(ALLTIME, "seen-1", cursor, 2))
    assert sorted(m for step in unseen for m in step) == ["ann", "bob", "dan", "ghost"]


def test_a_stamp_marks_a_board_complete_and_a_weeks_cohorts_share_one(
    cache: BoardSubject,
) -> None:
    cohorts = [league(COHORT), league(f"{WEEK}:3:7")]

    cache.boards.stamp(ALLTIME, "gen-1", None)
    cache.boards.stamp(leagues_marker(WEEK), "gen-1", NOW + timedelta(days=30))

    assert cache.boards.complete([ALLTIME, weekly(WEEK), *cohorts]) == {
        ALLTIME: True,
        weekly(WEEK): False,
        cohorts[0]: True,
        cohorts[1]: True,
    }


def test_every_call_fails_as_unavailable_when_the_cache_is_unreachable(
    cache: BoardSubject,
) -> None:
    broken = cache.break_it()
    calls: list[Callable[[], object]] = [
        lambda: broken.rebuild(BOARDS, WEEK, "run-1").add([_player("ann", 1)]),
        lambda: broken.stale([_player("ann", 1)], BOARDS, WEEK, "seen"),
        lambda: broken.unseen(ALLTIME, "seen", 0, 10),
        lambda: broken.forget("seen"),
        lambda: broken.stamp(ALLTIME, "gen", None),
        lambda: broken.complete([ALLTIME]),
        lambda: broken.scores_of(ALLTIME, ["ann"]),
        lambda: broken.size(ALLTIME),
    ]
    for call in calls:
        with pytest.raises(LeaderboardUnavailableError):
            call()


# -- PassLease -----------------------------------------------------------------------------------


@dataclass
class LeaseSubject:
    lease: PassLease
    expire: Callable[[], None]
    """The holder stalls past the lease's expiry."""


@pytest.fixture(params=["fake", "redis"])
def lease(request: pytest.FixtureRequest) -> LeaseSubject:
    if request.param == "fake":
        fake = FakePassLease()
        return LeaseSubject(fake, fake.expire)
    client: redis.Redis = request.getfixturevalue("redis_client")

    def expire() -> None:
        client.delete(LEASE_KEY)  # what the key's expiry does

    return LeaseSubject(RebuildLease(client), expire)


def test_one_holder_at_a_time_saves_progress_for_the_next(lease: LeaseSubject) -> None:
    port = lease.lease
    assert port.status() == (False, False)
    token = port.acquire()
    assert token is not None
    assert port.acquire() is None
    assert port.checkpoint(token, '{"step": 1}')
    assert port.checkpoint(token)  # renews, keeps the progress
    assert port.status() == (True, True)

    assert port.release(token, '{"step": 2}')

    assert port.status() == (False, True)
    successor = port.acquire()
    assert successor is not None
    assert port.progress() == '{"step": 2}'
    assert port.release(successor)  # done: the progress goes
    assert port.status() == (False, False)
    assert port.progress() is None


def test_a_holder_that_lost_the_lease_can_neither_renew_nor_overwrite(
    lease: LeaseSubject,
) -> None:
    port = lease.lease
    stalled = port.acquire()
    assert stalled is not None
    assert port.checkpoint(stalled, "mine")
    lease.expire()
    taker = port.acquire()
    assert taker is not None
    assert taker != stalled

    assert not port.checkpoint(stalled, "stale")
    assert not port.release(stalled, "stale")
    assert port.progress() == "mine"
    assert port.checkpoint(taker, "theirs")
    assert port.progress() == "theirs"


# -- PlayerIndex ---------------------------------------------------------------------------------


@dataclass
class IndexSubject:
    index: PlayerIndex
    put: Callable[[PlayerScore], None]
    remove: Callable[[str], None]


@pytest.fixture(params=["fake", "dynamodb"])
def index(request: pytest.FixtureRequest) -> IndexSubject:
    if request.param == "fake":
        fake = FakePlayerIndex()
        return IndexSubject(fake, fake.put, fake.remove)
    aws: Provisioned = request.getfixturevalue("aws")
    client = boto3.client("dynamodb")

    def put(player: PlayerScore) -> None:
        """The profile's index attributes, as the profile store writes them."""
        item: dict[str, Any] = {
            "PK": keys.user_pk(player.user_id),
            "SK": keys.PROFILE_SK,
            "GSI2PK": keys.players_pk(keys.player_shard(player.user_id)),
            "GSI2SK": player.user_id,
            "xp": player.xp,
            "weekly_xp": player.weekly_xp,
        }
        if player.xp_at is not None:
            item["xp_at"] = player.xp_at.isoformat()
        if player.display_name:
            item["display_name"] = player.display_name
        if player.league:
            item["league"] = player.league
        if not player.listed:
            item["unlisted"] = True
        client.put_item(TableName=aws.table_name, Item=to_item(item))

    def remove(user_id: str) -> None:
        client.update_item(
            TableName=aws.table_name,
            Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
            UpdateExpression="REMOVE GSI2PK, GSI2SK",
        )

    return IndexSubject(PlayerDirectory(client, aws.table_name), put, remove)


PLAYERS = [
    _player("ann", 100, league=COHORT),
    _player("bob", 70),
    _player("cy", 30, display_name=None),
    _player("dan", 5, listed=False),
    _player("eve", 12),
]


def _pages(index: PlayerIndex, limit: int) -> list[PlayerScore]:
    found = []
    for shard in range(index.shards):
        after: str | None = None
        while True:
            page = index.page(shard, after, limit)
            found += page.players
            if page.next_key is None:
                break
            after = page.next_key
    return found


def test_pages_of_every_shard_read_each_player_once_as_stored(index: IndexSubject) -> None:
    for player in PLAYERS:
        index.put(player)

    paged = _pages(index.index, 2)
    streamed = list(index.index.players())

    expected = sorted(PLAYERS, key=lambda p: p.user_id)
    assert sorted(paged, key=lambda p: p.user_id) == expected
    assert sorted(streamed, key=lambda p: p.user_id) == expected


def test_lookup_finds_only_the_players_in_the_index_now(index: IndexSubject) -> None:
    for player in PLAYERS:
        index.put(player)
    index.remove("bob")

    found = index.index.lookup(["ann", "bob", "nobody"])

    assert found == {"ann": PLAYERS[0]}
    assert "bob" not in {p.user_id for p in index.index.players()}


@pytest.mark.parametrize("limit", [1, 3, 5, 10])
def test_a_sample_is_up_to_limit_distinct_players_of_the_index(
    index: IndexSubject, limit: int
) -> None:
    assert index.index.sample(limit, random.Random(1)) == []
    for player in PLAYERS:
        index.put(player)

    for seed in range(3):
        sample = index.index.sample(limit, random.Random(seed))
        ids = [p.user_id for p in sample]
        assert len(ids) == len(set(ids)) == min(limit, len(PLAYERS))
        assert all(p in PLAYERS for p in sample)
