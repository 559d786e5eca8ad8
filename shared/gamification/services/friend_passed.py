""" "NAME passed you on the weekly board" (issue #29), computed from the overtaker's side.

Run by the leaderboard projector on each batch of profile images, **before** it publishes them:
for each player whose image holds XP in the current week, one read of the week's board for the
player and everyone they follow (``ZMSCORE``: the player's score there is their *old* one, the
image's is the new one), ``domain.friend_passed`` finds whom they passed, one ``BatchGetItem``
checks which of those follow them back, and each notice commits with its guard (one per friend
per recipient's local day). The work is bounded by the overtaker's following (≤ 1,000), never by
their followers, so a celebrity's activity costs their own following's lookups only.

Exactly once: publishing comes after the notices, so a retried batch reads the same old score
and plans the same notices (their guards make the second commit a no-op); once published, a
replayed image reads its own score as the old one and passes nobody. A week's board that is not
known complete (flushed, rebuilding) or Redis being down tells nobody: a lost notice is better
than a false one, and the projection's own retry handles the outage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aws_lambda_powertools import Logger

from gamification.domain.boards import PlayerScore, encode_score, weekly
from gamification.domain.friend_boards import Scored
from gamification.domain.friend_passed import passed, plan_passed_notices
from gamification.domain.friend_streak_notices import FriendNotice
from gamification.domain.periods import iso_week
from gamification.domain.profile_records import StoredUser
from gamification.domain.reminders import ReminderOutcome

logger = Logger(child=True)

# -- ports (adapters: FollowGraph, FriendScores, UserRepository, FriendNoticeLedger) ----------


class Following(Protocol):
    def followed_ids(self, owner: str) -> list[str]:
        """Everyone ``owner`` follows (≤ ``MAX_FOLLOWING``)."""
        ...

    def followed_by_many(self, owner: str, others: Sequence[str]) -> set[str]:
        """Which of ``others`` follow ``owner``."""
        ...


class BoardScores(Protocol):
    def scores(self, board: str, user_ids: Sequence[str]) -> list[Scored]:
        """The members among ``user_ids`` with their scores; raises while the board is not
        known complete or Redis is down."""
        ...


class Profiles(Protocol):
    def load_many(
        self, user_ids: Sequence[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...


class NoticeLedger(Protocol):
    def already_sent(self, notices: Sequence[FriendNotice]) -> list[bool]: ...

    def record(self, notice: FriendNotice, version: int | None) -> ReminderOutcome: ...


@dataclass
class PassedReport:
    overtakers: int = 0
    """Players whose weekly score rose and who follow someone."""
    sent: int = 0
    already_sent: int = 0
    skipped_boards: int = 0
    """Overtakers not looked at: the week's board was not readable as complete."""


class FriendPassedNotices:
    def __init__(
        self, graph: Following, scores: BoardScores, users: Profiles, ledger: NoticeLedger
    ) -> None:
        self._graph = graph
        self._scores = scores
        self._users = users
        self._ledger = ledger

    def run(self, players: Sequence[PlayerScore], now: datetime) -> PassedReport:
        """Tell each player's mutual friends they were passed, for the players of one batch
        (about to be published). Raises on a storage failure (the batch is retried)."""
        report = PassedReport()
        week = iso_week(now)
        board = weekly(week)
        for player in _best_per_user(players, board):
            xp = player.listed_xp(board)
            if xp is None:
                continue
            followed = self._graph.followed_ids(player.user_id)
            if not followed:
                continue
            report.overtakers += 1
            try:
                scored = self._scores.scores(board, [player.user_id, *followed])
            except Exception as error:  # incomplete board or Redis down: tell nobody
                logger.info("weekly board not readable", extra={"reason": repr(error)})
                report.skipped_boards += 1
                continue
            old = next((s.score for s in scored if s.user_id == player.user_id), None)
            ids = passed(player.user_id, old, encode_score(xp, player.xp_at), scored)
            if not ids:
                continue
            mutual = self._graph.followed_by_many(player.user_id, ids)
            friends = [u for u in ids if u in mutual]
            if not friends:
                continue
            loaded = self._users.load_many(friends)
            recipients = [loaded[u].state for u in friends if u in loaded and loaded[u].exists]
            notices = plan_passed_notices(player.user_id, player.display_name, recipients, now)
            seen = self._ledger.already_sent(notices)
            report.already_sent += sum(seen)
            for notice, done in zip(notices, seen, strict=True):
                if done:
                    continue
                if self._ledger.record(notice, None) is ReminderOutcome.RECORDED:
                    report.sent += 1
                else:
                    report.already_sent += 1
        return report


def _best_per_user(players: Sequence[PlayerScore], board: str) -> list[PlayerScore]:
    """Each user once, at their best image of the batch on ``board`` (a batch may hold several
    images of one user, not necessarily in order); unlisted players pass nobody."""
    best: dict[str, PlayerScore] = {}
    for player in players:
        if not player.listed:
            best.pop(player.user_id, None)
            continue
        held = best.get(player.user_id)
        if held is None or _score(player, board) < _score(held, board):
            best[player.user_id] = player
    return list(best.values())


def _score(player: PlayerScore, board: str) -> int:
    xp = player.listed_xp(board)
    return encode_score(xp, player.xp_at) if xp is not None else 0
