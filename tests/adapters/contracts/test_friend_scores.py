"""The friend board's ``MemberScores`` port: the fake (tests/fakes/boards.py) and
``FriendScores`` on a real redis-server pass the same tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import redis

from gamification.adapters.friend_scores import FriendScores
from gamification.adapters.leaderboard import Leaderboard
from gamification.domain.boards import (
    ALLTIME,
    LeaderboardUnavailableError,
    PlayerScore,
    encode_score,
)
from gamification.domain.friend_boards import Scored
from tests.fakes.boards import FakeFriendScores, FakeLeaderboard

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
AT = NOW - timedelta(hours=1)

pytestmark = pytest.mark.time_machine(NOW)


@dataclass
class Subject:
    scores: FakeFriendScores | FriendScores
    publish: Callable[[list[PlayerScore]], None]
    complete: Callable[[], None]
    broken: Callable[[], FakeFriendScores | FriendScores]


@pytest.fixture(params=["fake", "redis"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "fake":
        fake = FakeLeaderboard(complete=False)

        def broken() -> FakeFriendScores:
            fake.down = True
            return FakeFriendScores(fake)

        yield Subject(
            FakeFriendScores(fake),
            lambda players: fake.publish(players, NOW),
            lambda: fake.mark_complete(ALLTIME),
            broken,
        )
        return
    client: redis.Redis = request.getfixturevalue("redis_client")
    board = Leaderboard(client)
    dead = redis.Redis(port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    yield Subject(
        FriendScores(client),
        lambda players: board.publish(players, NOW),
        lambda: board.stamp(ALLTIME, "contract", None),
        lambda: FriendScores(dead),
    )


def _player(user_id: str, xp: int, name: str | None = None) -> PlayerScore:
    return PlayerScore(user_id=user_id, xp=xp, xp_at=AT, display_name=name)


def test_scores_and_names_of_the_members_only(subject: Subject) -> None:
    subject.publish([_player("ann", 300, "Ann"), _player("bob", 200), _player("eve", 0)])
    subject.complete()

    found = subject.scores.scores(ALLTIME, ["bob", "ann", "eve", "nobody", "ann"])

    assert sorted(found, key=lambda s: s.user_id) == [
        Scored("ann", encode_score(300, AT), "Ann"),
        Scored("bob", encode_score(200, AT), None),
    ]


def test_an_incomplete_or_unreachable_board_is_not_read(subject: Subject) -> None:
    subject.publish([_player("ann", 300)])
    with pytest.raises(LeaderboardUnavailableError):
        subject.scores.scores(ALLTIME, ["ann"])
    subject.complete()
    assert len(subject.scores.scores(ALLTIME, ["ann"])) == 1
    with pytest.raises(LeaderboardUnavailableError):
        subject.broken().scores(ALLTIME, ["ann"])
