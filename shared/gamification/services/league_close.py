"""Closing a league week: every cohort's members move up, down or nowhere.

The job walks the week's cohorts (found from the seat counters, one BatchGetItem) in a fixed
order, split into ``shards`` interleaved slices that run in parallel. Per cohort it reads the
member list (one Query) and the members' profiles (one consistent BatchGetItem), ranks them by
the week's XP (``domain.leagues``), and commits each member's result with its notification in
one version-guarded transaction. A member whose profile already holds the week's result is
skipped, so a re-run, an overlapping run or Lambda's retry changes nothing; a checkpoint per
shard (after every cohort) lets a run that stops near its timeout resume where it was.

A member who already earned XP in the new week could not join it while the result was pending
(``domain.leagues.may_join``): the same transaction seats them in a cohort of their new tier.

``close_shards`` sizes the fan-out from the week's cohort count, so a million-player week
closes within the hour at the default settings while a small one stays one invocation.

``plan_seats`` sizes the seat shards of next week (two after the closed one) from the closed
week's joins per tier (``LeagueRepository.plan_week``): a plan must be fixed before its week's
first join, and the week that just started already has seats taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from gamification.adapters.league_repository import (
    CloseCheckpoint,
    CloseCheckpoints,
    LeagueRepository,
    Membership,
)
from gamification.adapters.user_repository import (
    StoredUser,
    UserChange,
    UserRepository,
    VersionConflictError,
)
from gamification.domain import leagues, notifications
from gamification.domain.leagues import Movement, Outcome, Standing
from gamification.domain.periods import iso_week, week_bounds
from gamification.domain.ruleset import Ruleset

COHORTS_PER_CLOSE_SHARD = 2_000
"""Cohorts one close shard takes: ≈ 16 minutes at the ≈ 0.48 s a cohort of 30 that
``benchmarks/scale.py`` measures (a query, a batch read, 30 transactions, a checkpoint)."""
MAX_CLOSE_SHARDS = 256
"""Parallel close invocations at most (10 M players seated: ≈ 333,000 cohorts, 167 needed)."""


def close_shards_for(cohorts: int, floor: int = 1, per_shard: int = COHORTS_PER_CLOSE_SHARD) -> int:
    """Shards to close ``cohorts`` cohorts with: a power of two, so the count (part of every
    checkpoint's key) stays put while a few late seats trickle into a closed week."""
    needed = max(1, -(-cohorts // per_shard))
    return min(MAX_CLOSE_SHARDS, max(floor, 1 << (needed - 1).bit_length()))


class Status(StrEnum):
    DONE = "done"
    PAUSED = "paused"


def week_to_close(now: datetime) -> str:
    """The most recent week that has ended at ``now``."""
    return iso_week(now - timedelta(days=7))


@dataclass(frozen=True, slots=True)
class CloseProgress:
    status: Status
    checkpoint: CloseCheckpoint
    cohorts: int
    closed_this_run: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            **asdict(self.checkpoint),
            "status": self.status.value,
            "cohorts": self.cohorts,
            "closed_this_run": self.closed_this_run,
        }


class LeagueClose:
    def __init__(
        self,
        leagues_repo: LeagueRepository,
        users: UserRepository,
        checkpoints: CloseCheckpoints,
        rules: Callable[[], Ruleset],
        *,
        max_attempts: int = 5,
        cohorts_per_shard: int = COHORTS_PER_CLOSE_SHARD,
    ) -> None:
        self._leagues = leagues_repo
        self._users = users
        self._checkpoints = checkpoints
        self._rules = rules
        self._max_attempts = max_attempts
        self._cohorts_per_shard = cohorts_per_shard

    def run(
        self,
        week: str,
        now: datetime,
        *,
        shard: int = 0,
        shards: int = 1,
        should_stop: Callable[[], bool] = lambda: False,
        max_cohorts: int | None = None,
    ) -> CloseProgress:
        """Close (or resume closing) this shard's cohorts of ``week``; stops early when
        ``should_stop()`` says so or after ``max_cohorts``, after at least one cohort."""
        rules = self._rules()
        checkpoint = self._checkpoints.load(week, shard, shards)
        if checkpoint.done:
            return CloseProgress(Status.DONE, checkpoint, checkpoint.position)
        every = self._leagues.cohorts(week, len(rules.leagues.tiers))
        mine = [c for i, c in enumerate(every) if i % shards == shard]
        done_now = 0
        while checkpoint.position < len(mine):
            if done_now and (
                should_stop() or (max_cohorts is not None and done_now >= max_cohorts)
            ):
                return CloseProgress(Status.PAUSED, checkpoint, len(mine), done_now)
            tier, cohort = mine[checkpoint.position]
            counts = self._close(week, tier, cohort, rules, now)
            checkpoint = checkpoint.advanced(done=checkpoint.position + 1 >= len(mine), **counts)
            self._checkpoints.save(checkpoint, now)
            done_now += 1
        if not checkpoint.done:  # nothing to close in this shard
            checkpoint = CloseCheckpoint(week, shard, shards, done=True)
            self._checkpoints.save(checkpoint, now)
        return CloseProgress(Status.DONE, checkpoint, len(mine), done_now)

    def plan_seats(self, closed: str, now: datetime) -> str | None:
        """Write the seat plan of the week two after ``closed`` (next week, at the close) from
        its joins per tier, once (a GetItem on the later runs); the planned week, or ``None``
        if it already had one."""
        target = iso_week(week_bounds(closed)[0] + timedelta(days=14))
        if self._leagues.planned(target):
            return None
        tiers = len(self._rules().leagues.tiers)
        joins = self._leagues.joins(closed, tiers)
        return target if self._leagues.plan_week(target, joins, tiers, now) else None

    def close_shards(self, week: str, floor: int = 1) -> int:
        """How many shards a scheduled run fans ``week``'s close out to (``close_shards_for``
        of its cohorts: the seat counters, one BatchGetItem); ``floor`` is the setting."""
        tiers = len(self._rules().leagues.tiers)
        cohorts = len(self._leagues.cohorts(week, tiers))
        return close_shards_for(cohorts, floor, self._cohorts_per_shard)

    def open_shards(self, week: str, shards: int) -> int:
        """How many shards of ``week`` have not finished (one checkpoint read each)."""
        return sum(
            1 for shard in range(shards) if not self._checkpoints.load(week, shard, shards).done
        )

    def _close(
        self, week: str, tier: int, cohort: int, rules: Ruleset, now: datetime
    ) -> dict[str, int]:
        members = self._leagues.members(week, tier, cohort)
        stored = self._users.load_many(members, consistent=True)
        # Ranked: members still seated here (an erased member's profile no longer is) and on
        # the boards (a hidden or excluded member keeps their tier and gets no result).
        ranked = {
            u: s
            for u, s in stored.items()
            if s.listed and (s.state.league.week, s.state.league.cohort) == (week, cohort)
        }
        standings = [Standing(u, s.state.weekly_xp.get(week, 0)) for u, s in ranked.items()]
        outcomes = leagues.close_cohort(week, tier, standings, rules.leagues)
        counts = dict.fromkeys(("closed", "promoted", "demoted", "stayed", "already", "left"), 0)
        for user_id in members:
            if user_id not in ranked:
                counts["left"] += 1
                continue
            applied = self._apply(stored[user_id], cohort, outcomes[user_id], rules, now)
            if applied is None:
                counts["already"] += 1
                continue
            counts["closed"] += 1
            counts[applied.value] += 1
        return counts

    def _apply(
        self, stored: StoredUser, cohort: int, outcome: Outcome, rules: Ruleset, now: datetime
    ) -> Movement | None:
        """Commit one member's result (and a seat in the new week if they already play it);
        ``None`` when it was committed before."""
        seat: Membership | None = None
        for _ in range(self._max_attempts):
            state = stored.state
            league = leagues.apply_outcome(state.league, cohort, outcome)
            if league == state.league:
                return None
            current = iso_week(now)
            membership = None
            if leagues.may_join(league, current, state.weekly_xp.get(current, 0)):
                tier = rules.leagues.tier(league.tier).index
                if seat is None or (seat.week, seat.tier) != (current, tier):
                    seat = self._leagues.take_seat(current, tier, state.user_id)
                membership = seat
                league = leagues.join(
                    league.model_copy(update={"tier": tier}), current, seat.cohort
                )
            title, message = leagues.result_message(outcome, rules.leagues)
            change = UserChange(
                before=stored,
                state=state.model_copy(update={"league": league}),
                now=now,
                notifications=[
                    notifications.league_result(
                        user_id=state.user_id,
                        week=outcome.week,
                        title=title,
                        message=message,
                        now=now,
                        push=state.settings.push_enabled,
                    )
                ],
                membership=membership,
            )
            try:
                self._users.commit(change)
            except VersionConflictError:
                stored = self._users.load(state.user_id)
                continue
            return outcome.movement
        raise VersionConflictError(f"user {stored.state.user_id} kept changing")
