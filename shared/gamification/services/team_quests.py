"""Team quests (``domain.team_quests``): each team's progress follows its members' counts, and a
team that reached the target pays its payees, each once.

Fed by the consumer after each user's commit (``QueueConsumer(after_apply=...)``, as friend
quests are; a redelivered message runs it again, and a failure fails the user's records so SQS
retries it): for each team quest the user has counted towards, their absolute count is raised
in each of their teams (the store checks the membership in the same atomic write), then the
team is settled. Settling pays nothing before the target; once it is reached (recorded once,
which opens the team's payout), the user whose commit ran it is paid first, then the walk of
every payee goes on from its cursor for a bounded step (``COMMIT_STEP`` payees a commit), so no
invocation pays a whole team. ``sweep`` (the consumer's schedule) walks the open payouts in
steps of ``PAYOUT_STEP`` until its time is up, so a team that went quiet is paid too; the last
step marks the team settled, which closes the payout. A payment is a solo quest's completion
(``transition.complete_quest`` via ``domain.team_quests.payment``, committed as a pair's by
``services.quest_completion``: reward XP and badge, badges and level-up unlocked, wallet credits,
the same events), idempotent on the payee's own profile (its entry's ``completed_at``), so
racing walkers pay nobody twice. Property test: tests/services/test_team_quest_properties.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import Field

from gamification.domain.game_rules import GameRules
from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError
from gamification.domain.quests import QuestDefinition
from gamification.domain.team_quests import (
    COMMIT_STEP,
    PAYOUT_STEP,
    PayoutCursor,
    TeamContribution,
    TeamQuestStanding,
    open_counts,
    payment,
    pays,
)
from gamification.domain.teams import TeamError, TeamNotFoundError
from gamification.services.quest_completion import completion_change
from gamification.services.read_models import ReadModel

# -- ports (adapters: team_quest_progress.TeamQuestProgress, team_repository.TeamRepository,
# user_repository.UserRepository; fakes: tests/fakes/team_quests.py) -------------------------


class TeamQuestStore(Protocol):
    def contribute(self, team_id: str, quest: QuestDefinition, user_id: str, count: int) -> bool:
        """Raise the member's contribution to ``count`` and the team's progress by exactly the
        raise, atomically, only while ``user_id`` is a member of ``team_id`` (the membership
        item is checked in the same write). ``False`` when nothing was raised."""
        ...

    def standing(self, team_id: str, quest_id: str) -> TeamQuestStanding: ...

    def standings(self, team_id: str, quest_ids: Sequence[str]) -> dict[str, TeamQuestStanding]: ...

    def reach(self, team_id: str, quest: QuestDefinition, now: datetime) -> datetime:
        """Record when the target was first reached (kept once written) and open the team's
        payout (``open_payouts`` lists it until ``mark_settled``); returns it."""
        ...

    def contributions(self, team_id: str, quest_id: str) -> Iterable[TeamContribution]: ...

    def contributions_page(
        self, team_id: str, quest_id: str, after: str | None, limit: int
    ) -> tuple[list[TeamContribution], str | None]:
        """At most ``limit`` contributions after the position ``after`` (``None``: the first),
        in a fixed order, and the position after them (``None`` when none are left)."""
        ...

    def advance(
        self, team_id: str, quest: QuestDefinition, held: PayoutCursor, to: PayoutCursor
    ) -> bool:
        """Move the payout's cursor from ``held`` to ``to`` only if it still is ``held`` and the
        team is not settled; ``False`` when another walker moved it."""
        ...

    def open_payouts(self) -> list[tuple[str, str]]:
        """(team, quest) of every payout reached and not settled yet."""
        ...

    def contribution(
        self, team_id: str, quest_id: str, user_id: str
    ) -> TeamContribution | None: ...

    def mark_paid(self, team_id: str, quest: QuestDefinition, user_id: str) -> None:
        """A hint that saves re-reading a paid contributor's profile (the profile's own entry
        is what makes a payment once)."""
        ...

    def mark_settled(self, team_id: str, quest: QuestDefinition) -> None: ...


class TeamRoster(Protocol):
    def memberships_of(self, user_id: str) -> list[str]:
        """The teams ``user_id`` is in, from the table."""
        ...

    def members(self, team_id: str) -> list[str]:
        """The team's current members (``pay: "members"`` only)."""
        ...

    def members_page(
        self, team_id: str, after: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        """At most ``limit`` members after the member ``after``, by id, and the last one listed
        (``None`` when none are left)."""
        ...

    def is_member(self, team_id: str, user_id: str) -> bool: ...

    def exists(self, team_id: str) -> bool: ...


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def save(self, change: UserChange) -> StoredUser: ...


class TeamQuestOut(ReadModel):
    """One team quest as a member of the team sees it."""

    quest_id: str
    name: str
    description: str
    starts_at: datetime
    ends_at: datetime
    status: str = Field(description="`upcoming`, `active` or `ended`.")
    pay: str = Field(description="`contributors`, or `members` (every member is paid).")
    reward_xp: int
    progress: int = Field(description="The team's count: the sum of its contributions.")
    target: int
    contributors: int = Field(description="Members (and past members) who counted.")
    completed: bool = Field(description="The team reached the target (never undone).")
    your_count: int = Field(description="Your own count in the window.")
    you_were_paid: bool = Field(description="You were paid this quest's reward (once).")


class TeamQuestsOut(ReadModel):
    team_id: str
    quests: list[TeamQuestOut]


@dataclass(frozen=True, slots=True)
class _Step:
    paid: int
    walked: int
    next: PayoutCursor | None
    """Where the walk goes on (``None``: it ended, the team is settled)."""
    moved: bool
    """The cursor was moved to ``next`` by this step (else another walker had moved it)."""


class TeamQuests:
    def __init__(
        self,
        rules: Callable[[], GameRules],
        store: TeamQuestStore,
        roster: TeamRoster,
        profiles: Profiles,
        clock: Callable[[], datetime],
        *,
        max_attempts: int = 5,
        commit_step: int = COMMIT_STEP,
        payout_step: int = PAYOUT_STEP,
    ) -> None:
        self._rules = rules
        self._store = store
        self._roster = roster
        self._profiles = profiles
        self._clock = clock
        self._max_attempts = max_attempts
        self._commit_step = commit_step
        self._payout_step = payout_step

    def _team_quests(self) -> list[QuestDefinition]:
        catalog = self._rules().quests
        return [q for q in catalog or () if q.mode == "team"]

    def after_apply(self, stored: StoredUser | None) -> int:
        """Contribute the user's counts to their teams and settle them; returns payments.
        The settlements of one commit walk at most ``COMMIT_STEP`` payees besides the user."""
        if stored is None:
            return 0
        counted = open_counts(stored.state, self._team_quests())
        if not counted:
            return 0
        user_id = stored.state.user_id
        paid, walk = 0, self._commit_step
        for team_id in self._roster.memberships_of(user_id):
            for quest, count in counted:
                self._store.contribute(team_id, quest, user_id, count)
                done, walked = self.settle(team_id, quest, user_id, walk)
                paid, walk = paid + done, walk - walked
        return paid

    def settle(
        self, team_id: str, quest: QuestDefinition, user_id: str, walk: int
    ) -> tuple[int, int]:
        """Once the team reached the target: pay ``user_id`` if due, then walk at most ``walk``
        further payees from the cursor. Returns (payments, payees walked)."""
        standing = self._store.standing(team_id, quest.id)
        if not standing.reached(quest):
            return 0, 0
        if standing.reached_at is None:
            self._store.reach(team_id, quest, self._clock())
        paid = self._pay_if_due(team_id, quest, user_id)
        if standing.settled:
            return paid, 0
        cursor, walked = standing.cursor, 0
        while walked < walk:
            step = self._step(team_id, quest, cursor, walk - walked)
            paid, walked = paid + step.paid, walked + step.walked
            if step.next is None or not step.moved:
                break  # settled, or another walker is ahead: it goes on from there
            cursor = step.next
        return paid, walked

    def sweep(self, should_stop: Callable[[], bool]) -> int:
        """Go on with every open payout, ``payout_step`` payees a step, until ``should_stop``:
        a team that went quiet after reaching the target is paid without a member's commit.
        Returns payments; what is left goes on at the next sweep (the cursor is saved)."""
        quests = {q.id: q for q in self._team_quests()}
        paid = 0
        for team_id, quest_id in self._store.open_payouts():
            quest = quests.get(quest_id)
            if quest is None:  # gone from the catalog: nothing to pay with (expires with TTL)
                continue
            cursor: PayoutCursor | None = None
            while not should_stop():
                if cursor is None:
                    standing = self._store.standing(team_id, quest_id)
                    if standing.settled:
                        break
                    cursor = standing.cursor
                step = self._step(team_id, quest, cursor, self._payout_step)
                paid += step.paid
                if step.next is None:
                    break
                cursor = step.next if step.moved else None  # another walker moved it: re-read
            if should_stop():
                break
        return paid

    def _pay_if_due(self, team_id: str, quest: QuestDefinition, user_id: str) -> int:
        held = self._store.contribution(team_id, quest.id, user_id)
        if held is not None and held.paid:
            return 0
        member = quest.pay == "members" and self._roster.is_member(team_id, user_id)
        if not pays(user_id, held.count if held else 0, member, quest.pay):
            return 0
        return self._pay(team_id, quest, user_id)

    def _step(
        self, team_id: str, quest: QuestDefinition, cursor: PayoutCursor, limit: int
    ) -> _Step:
        """Pay one page of payees from ``cursor`` and move it (or settle after the last)."""
        following: PayoutCursor | None
        if cursor.phase == "contributors":
            page, after = self._store.contributions_page(team_id, quest.id, cursor.after, limit)
            due = [c.user_id for c in page if c.count > 0 and not c.paid]
            walked = len(page)
            if after is not None:
                following = PayoutCursor("contributors", after)
            else:
                following = PayoutCursor("members") if quest.pay == "members" else None
        else:
            due, after = self._roster.members_page(team_id, cursor.after, limit)
            walked = len(due)
            following = PayoutCursor("members", after) if after is not None else None
        paid = sum(self._pay(team_id, quest, who) for who in due)
        if following is None:
            self._store.mark_settled(team_id, quest)
            return _Step(paid, walked, None, True)
        moved = self._store.advance(team_id, quest, cursor, following)
        return _Step(paid, walked, following, moved)

    def _pay(self, team_id: str, quest: QuestDefinition, user_id: str) -> int:
        """Commit ``user_id``'s payment, if not paid yet: a solo quest's completion with its
        events, notifications and wallet credits (``services.quest_completion``, as a pair's),
        then the ``paid`` hint (after: a crash between the two only costs a re-read)."""
        for _ in range(self._max_attempts):
            held = self._profiles.load(user_id)
            rules, now = self._rules(), self._clock()
            paid = payment(quest, held.state, rules, now)
            if paid is None:
                self._store.mark_paid(team_id, quest, user_id)
                return 0
            try:
                self._profiles.save(completion_change(held, paid, rules, now))
            except VersionConflictError:
                continue
            self._store.mark_paid(team_id, quest, user_id)
            return 1
        raise RuntimeError(f"user {user_id} kept changing")

    def progress(self, team_id: str, user_id: str) -> TeamQuestsOut:
        """Every team quest of the catalog with the team's progress, for one of its members."""
        if not self._roster.exists(team_id):
            raise TeamNotFoundError(team_id)
        if not self._roster.is_member(team_id, user_id):
            raise TeamError("not_a_member", "only the team's members see its quests")
        now = self._clock()
        quests = sorted(self._team_quests(), key=lambda q: (q.ends_at, q.id))
        standings = self._store.standings(team_id, [q.id for q in quests])
        mine = self._profiles.load(user_id, consistent=False).state.quests
        listed = []
        for quest in quests:
            standing = standings.get(quest.id, TeamQuestStanding())
            entry = mine.get(quest.id)
            listed.append(
                TeamQuestOut(
                    quest_id=quest.id,
                    name=quest.name,
                    description=quest.description,
                    starts_at=quest.starts_at,
                    ends_at=quest.ends_at,
                    status=quest.status(now),
                    pay=quest.pay,
                    reward_xp=quest.reward_xp,
                    progress=standing.progress,
                    target=quest.target,
                    contributors=standing.contributors,
                    completed=standing.reached(quest),
                    your_count=entry.count if entry else 0,
                    you_were_paid=entry is not None and entry.completed_at is not None,
                )
            )
        return TeamQuestsOut(team_id=team_id, quests=listed)
