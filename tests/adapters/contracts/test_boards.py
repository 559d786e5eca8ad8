"""The leaderboard and snapshot ports: the fakes (tests/fakes/boards.py) and the real adapters
(Redis, DynamoDB on moto) pass the same tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import boto3
import pytest
import redis

from gamification.adapters.board_schema import leagues_marker
from gamification.adapters.leaderboard import Leaderboard
from gamification.adapters.snapshot_repository import SnapshotRepository
from gamification.domain.boards import (
    ALLTIME,
    Entry,
    LeaderboardUnavailableError,
    PlayerScore,
    Snapshot,
    league,
    league_week,
    weekly,
)
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.services.projector import ScoreBoard
from gamification.services.queries import Boards, Ranks, Snapshots
from tests.fakes.boards import FakeLeaderboard, FakeSnapshots

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
WEEK = iso_week(NOW)
COHORT = f"{WEEK}:0:0"

pytestmark = pytest.mark.time_machine(NOW)


class BoardPort(Boards, Ranks, ScoreBoard, Protocol):
    """Every board port the services declare."""


@dataclass
class Subject:
    boards: BoardPort
    complete: Callable[[str], None]
    """Mark a board complete (the real one: its generation marker, as a rebuild sets)."""
    break_it: Callable[[], BoardPort]
    """The same port with its store unreachable."""


@pytest.fixture(params=["fake", "redis"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "fake":
        fake = FakeLeaderboard(complete=False)

        def broken() -> FakeLeaderboard:
            fake.down = True
            return fake

        yield Subject(fake, fake.mark_complete, broken)
        return
    client: redis.Redis = request.getfixturevalue("redis_client")
    real = Leaderboard(client)

    def complete(board: str) -> None:
        marker = leagues_marker(league_week(board)) if board.startswith("league:") else board
        real.stamp(marker, "contract", None)

    def unreachable() -> Leaderboard:
        dead = redis.Redis(port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
        return Leaderboard(dead)

    yield Subject(real, complete, unreachable)


def _player(user_id: str, xp: int, *, at: int = 0, **fields: object) -> PlayerScore:
    return PlayerScore(
        user_id=user_id,
        xp=xp,
        xp_at=NOW - timedelta(hours=1) + timedelta(seconds=at),
        display_name=user_id.title(),
        weekly_xp={WEEK: xp},
        **fields,  # type: ignore[arg-type]
    )


def _ranked(subject: Subject) -> None:
    subject.boards.publish(
        [
            _player("ann", 300, at=5),
            _player("bob", 200, at=1),
            _player("cy", 200, at=2),  # tied with bob, reached it later
            _player("dee", 100),
            _player("eve", 0),  # no XP: on no board
        ],
        NOW,
    )
    for board in (ALLTIME, weekly(WEEK)):
        subject.complete(board)


def test_a_page_is_ranked_like_sql_rank_with_names(subject: Subject) -> None:
    _ranked(subject)

    page = subject.boards.page(ALLTIME, 0, 10)

    assert page.total == 4
    assert page.entries == [
        Entry(1, "ann", 300, "Ann"),
        Entry(2, "bob", 200, "Bob"),
        Entry(2, "cy", 200, "Cy"),
        Entry(4, "dee", 100, "Dee"),
    ]
    assert subject.boards.page(weekly(WEEK), 2, 5).entries == page.entries[2:]
    assert subject.boards.page(ALLTIME, 10, 5).entries == []


def test_around_a_player_and_their_rank(subject: Subject) -> None:
    _ranked(subject)

    around = subject.boards.around(ALLTIME, "cy", 1)

    assert [(e.rank, e.user_id) for e in around.entries] == [(2, "bob"), (2, "cy"), (4, "dee")]
    assert subject.boards.around(ALLTIME, "eve", 1).entries == []
    assert subject.boards.rank(ALLTIME, "cy") == 2
    assert subject.boards.rank(ALLTIME, "eve") is None
    assert subject.boards.rank_of_xp(ALLTIME, 250) == 2
    assert subject.boards.rank_of_xp(ALLTIME, 0) is None


def test_scores_only_rise_and_unlisted_players_leave_every_board(subject: Subject) -> None:
    _ranked(subject)

    subject.boards.publish([_player("ann", 50), _player("bob", 200, at=1, listed=False)], NOW)

    assert subject.boards.rank(ALLTIME, "ann") == 1  # a late, lower image lowers nothing
    assert subject.boards.rank(ALLTIME, "bob") is None
    assert subject.boards.rank(weekly(WEEK), "bob") is None


def test_a_cohort_board_holds_the_cohort_weeks_xp(subject: Subject) -> None:
    subject.boards.publish([_player("ann", 70, league=COHORT), _player("bob", 90)], NOW)
    subject.complete(league(COHORT))

    page = subject.boards.page(league(COHORT), 0, 30)

    assert [(e.user_id, e.xp) for e in page.entries] == [("ann", 70)]


def test_a_board_not_known_complete_is_unavailable(subject: Subject) -> None:
    subject.boards.publish([_player("ann", 300)], NOW)

    with pytest.raises(LeaderboardUnavailableError):
        subject.boards.page(ALLTIME, 0, 10)
    with pytest.raises(LeaderboardUnavailableError):
        subject.boards.rank(ALLTIME, "ann")


def test_an_unreachable_store_is_unavailable_for_reads_and_writes(subject: Subject) -> None:
    broken = subject.break_it()

    with pytest.raises(LeaderboardUnavailableError):
        broken.publish([_player("ann", 300)], NOW)
    with pytest.raises(LeaderboardUnavailableError):
        broken.around(ALLTIME, "ann", 2)
    with pytest.raises(LeaderboardUnavailableError):
        broken.rank_of_xp(ALLTIME, 10)


@pytest.fixture(params=["fake", "dynamodb"])
def snapshots(request: pytest.FixtureRequest) -> Snapshots | SnapshotRepository:
    if request.param == "fake":
        return FakeSnapshots()
    aws: Provisioned = request.getfixturevalue("aws")
    return SnapshotRepository(boto3.client("dynamodb"), aws.table_name)


def test_a_snapshot_reads_back_as_saved_and_a_missing_one_is_none(
    snapshots: FakeSnapshots | SnapshotRepository,
) -> None:
    taken = Snapshot(
        board=weekly(WEEK),
        taken_at=NOW,
        entries=[Entry(1, "ann", 300, "Ann"), Entry(2, "bob", 200, None)],
        total=7,
    )

    snapshots.save(taken)

    assert snapshots.load(weekly(WEEK)) == taken
    assert snapshots.load(ALLTIME) is None
