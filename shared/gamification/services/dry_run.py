"""Dry runs of a badge or quest before it goes live (``POST /v1/admin/badges/{id}/dry-run``,
``POST /v1/admin/quests/{id}/dry-run``).

Walks the player index a page at a time, as the backfill does, and evaluates the unsaved
definition on each stored profile in report mode: no write to any user, no notification. A call
reads at most ``max_users`` profiles and answers where to go on, so no request's cost grows
with the number of players: per 100 players one keys-only index page and one eventually
consistent ``BatchGetItem`` (≈ 0.5 read units a profile under 4 KB), ≈ 500 read units per
1,000 players. The caller adds the pages' reports up (``DryRunReport.merge``).

Only players in the index (those with XP) are walked: a user without XP meets no counting
criterion a badge can name.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from gamification.domain.badges import BadgeDefinition
from gamification.domain.dry_run import (
    DryRunReport,
    QuestDryRunReport,
    counts_carry_over,
    unknowable,
)
from gamification.domain.game_rules import GameRules
from gamification.domain.quests import QuestDefinition
from gamification.domain.state import UserState
from gamification.services.job_ports import PlayerPages, StoredUser


class ProfileReader(Protocol):
    """What a dry run reads: profiles, eventually consistent, never written."""

    def load_many(
        self, user_ids: Iterable[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...


MAX_USERS = 1_000
"""Profiles one call reads at most."""
PAGE = 100


class InvalidPositionError(ValueError):
    """A cursor this API did not issue (a 400 naming ``query.cursor``)."""


@dataclass(frozen=True, slots=True)
class Position:
    """Where a walk goes on: a shard of the player index and the key after which to read."""

    shard: int = 0
    after: str | None = None

    def token(self) -> str:
        """The position as the API's opaque cursor (base64url JSON)."""
        raw = json.dumps([self.shard, self.after], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def of_token(cls, token: str) -> Position:
        """A cursor back as a position; the index reader checks ``after`` against the shard."""
        try:
            shard, after = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (binascii.Error, ValueError, TypeError) as error:
            raise InvalidPositionError("cursor is not one this API issued") from error
        if type(shard) is not int or not 0 <= shard < 10_000 or not isinstance(after, str | None):
            raise InvalidPositionError("cursor is not one this API issued")
        return cls(shard, after)


@dataclass(frozen=True, slots=True)
class DryRun:
    report: DryRunReport
    next: Position | None
    """``None`` once every shard was read."""
    not_yet_counted: list[str]
    """Tallies the definition reads that no live badge keeps: everyone is at 0 on them until
    it goes live (past activities cannot be recounted)."""


class _ProfileWalk:
    """What a dry run reads: the player index's pages, the profiles, the live rules."""

    def __init__(
        self, directory: PlayerPages, users: ProfileReader, rules: Callable[[], GameRules]
    ) -> None:
        self._directory = directory
        self._users = users
        self._rules = rules


class BadgeDryRun(_ProfileWalk):
    def run(
        self, badge: BadgeDefinition, start: Position | None = None, max_users: int = MAX_USERS
    ) -> DryRun:
        report = DryRunReport(badge=badge)

        def visit(user_id: str, state: UserState) -> None:
            report.add(user_id, state.stats(), state.badges, state.settings.push_enabled)

        position = walk(self._directory, self._users, start, max_users, visit)
        return DryRun(report, position, unknowable(badge, self._rules().badges.tallies))


@dataclass(frozen=True, slots=True)
class QuestDryRunResult:
    report: QuestDryRunReport
    next: Position | None


class QuestDryRun(_ProfileWalk):
    """The same walk for a quest: stored progress, when it counts what the tried quest would
    count (same criterion and window as the live quest of that id), else 0 for everyone."""

    def run(
        self, quest: QuestDefinition, start: Position | None = None, max_users: int = MAX_USERS
    ) -> QuestDryRunResult:
        quests = self._rules().quests
        live = quests.get(quest.id) if quests is not None else None
        report = QuestDryRunReport(quest=quest, carried=counts_carry_over(quest, live))

        def visit(user_id: str, state: UserState) -> None:
            report.add(user_id, state.quests.get(quest.id), state.settings.push_enabled)

        position = walk(self._directory, self._users, start, max_users, visit)
        return QuestDryRunResult(report, position)


def walk(
    directory: PlayerPages,
    users: ProfileReader,
    start: Position | None,
    max_users: int,
    visit: Callable[[str, UserState], None],
) -> Position | None:
    """Visit up to ``max_users`` stored profiles from ``start``; where to go on (``None``:
    every shard was read). Reads only: eventually consistent pages of ≤ ``PAGE`` profiles."""
    position: Position | None = start or Position()
    read = 0
    while position is not None and read < max_users:
        if position.shard >= directory.shards:
            return None
        page = directory.page(position.shard, position.after, min(PAGE, max_users - read))
        ids = [p.user_id for p in page.players]
        for user_id, stored in sorted(users.load_many(ids).items()):
            visit(user_id, stored.state)
        read += len(ids)
        position = (
            Position(position.shard, page.next_key)
            if page.next_key
            else Position(position.shard + 1)
        )
    if position is not None and position.shard >= directory.shards:
        return None
    return position
