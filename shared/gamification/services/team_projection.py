"""The team boards' projection: member XP and membership changes → each team's standing.

Exactly once without increments: a team keeps each *current* member's contribution on each
board as that member's absolute XP there, only ever raised (the projector's ``ZADD GT`` idea,
applied per member, not to the sum), and its total is maintained in the same atomic step as
the contribution it sums (adapter: one Lua script per team). So a redelivered or late profile
image raises nothing, a leave removes exactly the leaver's entry, and the total is always the
sum over current members (property test: tests/services/test_team_projection_properties.py).

The two stream inputs race; the order of the steps below closes the race without locks:

- a profile image: read the user's teams, then contribute to each (a team ignores non-members);
- a join: admit the member (both membership sets) *first*, then read their profile from the
  truth, then contribute it. Either the profile path ran its contribution after the admit (it
  counts), or its read of the teams came before the admit, and then the join's profile read
  comes after that profile's commit (it counts). A leave removes the member first: later
  contributions are ignored.

Team standings are then ranked across teams with a per-team version (``rank``), so two
projector invocations writing the same team in the opposite order keep the newer standing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from gamification.domain.boards import PlayerScore
from gamification.domain.teams import (
    MemberScore,
    MembershipChange,
    TeamStanding,
    live_boards,
    member_score,
)

# -- ports (adapter: adapters/team_boards.TeamBoards; fake: tests/fakes/teams.py) -------------


class TeamBoardStore(Protocol):
    def teams_of(self, user_ids: Collection[str]) -> dict[str, set[str]]:
        """The teams each of ``user_ids`` is in (users in none are left out)."""
        ...

    def admit(
        self, team_id: str, user_id: str, joined_at: datetime, boards: Sequence[str]
    ) -> TeamStanding:
        """Make ``user_id`` a member since ``joined_at`` (no contribution yet); the standing on
        ``boards``."""
        ...

    def contribute(
        self, team_id: str, scores: Sequence[MemberScore], now: datetime
    ) -> TeamStanding:
        """Raise each member's contribution to their XP on each board (never lower it),
        atomically per team. Ignored: a non-member's, a week that ended before the member
        joined (``week_open_to``), an expired weekly board."""
        ...

    def leave(self, team_id: str, user_id: str, boards: Sequence[str]) -> TeamStanding:
        """Take ``user_id`` off the team and their contribution off ``boards`` (other boards,
        closed weeks, keep it), atomically."""
        ...

    def rank(self, standings: Sequence[TeamStanding], now: datetime) -> None:
        """Write each standing on the boards across teams, unless a newer version is there."""
        ...


ProfileScore = Callable[[str], PlayerScore | None]
"""The user's current scores from the truth (a strongly consistent read of the profile)."""


class TeamProjector:
    def __init__(
        self, store: TeamBoardStore, profile_score: ProfileScore, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._profile_score = profile_score
        self._clock = clock

    def project_scores(self, players: Iterable[PlayerScore]) -> int:
        """Contribute each profile image to the user's teams (one atomic step per team).
        Returns the number of team steps."""
        scores = [member_score(p) for p in players]
        if not scores:
            return 0
        teams = self._store.teams_of({s.user_id for s in scores})
        by_team: dict[str, list[MemberScore]] = {}
        for score in scores:
            for team_id in sorted(teams.get(score.user_id, ())):
                by_team.setdefault(team_id, []).append(score)
        now = self._clock()
        standings = [self._store.contribute(t, s, now) for t, s in sorted(by_team.items())]
        if standings:
            self._store.rank(standings, now)
        return len(standings)

    def project_memberships(self, changes: Iterable[MembershipChange]) -> int:
        """Apply joins and leaves in stream order (see the module's docstring for why a join
        admits before it reads the profile)."""
        standings: list[TeamStanding] = []
        for change in changes:
            boards = live_boards(change.at)
            if change.joined:
                standings.append(
                    self._store.admit(change.team_id, change.user_id, change.at, boards)
                )
                player = self._profile_score(change.user_id)
                if player is not None:
                    standings.append(
                        self._store.contribute(
                            change.team_id, [member_score(player)], self._clock()
                        )
                    )
            else:
                standings.append(self._store.leave(change.team_id, change.user_id, boards))
        if standings:
            self._store.rank(standings, self._clock())
        return len(standings)
