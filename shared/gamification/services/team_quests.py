"""Team quests (``domain.team_quests``): each team's progress follows its members' counts, and a
team that reached the target pays its payees, each once.

Fed by the consumer after each user's commit (``QueueConsumer(after_apply=...)``, as friend
quests are; a redelivered message runs it again, and a failure fails the user's records so SQS
retries it): for each team quest the user has counted towards, their absolute count is raised
in each of their teams (the store checks the membership in the same atomic write), then the
team is settled. Settling pays nothing before the target; once it is reached (recorded once),
the first settlement walks every payee and pays them (``TeamQuestPayer``: idempotent on the
payee's own profile) and marks the team settled; after that, a settlement pays only the user
whose commit ran it (a late contributor, a joiner who counted). Property test:
tests/services/test_team_quest_properties.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from pydantic import Field

from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError
from gamification.domain.quests import QuestCatalog, QuestDefinition
from gamification.domain.team_quests import (
    TeamContribution,
    TeamQuestStanding,
    open_counts,
    payees,
    payment,
    pays,
)
from gamification.domain.teams import TeamError, TeamNotFoundError
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
        """Record when the target was first reached (kept once written); returns it."""
        ...

    def contributions(self, team_id: str, quest_id: str) -> Iterable[TeamContribution]: ...

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


class TeamQuests:
    def __init__(
        self,
        quests: Callable[[], QuestCatalog | None],
        store: TeamQuestStore,
        roster: TeamRoster,
        profiles: Profiles,
        clock: Callable[[], datetime],
        *,
        max_attempts: int = 5,
    ) -> None:
        self._quests = quests
        self._store = store
        self._roster = roster
        self._profiles = profiles
        self._clock = clock
        self._max_attempts = max_attempts

    def _team_quests(self) -> list[QuestDefinition]:
        catalog = self._quests()
        return [q for q in catalog or () if q.mode == "team"]

    def after_apply(self, stored: StoredUser | None) -> int:
        """Contribute the user's counts to their teams and settle them; returns payments."""
        if stored is None:
            return 0
        counted = open_counts(stored.state, self._team_quests())
        if not counted:
            return 0
        user_id = stored.state.user_id
        paid = 0
        for team_id in self._roster.memberships_of(user_id):
            for quest, count in counted:
                self._store.contribute(team_id, quest, user_id, count)
                paid += self.settle(team_id, quest, user_id)
        return paid

    def settle(self, team_id: str, quest: QuestDefinition, user_id: str) -> int:
        """Pay whoever is due once the team reached the target (see the module's docstring)."""
        standing = self._store.standing(team_id, quest.id)
        if not standing.reached(quest):
            return 0
        if standing.reached_at is None:
            self._store.reach(team_id, quest, self._clock())
        if standing.settled:
            held = self._store.contribution(team_id, quest.id, user_id)
            if held is not None and held.paid:
                return 0
            member = quest.pay == "members" and self._roster.is_member(team_id, user_id)
            if not pays(user_id, held.count if held else 0, member, quest.pay):
                return 0
            return self._pay(team_id, quest, user_id)
        members = self._roster.members(team_id) if quest.pay == "members" else []
        paid = sum(
            self._pay(team_id, quest, who)
            for who in payees(self._store.contributions(team_id, quest.id), members, quest.pay)
        )
        self._store.mark_settled(team_id, quest)
        return paid

    def _pay(self, team_id: str, quest: QuestDefinition, user_id: str) -> int:
        for _ in range(self._max_attempts):
            held = self._profiles.load(user_id)
            paid = payment(quest, held.state, self._clock())
            if paid is None:
                self._store.mark_paid(team_id, quest, user_id)
                return 0
            try:
                self._profiles.save(
                    UserChange(
                        before=held,
                        state=paid.state,
                        now=self._clock(),
                        notifications=(paid.notification,),
                        events=paid.events,
                    )
                )
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
