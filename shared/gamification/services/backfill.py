"""Badge backfill: award a new or changed badge to every player who already qualifies.

The walk goes over the player index shard by shard, a page at a time. Each user is awarded
through the same transition the consumer runs (no activities: it awards every badge the stored
state now meets, with its notifications), committed under the profile's version guard, so a
user is awarded at most once however often the walk runs or overlaps with live traffic. After
every page the position and counts are checkpointed: a re-invocation resumes there, and a page
interrupted half-way is simply walked again (users already holding the badge are skipped).

The leaderboard is optional: on AWS the backfill runs outside the VPC without Redis, and the
scores it changed (only when ``badge_earned`` earns XP) are raised by the next reconciliation.

Removing a definition never removes a badge anyone earned (see docs/jobs.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from gamification.adapters.backfill_checkpoints import BackfillCheckpoints, Checkpoint
from gamification.adapters.board_schema import LeaderboardUnavailableError
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.user_repository import (
    StoredUser,
    UserChange,
    UserRepository,
    VersionConflictError,
)
from gamification.domain.badges import BadgeDefinition
from gamification.domain.ruleset import Ruleset

if TYPE_CHECKING:
    from gamification.adapters.leaderboard import Leaderboard
from gamification.domain.transition import apply_activities
from gamification.services.applier import player_score

logger = Logger(child=True)


class Outcome(StrEnum):
    AWARDED = "awarded"
    ALREADY_HAD = "already_had"
    NOT_QUALIFIED = "not_qualified"


class Status(StrEnum):
    DONE = "done"
    PAUSED = "paused"
    """Out of budget: invoke again to resume from the checkpoint."""
    SUPERSEDED = "superseded"
    """A newer run (changed definition) or a faster concurrent run owns the walk."""
    NO_DEFINITION = "no_definition"


def criteria_fingerprint(badge: BadgeDefinition) -> str:
    """Who qualifies depends on the criteria only: renaming a badge does not restart a walk."""
    return hashlib.sha256(badge.criteria.model_dump_json().encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    badge_id: str
    status: Status
    checkpoint: Checkpoint | None = None
    awarded_this_run: int = 0

    @property
    def finished(self) -> bool:
        return self.status is not Status.PAUSED

    def summary(self) -> dict[str, Any]:
        counts: dict[str, Any] = {}
        if self.checkpoint is not None:
            counts = asdict(self.checkpoint)
            counts["started_at"] = self.checkpoint.started_at.isoformat()
            counts["updated_at"] = self.checkpoint.updated_at.isoformat()
        return {
            **counts,
            "badge_id": self.badge_id,
            "status": self.status.value,
            "awarded_this_run": self.awarded_this_run,
        }


class BadgeBackfill:
    def __init__(
        self,
        directory: PlayerDirectory,
        users: UserRepository,
        leaderboard: Leaderboard | None,
        checkpoints: BackfillCheckpoints,
        *,
        rules: Callable[[], Ruleset],
        page_size: int = 100,
        max_attempts: int = 5,
    ) -> None:
        self._directory = directory
        self._users = users
        self._leaderboard = leaderboard
        self._checkpoints = checkpoints
        self._rules = rules
        self._page_size = page_size
        self._max_attempts = max_attempts

    def run(
        self,
        badge_id: str,
        now: datetime,
        should_stop: Callable[[], bool] = lambda: False,
        max_pages: int | None = None,
    ) -> BackfillProgress:
        """Walk (or resume walking) the players; stops early when ``should_stop()`` says so or
        after ``max_pages`` pages, always after at least one page so every run makes progress."""
        rules = self._rules()
        badge = rules.badges.get(badge_id)
        if badge is None:
            return BackfillProgress(badge_id, Status.NO_DEFINITION)
        fingerprint = criteria_fingerprint(badge)
        checkpoint = self._checkpoints.load(badge_id)
        if checkpoint is None or checkpoint.fingerprint != fingerprint or checkpoint.done:
            checkpoint = Checkpoint(badge_id, fingerprint, started_at=now, updated_at=now)
            self._checkpoints.start(checkpoint)
        pages = awarded = 0
        while not checkpoint.done:
            if pages and (should_stop() or (max_pages is not None and pages >= max_pages)):
                return BackfillProgress(badge_id, Status.PAUSED, checkpoint, awarded)
            page = self._directory.page(checkpoint.shard, checkpoint.position, self._page_size)
            counts = self._award_page([p.user_id for p in page.players], badge_id, rules, now)
            shard = checkpoint.shard if page.next_key else checkpoint.shard + 1
            advanced = checkpoint.advanced(
                shard,
                page.next_key,
                now,
                scanned=len(page.players),
                **{outcome.value: n for outcome, n in counts.items()},
            )
            awarded += counts[Outcome.AWARDED]
            if not self._checkpoints.save(advanced):
                return BackfillProgress(badge_id, Status.SUPERSEDED, checkpoint, awarded)
            checkpoint = advanced
            pages += 1
        return BackfillProgress(badge_id, Status.DONE, checkpoint, awarded)

    def _award_page(
        self, user_ids: Sequence[str], badge_id: str, rules: Ruleset, now: datetime
    ) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        changed: list[StoredUser] = []
        for stored in self._users.load_many(user_ids).values():
            outcome, committed = self._award(stored, badge_id, rules, now)
            counts[outcome] += 1
            if committed is not None and committed.state.xp != stored.state.xp:
                changed.append(committed)
        if changed:
            self._raise_scores(changed, now)
        return counts

    def _raise_scores(self, changed: Sequence[StoredUser], now: datetime) -> None:
        """Best effort: the next reconciliation raises whatever is not raised here."""
        if self._leaderboard is None:
            logger.info("no leaderboard here; reconciliation will raise %d scores", len(changed))
            return
        try:
            self._leaderboard.publish([player_score(s) for s in changed], now)
        except LeaderboardUnavailableError:
            logger.warning("leaderboard unavailable; reconciliation will raise the scores")

    def _award(
        self, stored: StoredUser, badge_id: str, rules: Ruleset, now: datetime
    ) -> tuple[Outcome, StoredUser | None]:
        """Commit every badge ``stored`` now meets (with notifications); retry on conflicts."""
        for _ in range(self._max_attempts):
            if badge_id in stored.state.badges:
                return Outcome.ALREADY_HAD, None
            transition = apply_activities(stored.state, [], rules, now)
            earned = transition.effects.badges_earned
            if not earned:
                return Outcome.NOT_QUALIFIED, None
            change = UserChange(
                before=stored,
                state=transition.state,
                now=now,
                notifications=transition.effects.notifications,
            )
            try:
                version = self._users.commit(change)
            except VersionConflictError:
                stored = self._users.load(stored.state.user_id)
                continue
            committed = StoredUser(transition.state, version, change.xp_at, marks=stored.marks)
            outcome = Outcome.AWARDED if badge_id in earned else Outcome.NOT_QUALIFIED
            return outcome, committed
        raise VersionConflictError(f"user {stored.state.user_id} kept changing")
