"""The team routes' bodies and answers (issue #30)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gamification.domain.periods import Period
from gamification.domain.teams import CODE_MAX, DESCRIPTION_MAX, MAX_MEMBERS_LIMIT, NAME_MAX
from gamification.services.read_models import ReadModel


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    join: Literal["open", "code", "admin"] = Field(
        default="open",
        description="`open`: anyone joins; `code`: joining needs `code`; `admin`: only an admin "
        "adds members.",
    )
    max_members: int = Field(default=1000, ge=1, le=MAX_MEMBERS_LIMIT)
    code: str | None = Field(
        default=None,
        min_length=4,
        max_length=CODE_MAX,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Required when `join` is `code`; refused otherwise.",
    )


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(default=None, min_length=1, max_length=CODE_MAX)


class TeamOut(ReadModel):
    team_id: str
    name: str
    description: str
    join: Literal["open", "code", "admin"]
    max_members: int
    members: int


class TeamAdminOut(TeamOut):
    code: str | None


class TeamListOut(ReadModel):
    teams: list[TeamOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class MyTeamOut(TeamOut):
    joined_at: datetime


class MyTeamsOut(ReadModel):
    teams: list[MyTeamOut]
    limit: int = Field(description="How many teams you may be in at once.")


class MembershipOut(ReadModel):
    team_id: str
    user_id: str
    member: bool
    changed: bool = Field(description="False when nothing had to change (a repeated request).")


class TeamEntryOut(ReadModel):
    rank: int = Field(description="`RANK()` by `value` (ties share a rank).")
    team_id: str
    name: str | None
    value: float = Field(description="The metric's value: XP, or XP per member for `average`.")


class TeamBoardOut(ReadModel):
    period: Period
    week: str | None
    metric: Literal["total", "average", "top5"]
    total: int = Field(description="Teams on the board.")
    entries: list[TeamEntryOut]
    stale: bool = Field(
        default=False,
        description="True while the team boards may be behind the truth: the cache lost data "
        "and their rebuild has not finished (docs/teams.md#reconciliation).",
    )


class MemberEntryOut(ReadModel):
    rank: int
    user_id: str
    display_name: str | None
    xp: int


class TeamMembersBoardOut(ReadModel):
    team_id: str
    period: Period
    week: str | None
    xp: int = Field(description="The team's total: every member counts, listed or not.")
    members: int
    listed: int = Field(
        description="Members shown: hidden or excluded members count in `xp` but are not listed."
    )
    entries: list[MemberEntryOut]
    stale: bool = Field(
        default=False,
        description="True while the team boards may be behind the truth: the cache lost data "
        "and their rebuild has not finished (docs/teams.md#reconciliation).",
    )
