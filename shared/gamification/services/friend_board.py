"""The friend board (issue #29): ``GET /v1/me/friends/leaderboard``.

The caller and everyone they follow (≤ 1,001 ids), ranked with the global board's order and
tie rule (``domain.friend_boards``). Normally one ``Query`` of the caller's follows and one Redis
round trip (``ZMSCORE`` against the existing global board). The global board's trust rules
apply: a board that is down or not known complete (its generation marker gone) is never read as
fresh; the friend board is then computed from the stored profiles (one ``BatchGetItem`` per 100
friends, the same membership rule as every board: ``PlayerScore.listed_xp``) and marked
``stale`` (the snapshot the global board falls back to holds only the top 100, which would
drop most friends).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from gamification.domain.boards import (
    ALLTIME,
    LeaderboardUnavailableError,
    encode_score,
    weekly,
)
from gamification.domain.friend_boards import Scored, friend_board
from gamification.domain.levels import level_from_xp
from gamification.domain.periods import Period, iso_week
from gamification.domain.profile_records import StoredUser
from gamification.services.applier import player_score
from gamification.services.friend_models import FriendBoardOut, FriendEntryOut

# -- ports (adapters: follow_graph.FollowGraph, friend_scores.FriendScores, UserRepository;
# fakes: tests/fakes/follows.py, tests/fakes/boards.py, tests/fakes/profiles.py) ---------------


class Followed(Protocol):
    def followed_ids(self, owner: str) -> list[str]:
        """Everyone ``owner`` follows (≤ ``MAX_FOLLOWING``)."""
        ...


class MemberScores(Protocol):
    def scores(self, board: str, user_ids: Sequence[str]) -> list[Scored]:
        """The members of ``board`` among ``user_ids``; ``LeaderboardUnavailableError`` while
        the board cannot be trusted (down, or not known complete)."""
        ...


class Profiles(Protocol):
    def load_many(
        self, user_ids: Sequence[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...


class FriendBoardQueries:
    def __init__(
        self,
        graph: Followed,
        scores: MemberScores,
        users: Profiles,
        clock: Callable[[], datetime],
    ) -> None:
        self._graph = graph
        self._scores = scores
        self._users = users
        self._clock = clock

    def board(self, me: str, period: Period) -> FriendBoardOut:
        week = iso_week(self._clock()) if period is Period.WEEKLY else None
        board = weekly(week) if week is not None else ALLTIME
        ids = list(dict.fromkeys([me, *self._graph.followed_ids(me)]))
        try:
            scored, stale = self._scores.scores(board, ids), False
        except LeaderboardUnavailableError:
            scored, stale = self._from_profiles(board, ids), True
        return FriendBoardOut(
            period=period,
            week=week,
            entries=[
                FriendEntryOut(
                    rank=e.rank,
                    user_id=e.user_id,
                    display_name=e.display_name,
                    xp=e.xp,
                    level=level_from_xp(e.xp),
                    me=e.user_id == me,
                )
                for e in friend_board(scored)
            ],
            total=len(scored),
            stale=stale,
        )

    def _from_profiles(self, board: str, ids: list[str]) -> list[Scored]:
        """The truth: what each profile would put on the board (its listing rule)."""
        found = self._users.load_many(ids)
        scored = []
        for user_id in ids:
            stored = found.get(user_id)
            if stored is None or not stored.exists:
                continue
            player = player_score(stored)
            xp = player.listed_xp(board)
            if xp is not None:
                scored.append(Scored(user_id, encode_score(xp, player.xp_at), player.display_name))
        return scored
