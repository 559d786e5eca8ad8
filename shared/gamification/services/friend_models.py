"""The friend routes' answers (issue #29), kept apart from ``read_models`` so the friend
feature is one set of modules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from gamification.domain.periods import Period
from gamification.services.read_models import ReadModel


class RelationOut(ReadModel):
    user_id: str
    following: bool = Field(description="You follow them.")
    follows_you: bool = Field(description="They follow you (only said once you follow them).")
    friends: bool = Field(description="You follow each other.")
    blocked: bool = Field(description="You block them.")


class FollowEntryOut(ReadModel):
    user_id: str
    display_name: str | None
    since: datetime = Field(description="When the follow (or block) was made.")
    mutual: bool = Field(description="The follow goes both ways: you are friends.")


class FollowListOut(ReadModel):
    entries: list[FollowEntryOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; `null` on the last. A page may hold "
        "fewer than `limit` entries (followers you may not see are left out)."
    )


class FriendEntryOut(ReadModel):
    rank: int = Field(description="`RANK()` among you and the users you follow.")
    user_id: str
    display_name: str | None
    xp: int
    level: int
    me: bool


class FriendBoardOut(ReadModel):
    period: Period
    week: str | None
    entries: list[FriendEntryOut]
    total: int = Field(description="Entries ranked: you and those you follow with XP listed.")
    stale: bool = Field(
        description="The cache could not be trusted (down, or being rebuilt): the board was "
        "computed from the stored profiles instead (exact, slower)."
    )


class FriendStreakOut(ReadModel):
    user_id: str = Field(description="Your partner.")
    display_name: str | None
    status: Literal["invited", "invited_me", "active"] = Field(
        description="`invited`: waiting for them; `invited_me`: accept with the same PUT."
    )
    since: datetime
    started_on: date | None = Field(description="The pair's first day (active streaks).")
    current: int = Field(description="Consecutive days on which you were both active.")
    longest: int
    both_active_today: bool
    at_risk: bool = Field(description="Alive, and one of you has not been active today yet.")


class FriendStreaksOut(ReadModel):
    streaks: list[FriendStreakOut]
