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

``LeagueCloseJob`` is one invocation of the function: a scheduled run (late shards reported,
the seat plan written, the shards fanned out or run here) or one shard's run, each on
``services.jobs``' runner (a shard short of time continues in a fresh invocation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field

from gamification.domain import flags, leagues, notifications, wallet
from gamification.domain.checkpoints import CloseCheckpoint, tally
from gamification.domain.domain_events import EventDraft, joined_league, league_closed
from gamification.domain.experiments import experience
from gamification.domain.flag_events import user_flagged
from gamification.domain.game_rules import GameRules
from gamification.domain.leagues import Movement, Outcome, Standing
from gamification.domain.periods import iso_week, week_bounds
from gamification.services.job_ports import (
    Membership,
    StoredUser,
    UserChange,
    UserProfiles,
    VersionConflictError,
)
from gamification.services.jobs import (
    REPORTED,
    Budget,
    JobProgress,
    JobRunner,
    Status,
    never,
    run_units,
)

__all__ = ["CloseProgress", "LeagueClose", "LeagueCloseJob", "ShardRun", "Status", "week_to_close"]

logger = Logger(child=True)

LATE_AFTER = timedelta(hours=2)
"""A scheduled run this long after the week ended reports the shards still open
(``LeagueWeekOpen``, alarmed): the close is failing or needs more shards."""


class LeagueSeats(Protocol):
    """The weeks' seat counters, member lists and seat plans (``adapters.league_repository``)."""

    def cohorts(self, week: str, tiers: int) -> list[tuple[int, int]]: ...

    def members(self, week: str, tier: int, cohort: int) -> list[str]: ...

    def take_seat(self, week: str, tier: int, user_id: str) -> Membership: ...

    def planned(self, week: str) -> bool: ...

    def joins(self, week: str, tiers: int) -> dict[int, int]: ...

    def plan_week(self, week: str, joins: Mapping[int, int], tiers: int, now: datetime) -> bool: ...


class CloseCheckpoints(Protocol):
    """One checkpoint per shard of a week's close; a missing one is a fresh one."""

    def load(self, week: str, shard: int, shards: int) -> CloseCheckpoint: ...

    def save(self, checkpoint: CloseCheckpoint, now: datetime) -> None:
        """Only forward: a slower, overlapping run never moves a checkpoint back."""
        ...


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


def week_to_close(now: datetime) -> str:
    """The most recent week that has ended at ``now``."""
    return iso_week(now - timedelta(days=7))


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseProgress(JobProgress):
    checkpoint: CloseCheckpoint = field(metadata=REPORTED)
    cohorts: int
    closed_this_run: int = 0


class _Walk:
    """One run of a shard: a cohort is its unit of work."""

    def __init__(
        self,
        close: LeagueClose,
        checkpoint: CloseCheckpoint,
        mine: list[tuple[int, int]],
        rules: GameRules,
        now: datetime,
    ) -> None:
        self.close, self.rules, self.now = close, rules, now
        self.checkpoint, self.mine = checkpoint, mine
        self.closed = 0

    def finished(self) -> bool:
        return self.checkpoint.position >= len(self.mine)

    def unit(self) -> bool:
        checkpoint = self.checkpoint
        tier, cohort = self.mine[checkpoint.position]
        counts = self.close._close(checkpoint.week, tier, cohort, self.rules, self.now)
        self.checkpoint = tally(
            checkpoint,
            {"position": 1, **counts},
            done=checkpoint.position + 1 >= len(self.mine),
        )
        self.close._checkpoints.save(self.checkpoint, self.now)
        self.closed += 1
        return True


class LeagueClose:
    def __init__(
        self,
        leagues_repo: LeagueSeats,
        users: UserProfiles,
        checkpoints: CloseCheckpoints,
        rules: Callable[[], GameRules],
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
        should_stop: Callable[[], bool] = never,
        max_cohorts: int | None = None,
    ) -> CloseProgress:
        """Close (or resume closing) this shard's cohorts of ``week``; stops early when
        ``should_stop()`` says so or after ``max_cohorts``, after at least one cohort."""
        rules = self._rules()
        checkpoint = self._checkpoints.load(week, shard, shards)
        if checkpoint.done:
            return CloseProgress(
                status=Status.DONE, checkpoint=checkpoint, cohorts=checkpoint.position
            )
        every = self._leagues.cohorts(week, len(rules.leagues.tiers))
        mine = [c for i, c in enumerate(every) if i % shards == shard]
        walk = _Walk(self, checkpoint, mine, rules, now)
        status = run_units(walk, Budget(should_stop, max_cohorts))
        if status is Status.DONE and not walk.checkpoint.done:  # nothing to close in this shard
            walk.checkpoint = CloseCheckpoint(week, shard, shards, done=True)
            self._checkpoints.save(walk.checkpoint, now)
        return CloseProgress(
            status=status,
            checkpoint=walk.checkpoint,
            cohorts=len(mine),
            closed_this_run=walk.closed,
        )

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
        self, week: str, tier: int, cohort: int, rules: GameRules, now: datetime
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
        week_xp = {u: s.state.weekly_xp.get(week, 0) for u, s in ranked.items()}
        # Cheating flags (domain.flags): a member with an open flag, or one the outlier rule
        # flags now, is left out of the close (no rank, no result, the tier kept) until an
        # admin reviews it. The rule reads every ranked member's XP, flagged or not, so a
        # re-run after some commits flags the same members.
        raised = {
            u: f
            for u, f in flags.outlier_flags(week, week_xp, rules.leagues.outliers, now).items()
            if ranked[u].state.flag is None
        }
        left_out = {u for u, s in ranked.items() if s.state.flag is not None} | set(raised)
        standings = [Standing(u, xp) for u, xp in week_xp.items() if u not in left_out]
        outcomes = leagues.close_cohort(week, tier, standings, rules.leagues)
        counts = dict.fromkeys(
            ("closed", "promoted", "demoted", "stayed", "flagged", "already", "left"), 0
        )
        for user_id in members:
            if user_id not in ranked:
                counts["left"] += 1
                continue
            if user_id in left_out:
                left = self._leave_out(ranked[user_id], week, raised.get(user_id), rules, now)
                counts["flagged" if left else "already"] += 1
                continue
            applied = self._apply(stored[user_id], cohort, outcomes[user_id], rules, now)
            if applied is None:
                counts["already"] += 1
                continue
            counts["closed"] += 1
            counts[applied.value] += 1
        return counts

    def _leave_out(
        self,
        stored: StoredUser,
        week: str,
        flag: flags.Flag | None,
        rules: GameRules,
        now: datetime,
    ) -> bool:
        """Commit a flagged member's week as closed without a result (with the flag the close
        raised, and its event, in the same transaction); ``False`` when done before. A member
        who already earned XP in the new week is seated in it by the same write, as a ranked
        member is (``_apply``)."""
        seat: Membership | None = None
        for _ in range(self._max_attempts):
            state = stored.state
            league = leagues.leave_out(state.league, week)
            if league == state.league:
                return False
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
            update: dict[str, Any] = {"league": league}
            events: tuple[EventDraft, ...] = (joined_league(membership, now),) if membership else ()
            if flag is not None and state.flag is None:
                update["flag"] = flag
                events = (user_flagged(flag), *events)
                logger.warning(
                    "flagged at the close",
                    extra={"user_id": state.user_id, "week": week, "rule": flag.rule.value},
                )
            change = UserChange(
                before=stored,
                state=state.model_copy(update=update),
                now=now,
                membership=membership,
                events=events,
            )
            try:
                self._users.commit(change)
            except VersionConflictError:
                stored = self._users.load(state.user_id)
                continue
            return True
        raise VersionConflictError(f"user {stored.state.user_id} kept changing")

    def _apply(
        self, stored: StoredUser, cohort: int, outcome: Outcome, rules: GameRules, now: datetime
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
            title, message = leagues.result_message(outcome, rules.leagues, state.settings.locale)
            purse, entries = state.wallet, list[wallet.LedgerEntry]()
            if outcome.movement is Movement.PROMOTED:  # exactly once: the result commits with it
                fact = wallet.promotion_fact(outcome.week, rules.leagues.tier(outcome.to_tier).name)
                purse, entries = wallet.earn(purse, [fact], rules.wallet, now)
            change = UserChange(
                before=stored,
                state=state.model_copy(update={"league": league, "wallet": purse}),
                now=now,
                # The control group is told nothing (domain.experiments).
                wallet=wallet.WalletWrite(tuple(entries)),
                notifications=[
                    notifications.league_result(
                        user_id=state.user_id,
                        week=outcome.week,
                        title=title,
                        message=message,
                        now=now,
                        push=state.settings.push_enabled,
                    )
                ]
                if experience(state.experiment) == "treatment"
                else [],
                membership=membership,
                events=(
                    league_closed(outcome, now),
                    *([joined_league(membership, now)] if membership else []),
                ),
            )
            try:
                self._users.commit(change)
            except VersionConflictError:
                stored = self._users.load(state.user_id)
                continue
            return outcome.movement
        raise VersionConflictError(f"user {stored.state.user_id} kept changing")


class ShardRun(BaseModel):
    """One shard of one week's close: the function's request (and a continuation's)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    shard: int = Field(default=0, ge=0)
    shards: int = Field(default=1, ge=1, le=1000)
    max_cohorts: int | None = Field(default=None, ge=1)
    """A step by hand: at most this many cohorts, and no continuation."""

    def payload(self) -> dict[str, Any]:
        return self.model_dump(exclude={"max_cohorts"})


@dataclass
class CloseInvocation:
    """What one invocation answers and logs (``summary``), and the counts it publishes."""

    summary: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    planned: str | None = None
    """The week whose seat plan this run wrote."""


class LeagueCloseJob:
    """One invocation of the close function, on the resumable-job runner."""

    def __init__(self, close: LeagueClose, runner: JobRunner, floor_shards: int = 1) -> None:
        self._close = close
        self._runner = runner
        self._floor = floor_shards

    def scheduled(self, now: datetime, budget: Budget) -> CloseInvocation:
        """Close the week that ended most recently before ``now``: its shards started in
        fresh invocations (AWS) or run here; late shards reported, next seat plan written."""
        week = week_to_close(now)
        shards = self._close.close_shards(week, self._floor)
        late, counts = 0, {}
        if now - week_bounds(week)[1] >= LATE_AFTER:
            late = counts["LeagueWeekOpen"] = self._close.open_shards(week, shards)
        planned = self._close.plan_seats(week, now)
        runs = [ShardRun(week=week, shard=shard, shards=shards) for shard in range(shards)]
        if shards > 1 and all(self._runner.start(run.payload()) for run in runs):
            summary = {"status": "fanned_out", "week": week, "shards": shards, "late_shards": late}
            return CloseInvocation(summary, counts, planned)
        return self._run(runs, now, budget, late=late, counts=counts, planned=planned)

    def shard(self, run: ShardRun, now: datetime, budget: Budget) -> CloseInvocation:
        return self._run([run], now, budget)

    def _run(
        self,
        shard_runs: list[ShardRun],
        now: datetime,
        budget: Budget,
        *,
        late: int = 0,
        counts: dict[str, int] | None = None,
        planned: str | None = None,
    ) -> CloseInvocation:
        def close(run: ShardRun, budget: Budget) -> CloseProgress:
            return self._close.run(
                run.week,
                now,
                shard=run.shard,
                shards=run.shards,
                should_stop=budget.should_stop,
                max_cohorts=budget.max_units,
            )

        last: list[CloseProgress] = []
        closed = 0
        for run in shard_runs:
            # A run limited by hand (``max_cohorts``) is a step: it does not continue itself.
            then = None if run.max_cohorts is not None else (run, run.payload())
            limited = Budget(budget.should_stop, run.max_cohorts)
            progress = self._runner.run(close, run, limited, then=then)
            closed += sum(p.closed_this_run for p in progress)
            last.append(progress[-1])
        counts = {**(counts or {}), "LeagueCohortsClosed": closed}
        done = all(p.status is Status.DONE for p in last)
        summary = {
            "week": shard_runs[0].week,
            "late_shards": late,
            "status": (Status.DONE if done else Status.PAUSED).value,
            "shards": [p.summary() for p in last],
        }
        return CloseInvocation(summary, counts, planned)
