"""The leaderboard projection: profile writes on the table's stream raise the Redis scores.

The consumer commits to DynamoDB only; this is the one writer of live scores. Each profile image
carries the *absolute* XP, so projecting it is ``ZADD LT`` of the stored truth (scores are
negated, lower is better): a replayed, duplicated or late record can never lower or inflate a
player, and the boards end exactly at the truth whatever the delivery order. A batch is one
Redis round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from gamification.adapters.leaderboard import Leaderboard, PlayerScore
from gamification.adapters.player_directory import profile_score


class LeaderboardProjector:
    def __init__(self, leaderboard: Leaderboard, clock: Callable[[], datetime]) -> None:
        self._leaderboard = leaderboard
        self._clock = clock

    def project(self, images: Sequence[Mapping[str, Any]]) -> int:
        """Publish every profile among ``images``, in order. Scores only rise, so every image
        is written, not only each user's last one (a retried or reordered batch may put an older
        image last); the display name is the last image's, which the stream's per-item order
        makes the newest. Returns the number of profile images written."""
        players: list[PlayerScore] = [
            player for image in images if (player := profile_score(image)) is not None
        ]
        if players:
            self._leaderboard.publish(players, self._clock())
        return len(players)
