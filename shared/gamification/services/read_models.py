"""The read side's answers: one definition of each shape a query returns and the API sends.

The query services build these and the routers return them as they are, so a new profile field
is one edit here (and ``make openapi``). They are pydantic models, the schemas of the OpenAPI
document, and live with the services rather than in ``api`` so the services never import the
HTTP layer; the request bodies and the write routes' answers are ``api/bodies.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gamification.domain.periods import Period
from gamification.domain.quests import QuestCriterion


class Model(BaseModel):
    """Validators are built on first use, not at import: a function builds only the models of
    the routes it serves, and a cold start only those of the route it answers first."""

    model_config = ConfigDict(defer_build=True)


class ReadModel(Model):
    """Also readable from any object with the same attributes (``model_validate``)."""

    model_config = ConfigDict(from_attributes=True)


# -- profiles ----------------------------------------------------------------------------------


class LevelOut(ReadModel):
    level: int
    xp_into_level: int
    xp_to_next_level: int
    level_floor_xp: int
    next_level_xp: int
    fraction: float = Field(description="Progress through the current level, 0 to 1.")


class StreakOut(ReadModel):
    current: int = Field(description="Days in a row, still alive today (0 once broken).")
    longest: int
    active_today: bool
    expires_at: datetime | None = Field(description="When it breaks unless the user acts.")


class DailyStreakOut(StreakOut):
    freezes: int = Field(description="Streak freezes held now (each covers one missed day).")
    frozen_days: list[date] = Field(
        description="The latest days a freeze covered (user's local days, oldest first), "
        "including days missed since the last active day that held freezes will cover."
    )


class SettingsOut(ReadModel):
    display_name: str | None
    timezone: str
    push_enabled: bool
    leaderboard_visible: bool = Field(
        default=True,
        description="False: you are on no public board and in nobody's around-me view; your "
        "XP, levels and badges stay, and you still see your own rank.",
    )


class ProfileOut(ReadModel):
    user_id: str
    display_name: str | None
    xp: int
    level: int
    progress: LevelOut
    weekly_xp: int = Field(description="XP earned in the current ISO week (UTC).")
    streak: DailyStreakOut
    challenge_streak: StreakOut
    rank: int | None = Field(description="All-time rank; null when unranked or unavailable.")
    rank_available: bool = Field(description="False while the leaderboard cache is down.")
    badge_count: int


class MyProfileOut(ProfileOut):
    settings: SettingsOut
    league: LeagueSummaryOut


# -- leagues -----------------------------------------------------------------------------------


class TierOut(ReadModel):
    index: int = Field(description="0 is the first (lowest) tier.")
    name: str


class LeagueResultOut(ReadModel):
    week: str = Field(description="The ISO week (UTC) that was closed.")
    rank: int
    weekly_xp: int
    movement: Literal["promoted", "demoted", "stayed"]
    from_tier: TierOut
    to_tier: TierOut


class LeagueSummaryOut(ReadModel):
    tier: TierOut = Field(description="The tier you play in next (or this week, once joined).")
    week: str | None = Field(description="The ISO week of your latest cohort.")
    last_result: LeagueResultOut | None


class CohortEntryOut(ReadModel):
    rank: int = Field(description="SQL RANK() by this week's XP: ties share a rank.")
    user_id: str
    display_name: str | None
    weekly_xp: int


class ZonesOut(ReadModel):
    promotion_up_to_rank: int | None = Field(
        description="Ranks 1..N would be promoted if the week ended now; null: nobody."
    )
    demotion_from_rank: int | None = Field(
        description="Ranks from N down would be demoted if the week ended now; null: nobody."
    )


class MyLeagueOut(ReadModel):
    week: str = Field(description="The current ISO week (UTC).")
    closes_at: datetime = Field(description="When the week ends (Monday 00:00 UTC).")
    tier: TierOut
    joined: bool = Field(description="False until your first XP-earning activity this week.")
    cohort: int | None
    size: int = Field(description="Members with XP this week.")
    entries: list[CohortEntryOut]
    me: CohortEntryOut | None = Field(description="Your row (null until you joined).")
    zones: ZonesOut | None
    source: Literal["cache", "table"] = Field(
        description="`table` while the cache may be incomplete: read from DynamoDB, exact."
    )
    last_result: LeagueResultOut | None


class TiersOut(ReadModel):
    tiers: list[TierOut]
    cohort_size: int
    promote_percent: int = Field(description="Top % (rounded up, ≥ 1) of members with XP.")
    demote_percent: int = Field(description="Bottom % (rounded down) of the members.")


# -- badges ------------------------------------------------------------------------------------


class ProgressOut(ReadModel):
    current: int
    target: int


class BadgeLevelOut(ReadModel):
    held: int = Field(description="Levels earned (0: none yet).")
    name: str | None = Field(description="The highest level earned, e.g. `Silver`.")
    levels: int = Field(description="How many levels the badge has.")
    next: str | None = Field(description="The next level's name; `null` once the top is held.")


class UserBadgeOut(ReadModel):
    id: str
    name: str | None
    description: str | None
    icon: str | None
    earned: bool
    earned_at: datetime | None
    progress: ProgressOut | None = Field(
        description="Toward the badge; for a tiered badge, toward its next level (the top "
        "level's once every level is held)."
    )
    retired: bool = Field(description="Earned, but the definition has since been removed.")
    level: BadgeLevelOut | None = Field(
        default=None, description="A tiered badge's levels (Bronze/Silver/Gold...); else null."
    )


class UserBadgesOut(ReadModel):
    user_id: str
    earned_count: int
    badges: list[UserBadgeOut]


# -- quests ------------------------------------------------------------------------------------


class QuestOut(ReadModel):
    id: str
    name: str
    description: str
    starts_at: datetime
    ends_at: datetime
    criteria: QuestCriterion
    reward_xp: int
    reward_badge: str | None


class ListedQuestOut(QuestOut):
    status: Literal["active", "upcoming", "ended"] = Field(
        description="`ended` only on your own list, for a quest you completed."
    )


class QuestCatalogOut(ReadModel):
    quests: list[ListedQuestOut]


class UserQuestOut(ListedQuestOut):
    progress: ProgressOut
    completed: bool
    completed_at: datetime | None


class UserQuestsOut(ReadModel):
    user_id: str
    quests: list[UserQuestOut]


# -- leaderboards ------------------------------------------------------------------------------


class EntryOut(ReadModel):
    rank: int = Field(description="SQL RANK(): ties share a rank, the next rank skips.")
    user_id: str
    display_name: str | None
    xp: int
    level: int


class LeaderboardOut(ReadModel):
    period: Period
    week: str | None = Field(description="The ISO week (UTC) of a weekly board.")
    total: int
    offset: int
    limit: int
    entries: list[EntryOut]
    stale: bool = Field(description="True when served from a snapshot while Redis is down.")
    as_of: datetime | None = Field(description="When the snapshot was taken (stale only).")


class AroundOut(ReadModel):
    period: Period
    week: str | None
    user_id: str
    rank: int | None = Field(description="Null when the user is not on this board.")
    total: int
    entries: list[EntryOut]
    stale: bool
    as_of: datetime | None


# -- health ------------------------------------------------------------------------------------


class HealthOut(ReadModel):
    """Liveness of the public edge (gateway and a function), not of the dependencies: a public
    probe that reached DynamoDB and Redis would let anyone spend them, and the API answers
    through a Redis outage anyway (stale boards). Dependencies are watched by alarms."""

    status: Literal["ok"]


# -- account lifecycle -------------------------------------------------------------------------


class ExclusionOut(ReadModel):
    user_id: str
    excluded: bool
    reason: str | None
    excluded_at: datetime | None


# -- dry runs ----------------------------------------------------------------------------------


class BadgeDryRunOut(ReadModel):
    """What saving the definition would do now, for the players this call read."""

    scanned: int = Field(description="Profiles read by this call (at most `limit`).")
    qualifying: int = Field(description="Of those, users who meet the criterion now.")
    already_held: int = Field(description="Of those, users who already hold this badge id.")
    newly_earned: int = Field(description="Badges and levels users would newly earn.")
    notifications: int = Field(
        description="In-app notifications going live would write (one per newly reached level; "
        "0 with `notify_backfill: false`)."
    )
    pushes: int = Field(description="Of those, the ones also pushed (push on).")
    levels: dict[str, int] = Field(description="Users at or past each level (or the badge).")
    distribution: dict[str, int] = Field(
        description="Users by progress toward the badge's first level: 0%, 1-24% ... 100%."
    )
    sample: list[str] = Field(description="Up to 10 users who would newly earn it.")
    not_yet_counted: list[str] = Field(
        description="Tallies the definition reads that no live badge keeps: everyone is at 0 on "
        "them until it goes live (past attributes are stored nowhere)."
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` to go on; `null` once every player was read."
    )


class QuestDryRunOut(ReadModel):
    """What saving the quest would do, for the players this call read."""

    carried: bool = Field(
        description="Stored progress counts for it (the live quest of this id has the same "
        "criterion and window); `false`: everyone starts at 0 when it goes live."
    )
    scanned: int = Field(description="Profiles read by this call (at most `limit`).")
    completing: int = Field(
        description="Users whose count already reaches the target (a lowered target): each "
        "completes, and is notified, with their next activity (a quest has no backfill)."
    )
    already_completed: int
    notifications: int = Field(description="Completion notifications those users would get.")
    pushes: int = Field(description="Of those, the ones also pushed (push on).")
    distribution: dict[str, int] = Field(description="Users by progress: 0%, 1-24% ... 100%.")
    sample: list[str] = Field(description="Up to 10 users who would complete it.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` to go on; `null` once every player was read."
    )
