"""Team quests' store in memory (``services.team_quests.TeamQuestStore``; real:
``adapters.team_quest_progress.TeamQuestTable``; tests/adapters/contracts/test_team_quests.py
holds them equal): each method one atomic step, as one transaction or conditional write is."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime

from gamification.domain.quests import QuestDefinition
from gamification.domain.team_quests import (
    PayoutCursor,
    TeamContribution,
    TeamQuestStanding,
    raise_to,
)


class FakeTeamQuestStore:
    def __init__(self, is_member: Callable[[str, str], bool]) -> None:
        self._is_member = is_member
        """(team, user) → whether the membership item exists (checked in each raise)."""
        self.held: dict[tuple[str, str], dict[str, TeamContribution]] = {}
        self.states: dict[tuple[str, str], TeamQuestStanding] = {}
        self.raises = 0
        self.open: set[tuple[str, str]] = set()
        """Payouts reached and not settled (the real store's sparse GSI1 entries)."""

    def contribution(self, team_id: str, quest_id: str, user_id: str) -> TeamContribution | None:
        return self.held.get((team_id, quest_id), {}).get(user_id)

    def contribute(self, team_id: str, quest: QuestDefinition, user_id: str, count: int) -> bool:
        held = self.contribution(team_id, quest.id, user_id)
        if (
            not self._is_member(team_id, user_id)
            or raise_to(held.count if held else None, count) == 0
        ):
            return False
        self.held.setdefault((team_id, quest.id), {})[user_id] = TeamContribution(
            user_id, count, held.paid if held else False
        )
        self.raises += 1
        return True

    def standing(self, team_id: str, quest_id: str) -> TeamQuestStanding:
        held = self.held.get((team_id, quest_id), {})
        state = self.states.get((team_id, quest_id), TeamQuestStanding())
        return replace(state, progress=sum(c.count for c in held.values()), contributors=len(held))

    def standings(self, team_id: str, quest_ids: Sequence[str]) -> dict[str, TeamQuestStanding]:
        return {q: self.standing(team_id, q) for q in quest_ids}

    def reach(self, team_id: str, quest: QuestDefinition, now: datetime) -> datetime:
        state = self.states.get((team_id, quest.id), TeamQuestStanding())
        if state.reached_at is None:
            state = replace(state, reached_at=now)
            self.states[(team_id, quest.id)] = state
            self.open.add((team_id, quest.id))
        assert state.reached_at is not None
        return state.reached_at

    def mark_settled(self, team_id: str, quest: QuestDefinition) -> None:
        state = self.states.get((team_id, quest.id), TeamQuestStanding())
        self.states[(team_id, quest.id)] = replace(state, settled=True, cursor=PayoutCursor())
        self.open.discard((team_id, quest.id))

    def advance(
        self, team_id: str, quest: QuestDefinition, held: PayoutCursor, to: PayoutCursor
    ) -> bool:
        state = self.states.get((team_id, quest.id), TeamQuestStanding())
        if state.settled or state.cursor != held:
            return False
        self.states[(team_id, quest.id)] = replace(state, cursor=to)
        return True

    def open_payouts(self) -> list[tuple[str, str]]:
        return sorted(self.open)

    def mark_paid(self, team_id: str, quest: QuestDefinition, user_id: str) -> None:
        held = self.held.get((team_id, quest.id), {})
        if user_id in held:
            held[user_id] = replace(held[user_id], paid=True)

    def contributions(self, team_id: str, quest_id: str) -> Iterator[TeamContribution]:
        yield from sorted(self.held.get((team_id, quest_id), {}).values(), key=lambda c: c.user_id)

    def contributions_page(
        self, team_id: str, quest_id: str, after: str | None, limit: int
    ) -> tuple[list[TeamContribution], str | None]:
        page = [
            c for c in self.contributions(team_id, quest_id) if after is None or c.user_id > after
        ][:limit]
        return page, (page[-1].user_id if page else None)
