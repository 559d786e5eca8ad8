"""Teams (issue #30): admins define them, users join and leave, everyone reads the boards.

Writes go to the table only (the API functions are outside the VPC): a membership item's stream
record reaches the projector, which moves the team boards (``services/team_projection.py``).
Reads of the boards come from Redis (the query function).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from gamification.domain.boards import ALLTIME, LeaderboardUnavailableError, weekly
from gamification.domain.periods import Period, iso_week
from gamification.domain.ranking import competition_ranks
from gamification.domain.teams import (
    Membership,
    Metric,
    Team,
    TeamError,
    TeamNotFoundError,
    TeamStanding,
    check_join,
)
from gamification.services.team_models import (
    MemberEntryOut,
    MembershipOut,
    MyTeamOut,
    MyTeamsOut,
    TeamAdminOut,
    TeamBoardOut,
    TeamEntryOut,
    TeamIn,
    TeamListOut,
    TeamMembersBoardOut,
    TeamOut,
)

# -- ports (adapters: team_repository.TeamRepository, team_boards.TeamBoards; fakes:
#    tests/fakes/teams.py) ----------------------------------------------------------------------


class TeamStore(Protocol):
    def get(self, team_id: str, consistent: bool = False) -> Team | None: ...
    def put(self, team: Team) -> bool: ...
    def delete(self, team_id: str) -> bool: ...
    def directory(self, cursor: str | None, limit: int) -> tuple[list[Team], str | None]: ...
    def many(self, team_ids: list[str]) -> dict[str, Team]: ...
    def join(
        self, team_id: str, user_id: str, at: datetime, *, limit: int, by_admin: bool
    ) -> bool: ...
    def leave(self, team_id: str, user_id: str) -> bool: ...
    def memberships(self, user_id: str) -> list[Membership]: ...


class TeamBoardReader(Protocol):
    def ranked_teams(
        self, board: str, metric: Metric, offset: int, limit: int
    ) -> tuple[list[tuple[str, float]], int, int]: ...
    def member_page(
        self, team_id: str, board: str, offset: int, limit: int
    ) -> tuple[list[tuple[str, int]], int, int]: ...
    def standing(self, team_id: str, boards: Sequence[str]) -> TeamStanding: ...
    def names(self, user_ids: Sequence[str]) -> dict[str, str]: ...
    def complete(self) -> bool:
        """``False`` while the boards may have lost data and are not rebuilt (``stale``)."""
        ...


class TeamBoardUnavailableError(RuntimeError):
    """The cache holding the team boards cannot be read (503: retry; nothing is served from
    the table: docs/teams.md#reconciliation)."""


def _out(team: Team) -> TeamOut:
    return TeamOut(
        team_id=team.team_id,
        name=team.name,
        description=team.description,
        join=team.join,
        max_members=team.max_members,
        members=team.members,
    )


def _admin_out(team: Team) -> TeamAdminOut:
    return TeamAdminOut(**_out(team).model_dump(), code=team.code)


class TeamService:
    """Admin definitions and the membership writes."""

    def __init__(
        self, store: TeamStore, clock: Callable[[], datetime], max_teams_per_user: int
    ) -> None:
        self._store = store
        self._clock = clock
        self._limit = max_teams_per_user

    def put(self, team_id: str, body: TeamIn) -> tuple[bool, TeamAdminOut]:
        if body.join == "code" and body.code is None:
            raise TeamError("invalid_team", "a team joined with a code needs `code`")
        if body.join != "code" and body.code is not None:
            raise TeamError("invalid_team", "`code` is only for teams joined with a code")
        team = Team(team_id, body.name, body.description, body.join, body.max_members, body.code)
        created = self._store.put(team)
        saved = self._store.get(team_id, consistent=True) or team
        return created, _admin_out(saved)

    def get(self, team_id: str) -> TeamAdminOut:
        team = self._store.get(team_id, consistent=True)
        if team is None:
            raise TeamNotFoundError(team_id)
        return _admin_out(team)

    def delete(self, team_id: str) -> None:
        if not self._store.delete(team_id):
            raise TeamNotFoundError(team_id)

    def join(
        self, team_id: str, user_id: str, code: str | None, *, by_admin: bool
    ) -> MembershipOut:
        team = self._store.get(team_id, consistent=True)
        if team is None:
            raise TeamNotFoundError(team_id)
        check_join(team, code, by_admin=by_admin)
        changed = self._store.join(
            team_id, user_id, self._clock(), limit=self._limit, by_admin=by_admin
        )
        return MembershipOut(team_id=team_id, user_id=user_id, member=True, changed=changed)

    def leave(self, team_id: str, user_id: str) -> MembershipOut:
        changed = self._store.leave(team_id, user_id)
        if not changed and self._store.get(team_id) is None:
            raise TeamNotFoundError(team_id)
        return MembershipOut(team_id=team_id, user_id=user_id, member=False, changed=changed)


class TeamQueries:
    """The directory, a user's teams and the boards."""

    def __init__(
        self,
        store: TeamStore,
        boards: TeamBoardReader,
        clock: Callable[[], datetime],
        max_teams_per_user: int,
    ) -> None:
        self._store = store
        self._boards = boards
        self._clock = clock
        self._limit = max_teams_per_user

    def directory(self, cursor: str | None, limit: int) -> TeamListOut:
        """Teams users may join themselves (``open`` and ``code``; ``admin`` ones are not
        listed)."""
        teams, next_cursor = self._store.directory(cursor, limit)
        return TeamListOut(
            teams=[_out(t) for t in teams if t.join != "admin"], next_cursor=next_cursor
        )

    def mine(self, user_id: str) -> MyTeamsOut:
        memberships = self._store.memberships(user_id)
        teams = self._store.many([m.team_id for m in memberships])
        return MyTeamsOut(
            teams=[
                MyTeamOut(**_out(teams[m.team_id]).model_dump(), joined_at=m.joined_at)
                for m in memberships
                if m.team_id in teams
            ],
            limit=self._limit,
        )

    def _board(self, period: Period) -> tuple[str, str | None]:
        if period is Period.ALLTIME:
            return ALLTIME, None
        week = iso_week(self._clock())
        return weekly(week), week

    def board(self, period: Period, metric: Metric, offset: int, limit: int) -> TeamBoardOut:
        board, week = self._board(period)
        try:
            rows, total, higher = self._boards.ranked_teams(board, metric, offset, limit)
            stale = not self._boards.complete()
        except LeaderboardUnavailableError as error:
            raise TeamBoardUnavailableError(str(error)) from error
        names = self._store.many([t for t, _ in rows])
        ranks = competition_ranks([v for _, v in rows], offset, higher)
        return TeamBoardOut(
            period=period,
            week=week,
            metric=metric,
            total=total,
            stale=stale,
            entries=[
                TeamEntryOut(
                    rank=rank,
                    team_id=team_id,
                    name=names[team_id].name if team_id in names else None,
                    value=round(value, 2),
                )
                for rank, (team_id, value) in zip(ranks, rows, strict=True)
            ],
        )

    def team_board(
        self, team_id: str, period: Period, offset: int, limit: int
    ) -> TeamMembersBoardOut:
        team = self._store.get(team_id)
        if team is None:
            raise TeamNotFoundError(team_id)
        board, week = self._board(period)
        try:
            standing = self._boards.standing(team_id, [board])
            rows, listed, higher = self._boards.member_page(team_id, board, offset, limit)
            names = self._boards.names([u for u, _ in rows])
            stale = not self._boards.complete()
        except LeaderboardUnavailableError as error:
            raise TeamBoardUnavailableError(str(error)) from error
        ranks = competition_ranks([xp for _, xp in rows], offset, higher)
        return TeamMembersBoardOut(
            team_id=team_id,
            period=period,
            week=week,
            xp=standing.totals.get(board, 0),
            members=standing.members,
            listed=listed,
            stale=stale,
            entries=[
                MemberEntryOut(rank=rank, user_id=user, display_name=names.get(user), xp=xp)
                for rank, (user, xp) in zip(ranks, rows, strict=True)
            ],
        )
