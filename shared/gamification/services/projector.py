"""The leaderboard projection: profile writes on the table's stream raise the Redis scores.

The consumer commits to DynamoDB only; this is the one writer of live scores. Each profile image
carries the *absolute* XP, so projecting it is ``ZADD LT`` of the stored truth (scores are
negated, lower is better): a replayed, duplicated or late record can never lower or inflate a
player, and the boards end exactly at the truth whatever the delivery order. A batch is one
Redis round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from gamification.domain.boards import PlayerScore

# -- ports (adapters: Leaderboard, player_directory.profile_score; fakes: tests/fakes) ---------


class ScoreBoard(Protocol):
    def publish(self, players: Iterable[PlayerScore], now: datetime) -> None:
        """Raise every board ``players`` are listed on to their scores (never lower one), and
        take unlisted players off every board."""
        ...


class BeforePublish(Protocol):
    def run(self, players: Sequence[PlayerScore], now: datetime) -> object:
        """What must see the boards before a batch raises them (``services.friend_passed``:
        the old weekly scores)."""
        ...


ScoreOfImage = Callable[[Mapping[str, Any]], PlayerScore | None]
"""What the boards hold for the profile in a stream record's new image (``None``: the image is
not a profile). The table's item layout is the adapter's (``player_directory.profile_score``)."""


class LeaderboardProjector:
    def __init__(
        self,
        leaderboard: ScoreBoard,
        clock: Callable[[], datetime],
        score_of: ScoreOfImage,
        before_publish: BeforePublish | None = None,
    ) -> None:
        self._leaderboard = leaderboard
        self._clock = clock
        self._score_of = score_of
        self._before_publish = before_publish

    def project(self, images: Sequence[Mapping[str, Any]]) -> int:
        """Publish every profile among ``images``, in order. Scores only rise, so every image
        is written, not only each user's last one (a retried or reordered batch may put an older
        image last); the display name is the last image's, which the stream's per-item order
        makes the newest. Returns the number of profile images written."""
        players = self.players(images)
        if players:
            now = self._clock()
            if self._before_publish is not None:  # "passed you": reads the old scores first
                self._before_publish.run(players, now)
            self._leaderboard.publish(players, now)
        return len(players)

    def players(self, images: Sequence[Mapping[str, Any]]) -> list[PlayerScore]:
        """The profiles among ``images``, in order (the team projection reads them too)."""
        return [player for image in images if (player := self._score_of(image)) is not None]
