"""Scores of a set of players on a global board, for the friend board (issue #29): one round
trip of three commands whatever the board's size (``EXISTS`` of the board's generation marker,
``ZMSCORE`` of the ids, ``HMGET`` of their names), so ranking ≤ 1,001 friends on a board of
millions costs O(friends), with no board kept per user."""

from __future__ import annotations

from collections.abc import Sequence

import redis

from gamification.adapters.board_schema import (
    NAMES_KEY,
    BoardIncompleteError,
    LeaderboardUnavailableError,
    board_key,
    marker_key,
    text,
)
from gamification.domain.friend_boards import Scored


class FriendScores:
    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def scores(self, board: str, user_ids: Sequence[str]) -> list[Scored]:
        """The members among ``user_ids`` with their scores and names. Raises
        ``BoardIncompleteError`` while the board is not known complete (the global board's
        rule: never serve a partial board as fresh) and ``LeaderboardUnavailableError`` when
        Redis cannot be read."""
        if not user_ids:
            return []
        ids = list(dict.fromkeys(user_ids))
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.exists(marker_key(board))
            pipe.zmscore(board_key(board), ids)
            pipe.hmget(NAMES_KEY, ids)
            complete, scores, names = pipe.execute()
        except redis.RedisError as error:
            raise LeaderboardUnavailableError(str(error)) from error
        if not complete:
            raise BoardIncompleteError(board)
        return [
            Scored(user_id, int(float(score)), None if name is None else text(name))
            for user_id, score, name in zip(ids, scores, names, strict=True)
            if score is not None
        ]
