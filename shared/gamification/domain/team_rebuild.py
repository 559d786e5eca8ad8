"""What the team boards must hold, computed from the truth (memberships and profiles): the rows a
rebuild writes, and each team's standing. Pure: the same rules as the projection
(``domain.teams``: ``member_score``, ``week_open_to``), applied to the current state instead of to
a stream of changes, so a rebuilt team equals a projected one (tests/services/
test_team_rebuild_properties.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from gamification.domain.boards import PlayerScore, encode_score
from gamification.domain.teams import TOP_N, TeamStanding, member_score, week_open_to


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One membership as the table holds it (``MEMBERSHIP#<user>`` / ``TEAM#<team>``)."""

    team_id: str
    user_id: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class RebuiltMember:
    """One member of one team as a rebuilt board holds them: per board their XP (the
    contribution) and, when listed with XP, the global board's score (the member board)."""

    team_id: str
    user_id: str
    joined_at: datetime
    xp: dict[str, int] = field(default_factory=dict)
    listed: dict[str, int] = field(default_factory=dict)


def rebuilt_members(
    rows: Iterable[MemberRow], players: Mapping[str, PlayerScore], boards: Sequence[str]
) -> list[RebuiltMember]:
    """The rows of ``boards`` for these memberships: a member without a profile is a member
    with no contribution; a week counts a member who joined before it ended (``week_open_to``);
    hidden members contribute but are not listed."""
    found: list[RebuiltMember] = []
    for row in rows:
        player = players.get(row.user_id)
        score = None if player is None else member_score(player)
        xp: dict[str, int] = {}
        listed: dict[str, int] = {}
        for board in boards:
            if score is None or board not in score.boards:
                continue
            if not week_open_to(board, row.joined_at):
                continue
            xp[board] = value = score.boards[board]
            if score.listed and value > 0:
                listed[board] = encode_score(value, score.xp_at)
        found.append(RebuiltMember(row.team_id, row.user_id, row.joined_at, xp, listed))
    return found


def truth_standings(
    members: Iterable[RebuiltMember], boards: Sequence[str]
) -> dict[str, TeamStanding]:
    """Each team's members, totals and best five on ``boards`` (version 0: not a stored step),
    what a rebuilt or a projected team must show."""
    count: dict[str, int] = {}
    values: dict[str, dict[str, list[int]]] = {}
    for member in members:
        count[member.team_id] = count.get(member.team_id, 0) + 1
        per_board = values.setdefault(member.team_id, {})
        for board in boards:
            if board in member.xp:
                per_board.setdefault(board, []).append(member.xp[board])
    return {
        team: TeamStanding(
            team,
            0,
            count[team],
            totals={b: sum(values[team].get(b, [])) for b in boards},
            top={b: tuple(sorted(values[team].get(b, []), reverse=True)[:TOP_N]) for b in boards},
        )
        for team in count
    }
