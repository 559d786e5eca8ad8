"""Apply one user's activities exactly once: read the state once, run the domain transition,
commit markers + profile + notifications under the profile's version guard. The leaderboards
follow from the profile writes on the table's stream (``services.projector``).

Exactly-once comes from the dedupe keys committed with the XP: as markers in the same
transaction, or (a profile-and-markers change) in the profile's ``pending`` list, whose markers
are put right after and confirmed by the next commit (docs/pipeline.md). The optimistic version
check makes concurrent consumers of one user serialize instead of losing an update. A
redelivery after a commit finds every marker (or pending key) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from gamification.domain import leagues
from gamification.domain.activity import Activity
from gamification.domain.boards import PlayerScore
from gamification.domain.domain_events import derive, experiment_assigned, joined_league
from gamification.domain.experiments import assign, experience
from gamification.domain.flag_events import velocity_check
from gamification.domain.game_rules import GameRules
from gamification.domain.leagues import Membership, cohort_name
from gamification.domain.periods import iso_week
from gamification.domain.profile_records import (
    AlreadyAppliedError,
    StoredUser,
    UnstorableChangeError,
    UserChange,
    VersionConflictError,
)
from gamification.domain.state import UserState
from gamification.domain.transition import Effects, apply_activities, cap_days
from gamification.domain.wallet import WalletWrite

# -- ports (adapters: UserRepository, LeagueRepository) -----------------------------------------


class Profiles(Protocol):
    """The users' profiles, read consistently and written under their version guard."""

    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def load_many(
        self, user_ids: Iterable[str], consistent: bool = False
    ) -> dict[str, StoredUser]: ...

    def with_days(self, stored: StoredUser, days: Iterable[str]) -> StoredUser:
        """``stored`` with the cap slots of ``days`` loaded (those it does not hold yet)."""
        ...

    def save(self, change: UserChange) -> StoredUser:
        """Commit ``change``; raises VersionConflictError, AlreadyAppliedError,
        UnstorableChangeError."""
        ...


class Seats(Protocol):
    def take_seat(self, week: str, tier: int, user_id: str) -> Membership:
        """A seat in a cohort of ``tier`` for ``week`` (exactly once per call)."""
        ...


CHUNK = 25
"""Activities per transaction: markers + profile + notifications stay under DynamoDB's 100."""


class ConflictBudgetExceededError(Exception):
    """The user kept changing under us; the records go back to the queue for a later retry."""


@dataclass(frozen=True, slots=True)
class Unstorable:
    """An activity whose commit DynamoDB refuses for good (alone, so it is the cause)."""

    activity: Activity
    reason: str


@dataclass
class Applied:
    """What applying one user's activities did (for metrics and logs)."""

    user_id: str
    effects: list[Effects] = field(default_factory=list)
    conflicts: int = 0
    stored: StoredUser | None = None
    unstorable: list[Unstorable] = field(default_factory=list)
    seat: Membership | None = None
    """A league seat taken while applying; reused if the commit is retried after a conflict,
    so a retry does not take a second seat."""
    joined: Membership | None = None
    """The league seat this apply committed (a user's first XP-earning activity of a week)."""
    erased: int = 0
    """Activities received before the user's erasure: dropped, they belong to erased data."""
    held: list[Activity] = field(default_factory=list)
    """Activities received after an erasure whose walk still runs: they wait (the consumer
    reports them failed, SQS redelivers them) so they start from nothing, not amid the walk."""

    @property
    def xp_awarded(self) -> int:
        return sum(e.xp_awarded for e in self.effects)

    @property
    def activities_applied(self) -> int:
        return sum(len(e.applied_keys) for e in self.effects)

    @property
    def duplicates(self) -> int:
        return sum(len(e.duplicates) for e in self.effects)

    @property
    def badges_earned(self) -> int:
        return sum(len(e.badges_earned) for e in self.effects)

    @property
    def level_ups(self) -> int:
        return sum(1 for e in self.effects if e.level_up)


class ActivityApplier:
    def __init__(
        self,
        users: Profiles,
        rules: Callable[[], GameRules],
        clock: Callable[[], datetime],
        max_attempts: int = 6,
        seats: Seats | None = None,
    ) -> None:
        self._seats = seats
        self._users = users
        self._rules = rules
        self._clock = clock
        self._max_attempts = max_attempts

    def preload(self, user_ids: Sequence[str]) -> dict[str, StoredUser]:
        """Read every user of a batch in one request (consistent: the versions guard writes)."""
        return self._users.load_many(user_ids, consistent=True)

    def apply(
        self, user_id: str, activities: Sequence[Activity], known: StoredUser | None = None
    ) -> Applied:
        """Commit the activities in chunks that fit a transaction. ``known``: a fresh read."""
        result = Applied(user_id, stored=known)
        ordered = sorted(activities, key=lambda a: (a.occurred_at, a.type, a.object_id))
        for start in range(0, max(len(ordered), 1), CHUNK):
            self._isolating_unstorable(user_id, ordered[start : start + CHUNK], result)
        return result

    def _isolating_unstorable(
        self, user_id: str, chunk: Sequence[Activity], result: Applied
    ) -> None:
        """Commit the chunk; when DynamoDB refuses it for good, halve it until the activities
        that cause the refusal stand alone, so the rest are applied and only those are poison."""
        try:
            self._commit_chunk(user_id, chunk, result)
        except UnstorableChangeError as error:
            if len(chunk) <= 1:
                result.unstorable.extend(Unstorable(a, str(error)) for a in chunk)
                return
            middle = len(chunk) // 2
            self._isolating_unstorable(user_id, chunk[:middle], result)
            self._isolating_unstorable(user_id, chunk[middle:], result)

    def _commit_chunk(self, user_id: str, chunk: Sequence[Activity], result: Applied) -> None:
        """Commit one chunk; reuses the state the previous chunk committed instead of a read."""
        seen: set[str] = set()
        known = result.stored
        for _ in range(self._max_attempts):
            rules = self._rules()
            stored = known or self._users.load(user_id)
            known = None  # after a conflict, always re-read
            chunk = self._after_erasure(stored, chunk, result)
            if not chunk or stored.marks.erasing:
                result.held.extend(chunk)
                result.stored = stored
                return
            stored = self._users.with_days(
                stored, cap_days(chunk, rules, stored.state.settings.timezone)
            )
            now = self._clock()
            # Keys the profile holds as pending were applied (their markers may not exist yet).
            seen.update(stored.pending)
            transition = apply_activities(stored.state, chunk, rules, now, seen)
            effects = transition.effects
            if not effects.changed:
                result.effects.append(effects)
                result.stored = stored
                return
            state, membership = self._seated(stored, transition.state, rules, now, result)
            events = derive(stored.state, state, effects, rules, now)
            if membership is not None:
                events += (joined_league(membership, now),)
            assignment = assign(user_id, rules.policy.control, state.experiment)
            if rules.policy.control.running and assignment != state.experiment:
                state = state.model_copy(update={"experiment": assignment})
                events += (experiment_assigned(assignment.group, assignment.salt, now),)
            # The velocity rule counts in this transaction: a redelivered activity is a duplicate
            # and counts nothing, so a flag is raised once (domain.flags).
            state, raised = velocity_check(state, chunk, effects, rules, now)
            events += raised
            # The control group plays invisibly: no notifications, so no push (experiments).
            control = experience(state.experiment) == "control"
            change = UserChange(
                before=stored,
                state=state,
                now=now,
                new_markers=effects.applied_keys,
                notifications=() if control else effects.notifications,
                membership=membership,
                events=events,
                wallet=WalletWrite(tuple(effects.ledger)),
            )
            try:
                committed = self._users.save(change)
            except VersionConflictError:
                result.conflicts += 1
                continue
            except AlreadyAppliedError as already:
                seen.update(already.dedupe_keys)
                result.conflicts += 1
                continue
            result.effects.append(effects)
            result.joined = membership or result.joined
            result.stored = committed
            return
        raise ConflictBudgetExceededError(f"user {user_id}: {self._max_attempts} conflicts")

    def _seated(
        self, stored: StoredUser, state: UserState, rules: GameRules, now: datetime, result: Applied
    ) -> tuple[UserState, Membership | None]:
        """Seat the user in a cohort of their tier when this is their first XP of the week
        (one counter update, only then); the seat commits with the profile or not at all.
        A user off the boards (hidden or excluded) takes no seat and keeps their tier."""
        league = state.league
        week = iso_week(now)
        if self._seats is None or not leagues.may_join(league, week, state.weekly_xp.get(week, 0)):
            return state, None
        if not stored.listed:
            return state, None
        tier = rules.leagues.tier(league.tier).index
        seat = result.seat
        if seat is None or (seat.week, seat.tier) != (week, tier):
            seat = result.seat = self._seats.take_seat(week, tier, state.user_id)
        joined = leagues.join(league.model_copy(update={"tier": tier}), week, seat.cohort)
        return state.model_copy(update={"league": joined}), seat

    @staticmethod
    def _after_erasure(
        stored: StoredUser, chunk: Sequence[Activity], result: Applied
    ) -> Sequence[Activity]:
        """Honour the erasure tombstone: drop what was received before it (it must not bring
        the erased data back); the caller holds the rest while the erasure walk still runs."""
        erased_at = stored.marks.erased_at
        if erased_at is None:
            return chunk
        kept = [a for a in chunk if a.received_at >= erased_at]
        result.erased += len(chunk) - len(kept)
        return kept


def player_score(stored: StoredUser) -> PlayerScore:
    state = stored.state
    seat = state.league
    return PlayerScore(
        user_id=state.user_id,
        xp=state.xp,
        xp_at=stored.xp_at,
        display_name=state.settings.display_name,
        weekly_xp=dict(state.weekly_xp),
        league=cohort_name(seat.week, seat.cohort_tier, seat.cohort)
        if seat.week is not None and seat.cohort is not None
        else None,
        listed=stored.listed,
    )
