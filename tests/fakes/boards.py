"""In-memory leaderboards and snapshots: the ports of ``services.queries``,
``services.league_queries`` and ``services.projector`` (real: ``adapters.leaderboard`` on Redis,
``adapters.snapshot_repository`` on DynamoDB; the contract:
tests/adapters/contracts/test_boards.py holds them equal).

A board is readable only once marked complete (the real one's generation marker, set by a rebuild);
``down`` makes every call fail as an unreachable Redis does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from gamification.adapters.board_schema import board_expiry  # when a board expires (pure)
from gamification.domain.boards import (
    ALLTIME,
    SCALE,
    Entry,
    LeaderboardUnavailableError,
    Page,
    PlayerScore,
    Snapshot,
    encode_score,
    weekly,
)
from gamification.domain.friend_boards import Scored
from gamification.domain.ranking import competition_ranks


class FakeLeaderboard:
    def __init__(self, *, complete: bool = True) -> None:
        self.boards: dict[str, dict[str, int]] = {}
        """Board -> member -> encoded score (``encode_score``: lower is better)."""
        self.names: dict[str, str] = {}
        self.complete_boards: set[str] = set()
        self.all_complete = complete
        """Every board counts as complete (a service test's usual cache); else only those
        marked with ``mark_complete``."""
        self.down = False

    # -- test controls --------------------------------------------------------------------------

    def mark_complete(self, *boards: str) -> None:
        self.complete_boards.update(boards)

    # -- writes --------------------------------------------------------------------------------

    def publish(self, players: Iterable[PlayerScore], now: datetime) -> None:
        self._reachable()
        for player in players:
            if not player.listed:
                for held in self.boards.values():
                    held.pop(player.user_id, None)
                self.names.pop(player.user_id, None)
                continue
            boards = [ALLTIME, *(weekly(w) for w in player.weekly_xp)]
            if player.league_board is not None:
                boards.append(player.league_board)
            for board in boards:
                xp = player.listed_xp(board)
                expires = board_expiry(board)
                if xp is None or (expires is not None and expires <= now):
                    continue
                score = encode_score(xp, player.xp_at)
                held = self.boards.setdefault(board, {})
                held[player.user_id] = min(score, held.get(player.user_id, score))  # ZADD LT
            if player.display_name:
                self.names[player.user_id] = player.display_name
            else:
                self.names.pop(player.user_id, None)

    # -- reads ---------------------------------------------------------------------------------

    def page(self, board: str, offset: int, limit: int) -> Page:
        return self._slice(board, offset, offset + limit - 1)

    def around(self, board: str, user_id: str, radius: int) -> Page:
        ordered = self._ordered(board)
        position = next((i for i, (u, _) in enumerate(ordered) if u == user_id), None)
        if position is None:
            return Page(entries=[], total=len(ordered))
        return self._slice(board, max(0, position - radius), position + radius)

    def rank(self, board: str, user_id: str) -> int | None:
        ordered = self._ordered(board)
        held = dict(ordered)
        if user_id not in held:
            return None
        return sum(1 for _, xp in ordered if xp > held[user_id]) + 1

    def rank_of_xp(self, board: str, xp: int) -> int | None:
        if xp <= 0:
            return None
        return sum(1 for _, held in self._ordered(board) if held > xp) + 1

    def _slice(self, board: str, start: int, stop: int) -> Page:
        ordered = self._ordered(board)
        rows = ordered[start : stop + 1] if stop >= start else []
        if not rows:
            return Page(entries=[], total=len(ordered))
        higher = sum(1 for _, xp in ordered if xp > rows[0][1])
        ranks = competition_ranks([xp for _, xp in rows], start, higher)
        entries = [
            Entry(rank=r, user_id=u, xp=xp, display_name=self.names.get(u))
            for r, (u, xp) in zip(ranks, rows, strict=True)
        ]
        return Page(entries=entries, total=len(ordered))

    def _ordered(self, board: str) -> list[tuple[str, int]]:
        """(member, XP) in the board's order; unavailable unless reachable and complete."""
        self._reachable()
        if not (self.all_complete or board in self.complete_boards):
            raise LeaderboardUnavailableError(f"{board} is not complete")
        held = self.boards.get(board, {})
        return [(u, -s // SCALE) for u, s in sorted(held.items(), key=lambda i: (i[1], i[0]))]

    def _reachable(self) -> None:
        if self.down:
            raise LeaderboardUnavailableError("the fake leaderboard is down")


class FakeSnapshots:
    def __init__(self) -> None:
        self.saved: dict[str, Snapshot] = {}

    def save(self, snapshot: Snapshot) -> None:
        self.saved[snapshot.board] = snapshot

    def load(self, board: str) -> Snapshot | None:
        return self.saved.get(board)


class FakeFriendScores:
    """``services.friend_board.MemberScores`` over a ``FakeLeaderboard`` (real:
    ``adapters.friend_scores.FriendScores``; contract: tests/adapters/contracts/
    test_friend_scores.py)."""

    def __init__(self, board: FakeLeaderboard) -> None:
        self.board = board

    def scores(self, board: str, user_ids: Sequence[str]) -> list[Scored]:
        self.board._ordered(board)  # reachable and complete, or the same errors
        held = self.board.boards.get(board, {})
        return [
            Scored(u, held[u], self.board.names.get(u))
            for u in dict.fromkeys(user_ids)
            if u in held
        ]
