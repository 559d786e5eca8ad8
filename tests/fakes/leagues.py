"""In-memory cohort member lists: the ``CohortMembers`` port of ``services.league_queries`` (real:
``adapters.league_repository.LeagueRepository.members``; the contract:
tests/adapters/contracts/test_leagues.py).
"""

from __future__ import annotations

from gamification.domain.leagues import Membership


class FakeCohorts:
    def __init__(self) -> None:
        self.cohorts: dict[tuple[str, int, int], list[str]] = {}

    def seat(self, membership: Membership) -> None:
        """What the user's transaction records with the seat."""
        members = self.cohorts.setdefault((membership.week, membership.tier, membership.cohort), [])
        if membership.user_id not in members:
            members.append(membership.user_id)

    def members(self, week: str, tier: int, cohort: int) -> list[str]:
        return sorted(self.cohorts.get((week, tier, cohort), []))
