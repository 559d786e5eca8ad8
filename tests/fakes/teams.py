"""In-memory team boards: the ``TeamBoardStore`` port of ``services.team_projection`` (real:
``adapters.team_boards.TeamBoards``; tests/adapters/contracts/test_team_boards.py holds them
equal). Each method is one atomic step, as each Lua script is."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from gamification.domain.boards import PlayerScore, encode_score
from gamification.domain.team_rebuild import MemberRow, RebuiltMember
from gamification.domain.teams import (
    METRICS,
    TOP_N,
    MemberScore,
    Membership,
    Metric,
    Team,
    TeamError,
    TeamNotFoundError,
    TeamStanding,
    team_board_expiry,
    team_value,
    week_open_to,
)


@dataclass
class FakeTeam:
    members: dict[str, datetime] = field(default_factory=dict)
    xp: dict[str, dict[str, int]] = field(default_factory=dict)
    """board -> member -> contribution."""
    listed: dict[str, dict[str, int]] = field(default_factory=dict)
    """board -> listed member -> the global board's score."""
    version: int = 0


class FakeTeamBoards:
    def __init__(self) -> None:
        self.teams: dict[str, FakeTeam] = {}
        self.of: dict[str, set[str]] = {}
        self.ranked: dict[tuple[str, Metric], dict[str, float]] = {}
        self.rank_versions: dict[tuple[str, str], int] = {}
        self.display_names: dict[str, str] = {}
        self.generation: str | None = "fake"
        """The marker (``None``: lost, the boards answer stale)."""

    def _team(self, team_id: str) -> FakeTeam:
        return self.teams.setdefault(team_id, FakeTeam())

    def teams_of(self, user_ids: Collection[str]) -> dict[str, set[str]]:
        return {u: set(self.of[u]) for u in user_ids if self.of.get(u)}

    def admit(
        self, team_id: str, user_id: str, joined_at: datetime, boards: Sequence[str]
    ) -> TeamStanding:
        self.of.setdefault(user_id, set()).add(team_id)
        team = self._team(team_id)
        if user_id not in team.members:
            team.members[user_id] = joined_at
            team.version += 1
        return self.standing(team_id, boards)

    def contribute(
        self, team_id: str, scores: Sequence[MemberScore], now: datetime
    ) -> TeamStanding:
        team = self._team(team_id)
        boards = sorted({b for s in scores for b in s.boards if _writable(b, now)})
        changed = False
        for score in scores:
            joined = team.members.get(score.user_id)
            if joined is None:
                continue
            for board in boards:
                xp = score.boards.get(board)
                if xp is None or not week_open_to(board, joined):
                    continue
                contributions = team.xp.setdefault(board, {})
                if xp > contributions.get(score.user_id, -1):
                    contributions[score.user_id] = xp
                    changed = True
                listed = team.listed.setdefault(board, {})
                if score.listed and xp > 0:
                    new = encode_score(xp, score.xp_at)
                    listed[score.user_id] = min(new, listed.get(score.user_id, new))
                else:
                    listed.pop(score.user_id, None)
        if changed:
            team.version += 1
        return self.standing(team_id, boards)

    def leave(self, team_id: str, user_id: str, boards: Sequence[str]) -> TeamStanding:
        team = self._team(team_id)
        if team.members.pop(user_id, None) is not None:
            for board in boards:
                team.xp.get(board, {}).pop(user_id, None)
                team.listed.get(board, {}).pop(user_id, None)
            team.version += 1
        self.of.get(user_id, set()).discard(team_id)
        return self.standing(team_id, boards)

    def rank(self, standings: Sequence[TeamStanding], now: datetime) -> None:
        for standing in standings:
            for board, total in standing.totals.items():
                if not _writable(board, now):
                    continue
                if standing.version <= self.rank_versions.get((board, standing.team_id), -1):
                    continue
                self.rank_versions[(board, standing.team_id)] = standing.version
                for metric in METRICS:
                    self.ranked.setdefault((board, metric), {})[standing.team_id] = team_value(
                        metric, total, standing.members, standing.top.get(board, ())
                    )

    # -- reconciliation ------------------------------------------------------------------------

    def complete(self) -> bool:
        return self.generation is not None

    def stamp(self, generation: str) -> None:
        self.generation = generation

    def flush(self) -> None:
        """Redis lost everything (the marker too)."""
        self.teams, self.of, self.ranked, self.rank_versions = {}, {}, {}, {}
        self.generation = None

    def rebuild(self, run: str) -> FakeTeamRebuild:
        return FakeTeamRebuild(self)

    def drop_teams(self, board: str, keep: Collection[str]) -> list[str]:
        gone = {t for (b, t) in self.rank_versions if b == board and t not in keep}
        for team in gone:
            del self.rank_versions[(board, team)]
            for metric in METRICS:
                self.ranked.get((board, metric), {}).pop(team, None)
        return sorted(gone)

    # -- reads -----------------------------------------------------------------------------

    def standing(self, team_id: str, boards: Sequence[str]) -> TeamStanding:
        team = self._team(team_id)
        return TeamStanding(
            team_id,
            team.version,
            len(team.members),
            totals={b: sum(team.xp.get(b, {}).values()) for b in boards},
            top={
                b: tuple(sorted(team.xp.get(b, {}).values(), reverse=True)[:TOP_N]) for b in boards
            },
        )

    def ranked_teams(
        self, board: str, metric: Metric, offset: int, limit: int
    ) -> tuple[list[tuple[str, float]], int, int]:
        values = self.ranked.get((board, metric), {})
        ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
        rows = ordered[offset : offset + limit]
        higher = sum(1 for _, v in ordered if rows and v > rows[0][1])
        return rows, len(ordered), higher

    def names(self, user_ids: Sequence[str]) -> dict[str, str]:
        return {u: self.display_names[u] for u in user_ids if u in self.display_names}

    def member_page(
        self, team_id: str, board: str, offset: int, limit: int
    ) -> tuple[list[tuple[str, int]], int, int]:
        from gamification.adapters.board_schema import decode_xp

        listed = self._team(team_id).listed.get(board, {})
        ordered = sorted(listed.items(), key=lambda item: (item[1], item[0]))
        rows = [(u, decode_xp(s)) for u, s in ordered[offset : offset + limit]]
        higher = sum(1 for _, s in ordered if rows and decode_xp(s) > rows[0][1])
        return rows, len(ordered), higher


class FakeTeamRebuild:
    """A pass's temporary teams (real: ``adapters.team_rebuild.TeamBoardRebuild``)."""

    def __init__(self, boards: FakeTeamBoards) -> None:
        self._boards = boards
        self.built: dict[str, FakeTeam] = {}
        self.seen: dict[str, set[str]] = {}

    def add(self, members: Sequence[RebuiltMember], boards: Sequence[str]) -> None:
        for m in members:
            team = self.built.setdefault(m.team_id, FakeTeam())
            team.members[m.user_id] = m.joined_at
            for board in boards:
                if board in m.xp:
                    team.xp.setdefault(board, {})[m.user_id] = m.xp[board]
                if board in m.listed:
                    team.listed.setdefault(board, {})[m.user_id] = m.listed[board]
            self._boards.of.setdefault(m.user_id, set()).add(m.team_id)

    def teams(self) -> Iterator[str]:
        yield from list(self.built)

    def swap(
        self, team_id: str, boards: Sequence[str]
    ) -> tuple[TeamStanding, dict[str, tuple[int, int, int]], bool]:
        live = self._boards.teams.get(team_id, FakeTeam())
        built = self.built.pop(team_id, FakeTeam())
        drift = {}
        for board in boards:
            old, new = live.xp.get(board, {}), built.xp.get(board, {})
            drift[board] = (
                len(new.keys() - old.keys()),
                len(old.keys() - new.keys()),
                sum(1 for u in new.keys() & old.keys() if new[u] != old[u]),
            )
        had = live.version > 0
        built.version = live.version + 1
        self._boards.teams[team_id] = built
        return self._boards.standing(team_id, boards), drift, had

    def see(self, team_id: str, user_ids: Sequence[str]) -> None:
        self.seen.setdefault(team_id, set()).update(user_ids)

    def unseen(self, team_id: str, limit: int) -> list[str]:
        members = self._boards.teams.get(team_id, FakeTeam()).members
        return sorted(u for u in members if u not in self.seen.get(team_id, set()))[:limit]

    def finish(self, team_ids: Sequence[str]) -> None:
        self.seen.clear()


def _writable(board: str, now: datetime) -> bool:
    expires = team_board_expiry(board)
    return expires is None or expires > now


class FakeTeamStore:
    """``services.teams.TeamStore`` in memory (real: ``adapters.team_repository``;
    tests/adapters/contracts/test_team_store.py holds them equal)."""

    def __init__(self) -> None:
        self.teams: dict[str, Team] = {}
        self.joined: dict[str, dict[str, Membership]] = {}

    def get(self, team_id: str, consistent: bool = False) -> Team | None:
        return self.teams.get(team_id)

    def put(self, team: Team) -> bool:
        old = self.teams.get(team.team_id)
        self.teams[team.team_id] = replace(team, members=old.members if old else 0)
        return old is None

    def delete(self, team_id: str) -> bool:
        team = self.teams.get(team_id)
        if team is None:
            return False
        if team.members:
            raise TeamError("team_not_empty", "remove the team's members first")
        del self.teams[team_id]
        return True

    def directory(self, cursor: str | None, limit: int) -> tuple[list[Team], str | None]:
        ids = sorted(t for t in self.teams if cursor is None or t > cursor)
        page = ids[:limit]
        return [self.teams[t] for t in page], page[-1] if len(ids) > limit else None

    def many(self, team_ids: list[str]) -> dict[str, Team]:
        return {t: self.teams[t] for t in team_ids if t in self.teams}

    def join(self, team_id: str, user_id: str, at: datetime, *, limit: int, by_admin: bool) -> bool:
        mine = self.joined.setdefault(user_id, {})
        if team_id in mine:
            return False
        team = self.teams.get(team_id)
        if team is None:
            raise TeamNotFoundError(team_id)
        if team.members >= team.max_members:
            raise TeamError("team_full", "the team has its most members")
        if len(mine) >= limit:
            raise TeamError("team_limit", "you are in the most teams allowed")
        mine[team_id] = Membership(team_id, at, by_admin)
        self.teams[team_id] = replace(team, members=team.members + 1)
        return True

    def leave(self, team_id: str, user_id: str) -> bool:
        if self.joined.get(user_id, {}).pop(team_id, None) is None:
            return False
        team = self.teams[team_id]
        self.teams[team_id] = replace(team, members=team.members - 1)
        return True

    def memberships(self, user_id: str) -> list[Membership]:
        return sorted(self.joined.get(user_id, {}).values(), key=lambda m: m.team_id)

    # -- the roster of team quests (services.team_quests.TeamRoster) --

    def memberships_of(self, user_id: str) -> list[str]:
        return [m.team_id for m in self.memberships(user_id)]

    def is_member(self, team_id: str, user_id: str) -> bool:
        return team_id in self.joined.get(user_id, {})

    def exists(self, team_id: str) -> bool:
        return team_id in self.teams

    def members(self, team_id: str) -> list[str]:
        return sorted(u for u, teams in self.joined.items() if team_id in teams)

    def members_page(
        self, team_id: str, after: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        page = [u for u in self.members(team_id) if after is None or u > after][:limit]
        return page, (page[-1] if page else None)


class FakeTeamTruth:
    """``services.team_reconciliation.TeamTruth`` over a ``FakeTeamStore`` and profiles (real:
    ``adapters.team_truth.TeamTruthReader``; tests/adapters/contracts/test_team_truth.py)."""

    def __init__(
        self, store: FakeTeamStore, players: dict[str, PlayerScore], page_size: int = 2
    ) -> None:
        self.store = store
        self.players = players
        self._page_size = page_size

    def memberships(self) -> Iterator[list[MemberRow]]:
        rows = [
            MemberRow(m.team_id, user, m.joined_at)
            for user, teams in sorted(self.store.joined.items())
            for m in sorted(teams.values(), key=lambda m: m.team_id)
        ]
        for start in range(0, len(rows), self._page_size):
            yield rows[start : start + self._page_size]
        if not rows:
            yield []

    def profiles(self, user_ids: Sequence[str]) -> dict[str, PlayerScore]:
        return {u: self.players[u] for u in user_ids if u in self.players}

    def joined_at(self, team_id: str, user_id: str) -> datetime | None:
        found = self.store.joined.get(user_id, {}).get(team_id)
        return None if found is None else found.joined_at

    def teams(self) -> Iterator[str]:
        yield from sorted(self.store.teams)
