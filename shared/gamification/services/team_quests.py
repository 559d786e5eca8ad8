"""Team quests (``domain.team_quests``): each team's progress follows its members' counts, and a
team that reached the target pays its payees, each once.

Fed like the team boards' projection (``services/team_projection.py``), in the same order and
for the same reason: a profile image contributes the user's counts to each of their teams; a
join admits the member first, then reads their counts from the truth; a leave removes them
first. After every step on a team, ``settle`` pays whoever is due (``domain.team_quests.due``)
through ``TeamQuestPayer.pay``, which is idempotent on the payee's own profile: redeliveries,
reordering and two invocations racing pay nobody twice (property test:
tests/services/test_team_quest_properties.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from gamification.domain.quests import QuestDefinition
from gamification.domain.team_quests import TeamQuestTally, due
from gamification.domain.teams import MembershipChange
from gamification.services.read_models import ReadModel


class TeamQuestStore(Protocol):
    """Each (team, quest)'s tally; every method one atomic step that also records when the
    target was first reached (``TeamQuestTally.settle``) and returns the tally after it."""

    def admit(self, team_id: str, quest: QuestDefinition, user_id: str) -> TeamQuestTally: ...

    def contribute(
        self, team_id: str, quest: QuestDefinition, user_id: str, count: int, now: datetime
    ) -> TeamQuestTally: ...

    def leave(self, team_id: str, quest: QuestDefinition, user_id: str) -> TeamQuestTally: ...

    def tally(self, team_id: str, quest: QuestDefinition) -> TeamQuestTally: ...

    def paid(self, team_id: str, quest_id: str) -> set[str]:
        """Who this team already paid: a hint that saves re-reading payees' profiles (the
        profile's own record is what makes a payment once)."""
        ...

    def mark_paid(self, team_id: str, quest_id: str, user_id: str) -> None: ...


class TeamQuestPayer(Protocol):
    def pay(self, user_id: str, quest: QuestDefinition, team_id: str, now: datetime) -> bool:
        """Pay the user and notify them in one conditional write of their profile
        (``domain.team_quests.pay_member``): ``False`` when they were already paid."""
        ...


class TeamQuestProgressOut(ReadModel):
    team_id: str
    quest_id: str
    progress: int
    target: int
    members_counted: int
    completed: bool


class TeamQuestService:
    def __init__(
        self,
        quests: Callable[[], Sequence[QuestDefinition]],
        store: TeamQuestStore,
        payer: TeamQuestPayer,
        *,
        teams_of: Callable[[str], set[str]],
        counts_of: Callable[[str], Mapping[str, int]],
        clock: Callable[[], datetime],
    ) -> None:
        self._quests = quests
        self._store = store
        self._payer = payer
        self._teams_of = teams_of
        self._counts_of = counts_of
        """A user's counts per quest, read from the truth (their profile)."""
        self._clock = clock

    def _team_quests(self) -> list[QuestDefinition]:
        return [q for q in self._quests() if q.mode == "team"]

    def on_profiles(self, images: Iterable[tuple[str, Mapping[str, int]]]) -> int:
        """Each image's counts (user, quest → absolute count) to the user's teams; returns
        the payments made."""
        paid = 0
        quests = self._team_quests()
        for user_id, counts in images:
            for team_id in sorted(self._teams_of(user_id)):
                for quest in quests:
                    if quest.id in counts:
                        tally = self._store.contribute(
                            team_id, quest, user_id, counts[quest.id], self._clock()
                        )
                        paid += self._settle(team_id, quest, tally)
        return paid

    def on_membership(self, change: MembershipChange) -> int:
        """A join admits before it reads the member's counts (the race closed as for the team
        boards); a leave removes them and their count."""
        paid = 0
        quests = self._team_quests()
        if not change.joined:
            for quest in quests:
                self._store.leave(change.team_id, quest, change.user_id)
            return 0
        for quest in quests:
            tally = self._store.admit(change.team_id, quest, change.user_id)
            paid += self._settle(change.team_id, quest, tally)
        counts = self._counts_of(change.user_id)
        for quest in quests:
            if quest.id in counts:
                tally = self._store.contribute(
                    change.team_id, quest, change.user_id, counts[quest.id], self._clock()
                )
                paid += self._settle(change.team_id, quest, tally)
        return paid

    def _settle(self, team_id: str, quest: QuestDefinition, tally: TeamQuestTally) -> int:
        paid = 0
        for user_id in due(tally, quest, self._store.paid(team_id, quest.id)):
            if self._payer.pay(user_id, quest, team_id, self._clock()):
                paid += 1
            self._store.mark_paid(team_id, quest.id, user_id)
        return paid

    def progress(self, team_id: str, quest: QuestDefinition) -> TeamQuestProgressOut:
        """What every member sees: the team's count against the target."""
        tally = self._store.tally(team_id, quest)
        return TeamQuestProgressOut(
            team_id=team_id,
            quest_id=quest.id,
            progress=tally.progress,
            target=quest.target,
            members_counted=sum(1 for c in tally.counts.values() if c > 0),
            completed=tally.reached_at is not None,
        )
