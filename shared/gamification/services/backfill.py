"""Badge backfill: award a new or changed badge to every player who already qualifies.

The walk goes over the player index shard by shard, a page at a time. Each user is awarded
through the same transition the consumer runs (no activities: it awards every badge the stored
state now meets, with its notifications), committed under the profile's version guard, so a
user is awarded at most once however often the walk runs or overlaps with live traffic, and its
domain events (``badge.earned``...) commit in the same profile write (the outbox). After
every page the position and counts are checkpointed: a re-invocation resumes there, and a page
interrupted half-way is simply walked again (users already holding the badge are skipped).

The leaderboard is optional: on AWS the backfill runs outside the VPC without Redis, and the
scores it changed (only when ``badge_earned`` earns XP) are raised by the next reconciliation.

Removing a definition never removes a badge anyone earned (see docs/jobs.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from aws_lambda_powertools import Logger

from gamification.domain.badges import BadgeDefinition, is_announcement_of
from gamification.domain.checkpoints import Checkpoint, tally
from gamification.domain.domain_events import derive
from gamification.domain.experiments import experience
from gamification.domain.game_rules import GameRules
from gamification.domain.notifications import Notification
from gamification.domain.transition import apply_activities
from gamification.domain.wallet import WalletWrite
from gamification.services.applier import player_score
from gamification.services.job_ports import (
    LeaderboardUnavailableError,
    PlayerPages,
    PlayerScore,
    StoredUser,
    UserChange,
    UserProfiles,
    VersionConflictError,
)
from gamification.services.jobs import REPORTED, Budget, JobProgress, Status, never, run_units

__all__ = ["BackfillProgress", "BadgeBackfill", "Status", "criteria_fingerprint"]

logger = Logger(child=True)


class BackfillCheckpoints(Protocol):
    """Where a backfill's walk stands, per badge (``adapters.backfill_checkpoints``)."""

    def load(self, badge_id: str) -> Checkpoint | None: ...

    def start(self, checkpoint: Checkpoint) -> None:
        """Begin a walk, replacing any earlier one (an older definition's run then stops)."""
        ...

    def save(self, checkpoint: Checkpoint) -> bool:
        """Record progress; ``False`` when another run superseded or overtook this one."""
        ...


class ScorePublisher(Protocol):
    """The leaderboards, raised for the players whose XP the backfill changed."""

    def publish(self, scores: Sequence[PlayerScore], now: datetime) -> object: ...


class Outcome(StrEnum):
    AWARDED = "awarded"
    ALREADY_HAD = "already_had"
    NOT_QUALIFIED = "not_qualified"


def criteria_fingerprint(badge: BadgeDefinition) -> str:
    """Who qualifies depends on the criteria only: renaming a badge does not restart a walk."""
    return hashlib.sha256(badge.criteria.model_dump_json().encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True, kw_only=True)
class BackfillProgress(JobProgress):
    badge_id: str
    checkpoint: Checkpoint | None = field(default=None, metadata=REPORTED)
    awarded_this_run: int = 0


class _Walk:
    """One run of the walk: a page of players is its unit of work."""

    def __init__(self, job: BadgeBackfill, checkpoint: Checkpoint, rules: GameRules, now: datetime):
        self.job, self.checkpoint, self.rules, self.now = job, checkpoint, rules, now
        self.awarded = 0
        self.superseded = False

    def finished(self) -> bool:
        return self.checkpoint.done or self.superseded

    def unit(self) -> bool:
        job, checkpoint = self.job, self.checkpoint
        page = job._directory.page(checkpoint.shard, checkpoint.position, job._page_size)
        counts = job._award_page([p.user_id for p in page.players], checkpoint.badge_id, self)
        shard = checkpoint.shard if page.next_key else checkpoint.shard + 1
        advanced = tally(
            checkpoint,
            {"pages": 1, "scanned": len(page.players), **counts},
            shard=shard,
            position=page.next_key,
            updated_at=self.now,
            done=shard >= job._directory.shards,
        )
        self.awarded += counts[Outcome.AWARDED.value]
        if job._checkpoints.save(advanced):
            self.checkpoint = advanced
        else:
            self.superseded = True
        return True


class BadgeBackfill:
    def __init__(
        self,
        directory: PlayerPages,
        users: UserProfiles,
        leaderboard: ScorePublisher | None,
        checkpoints: BackfillCheckpoints,
        *,
        rules: Callable[[], GameRules],
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
        should_stop: Callable[[], bool] = never,
        max_pages: int | None = None,
    ) -> BackfillProgress:
        """Walk (or resume walking) the players; stops early when ``should_stop()`` says so or
        after ``max_pages`` pages, always after at least one page so every run makes progress."""
        rules = self._rules()
        badge = rules.badges.get(badge_id)
        if badge is None:
            return BackfillProgress(status=Status.NO_DEFINITION, badge_id=badge_id)
        fingerprint = criteria_fingerprint(badge)
        checkpoint = self._checkpoints.load(badge_id)
        if checkpoint is None or checkpoint.fingerprint != fingerprint or checkpoint.done:
            checkpoint = Checkpoint(badge_id, fingerprint, started_at=now, updated_at=now)
            self._checkpoints.start(checkpoint)
        walk = _Walk(self, checkpoint, rules, now)
        status = run_units(walk, Budget(should_stop, max_pages))
        return BackfillProgress(
            status=Status.SUPERSEDED if walk.superseded else status,
            badge_id=badge_id,
            checkpoint=walk.checkpoint,
            awarded_this_run=walk.awarded,
        )

    def _award_page(self, user_ids: Sequence[str], badge_id: str, walk: _Walk) -> Mapping[str, int]:
        counts = dict.fromkeys(Outcome, 0)
        changed: list[StoredUser] = []
        for stored in self._users.load_many(user_ids).values():
            outcome, committed = self._award(stored, badge_id, walk.rules, walk.now)
            counts[outcome] += 1
            if committed is not None and committed.state.xp != stored.state.xp:
                changed.append(committed)
        if changed:
            self._raise_scores(changed, walk.now)
        return {outcome.value: n for outcome, n in counts.items()}

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
        self, stored: StoredUser, badge_id: str, rules: GameRules, now: datetime
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
                # The control group plays invisibly: the badge, but no notification (experiments).
                notifications=()
                if experience(stored.state.experiment) == "control"
                else _announced(transition.effects.notifications, rules, badge_id),
                # badge.earned (and its xp.awarded, level.changed) in the profile's outbox, with
                # the ids the consumer would derive for the same badge: once per user and badge.
                events=derive(stored.state, transition.state, transition.effects, rules, now),
                wallet=WalletWrite(tuple(transition.effects.ledger)),
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


def _announced(
    notifications: Sequence[Notification], rules: GameRules, badge_id: str
) -> list[Notification]:
    """The commit's notifications, without this badge's when it goes live silently."""
    badge = rules.badges.get(badge_id)
    if badge is None or badge.notify_backfill:
        return list(notifications)
    return [n for n in notifications if not is_announcement_of(n.id, badge_id)]
