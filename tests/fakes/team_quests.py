"""Team quests' ports in memory (``services.team_quests``): each method one atomic step, as a
Lua script per team or a conditional write of one profile would be."""

from __future__ import annotations

from datetime import datetime

from gamification.domain import notifications
from gamification.domain.notifications import Notification
from gamification.domain.quests import QuestDefinition, QuestProgress
from gamification.domain.team_quests import TeamQuestTally, pay_member


class FakeTeamQuestStore:
    def __init__(self) -> None:
        self.tallies: dict[tuple[str, str], TeamQuestTally] = {}
        self.hints: dict[tuple[str, str], set[str]] = {}

    def _of(self, team_id: str, quest_id: str) -> TeamQuestTally:
        return self.tallies.setdefault((team_id, quest_id), TeamQuestTally())

    def _copy(self, tally: TeamQuestTally) -> TeamQuestTally:
        return TeamQuestTally(set(tally.members), dict(tally.counts), tally.reached_at)

    def admit(self, team_id: str, quest: QuestDefinition, user_id: str) -> TeamQuestTally:
        tally = self._of(team_id, quest.id)
        tally.admit(user_id)
        return self._copy(tally)

    def contribute(
        self, team_id: str, quest: QuestDefinition, user_id: str, count: int, now: datetime
    ) -> TeamQuestTally:
        tally = self._of(team_id, quest.id)
        tally.contribute(user_id, count)
        tally.settle(quest, now)
        return self._copy(tally)

    def leave(self, team_id: str, quest: QuestDefinition, user_id: str) -> TeamQuestTally:
        tally = self._of(team_id, quest.id)
        tally.leave(user_id)
        return self._copy(tally)

    def tally(self, team_id: str, quest: QuestDefinition) -> TeamQuestTally:
        return self._copy(self._of(team_id, quest.id))

    def paid(self, team_id: str, quest_id: str) -> set[str]:
        return set(self.hints.get((team_id, quest_id), set()))

    def mark_paid(self, team_id: str, quest_id: str, user_id: str) -> None:
        self.hints.setdefault((team_id, quest_id), set()).add(user_id)


class FakeTeamQuestPayer:
    """Profiles' quest entries, XP and notifications, changed together per payment."""

    def __init__(self) -> None:
        self.quests: dict[str, dict[str, QuestProgress]] = {}
        self.xp: dict[str, int] = {}
        self.notifications: dict[str, list[Notification]] = {}
        self.payments: list[tuple[str, str, str]] = []
        """(user, quest, team) of every payment that credited."""

    def pay(self, user_id: str, quest: QuestDefinition, team_id: str, now: datetime) -> bool:
        entries = self.quests.setdefault(user_id, {})
        entry, xp = pay_member(entries.get(quest.id), quest, now)
        if entry == entries.get(quest.id):
            return False
        entries[quest.id] = entry
        self.xp[user_id] = self.xp.get(user_id, 0) + xp
        self.notifications.setdefault(user_id, []).append(
            notifications.quest_completed(
                user_id=user_id, quest_id=quest.id, name=quest.name, xp=xp, now=now, push=False
            )
        )
        self.payments.append((user_id, quest.id, team_id))
        return True
