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
    locale: str = Field(default="en", description="The language of your notifications.")
    friend_passed_notices: bool = Field(
        default=True, description='"NAME passed you on the weekly board" notifications.'
    )


class PublicFriendStreakOut(ReadModel):
    """A live friend streak as a profile shows it to anyone."""

    user_id: str = Field(description="The partner.")
    display_name: str | None
    days: int = Field(description="Consecutive days on which both were active (≥ 1).")


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
    friend_streaks: list[PublicFriendStreakOut] = Field(
        default_factory=list,
        description="Live friend streaks (≤ 5), longest first; partners off the boards are "
        "left out.",
    )


class MyProfileOut(ProfileOut):
    settings: SettingsOut
    league: LeagueSummaryOut
    experience: Literal["treatment", "control"] = Field(
        default="treatment",
        description="control: the user is in the control group (docs/analytics.md): their "
        "activity counts invisibly; render no gamification and expect no notifications.",
    )


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
    mode: Literal["solo", "pair", "team"] = Field(
        default="solo",
        description="`pair`: a friend quest, done with a mutual friend; `team`: done with "
        "your team (`GET /v1/teams/{team_id}/quests`).",
    )
    pay: Literal["contributors", "members"] = Field(
        default="contributors",
        description="Team quests: who a completion pays (those who counted, or all members).",
    )


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


# -- the wallet (docs/wallet.md) ------------------------------------------------------------------


class CurrencyBalanceOut(Model):
    currency: str
    name: str
    balance: int = Field(
        description="What you can spend now. The ledger's `balance` is this plus `pending`"
    )
    pending: int = Field(
        default=0,
        description="Units earned but not spendable yet (a currency with `hold_days`); they "
        "become spendable on `next_release` and later days, by themselves",
    )
    next_release: date | None = Field(
        default=None,
        description="The earliest (UTC) day pending units become spendable; null: none pending",
    )
    expiring_soon: int = Field(
        default=0,
        description="Units whose last spendable day (UTC) is within 7 days (pending ones too)",
    )
    next_expiry: date | None = Field(
        default=None,
        description="The earliest last spendable day (UTC) of your expiring units; null: none",
    )


class WalletOut(Model):
    balances: list[CurrencyBalanceOut]
    ledger_entries: int = Field(description="Entries in your ledger (the next one's `seq`)")


class LedgerEntryOut(ReadModel):
    seq: int
    currency: str
    amount: int = Field(description="Signed: what the balance changed by")
    balance: int = Field(description="The balance after this entry (pending units included)")
    cause: str = Field(description="earn, redeem, adjust or expire")
    kind: str = Field(
        description="What earned or spent it: badge, quest, level, redeem, grant, expired..."
    )
    ref: str = Field(description="Its id: the award key, the redeem's idempotency key...")
    at: datetime
    note: str | None = None
    credits: int = Field(
        default=1, description="Credits of one commit it stands for (kind `several`: folded)"
    )
    spendable_from: date | None = Field(
        default=None,
        description="A held credit: the (UTC) day its units become spendable; null: at once",
    )


class LedgerPageOut(Model):
    entries: list[LedgerEntryOut]
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page"
    )


class PriceOut(ReadModel):
    currency: str
    amount: int


class ShopItemOut(ReadModel):
    id: str
    name: str
    description: str
    price: PriceOut
    stock: int | None = Field(description="Units ever offered; null: unlimited")
    per_user_limit: int | None
    available_from: datetime | None
    available_until: datetime | None
    fulfilment: str
    grants: str | None


class ShopListingOut(ShopItemOut):
    units_left: int | None = Field(
        default=None,
        description="Units of the global stock still on sale; null: unlimited. The sum of the "
        "stock's shards, read eventually consistent: it may lag a purchase or a raise by a "
        "moment, and the last units are decided by the redeem itself (docs/wallet.md)",
    )
    bought_so_far: int | None = Field(
        default=None,
        description="How many you bought, against `per_user_limit`; null: the item has no limit",
    )


class ShopOut(Model):
    items: list[ShopListingOut]


class RedeemOut(ReadModel):
    key: str = Field(description="Your idempotency key: the same key always gets this answer")
    item_id: str
    quantity: int
    currency: str
    amount: int = Field(description="What was debited in total")
    balance: int = Field(
        description="What you can still spend right after the debit (pending units not counted)"
    )
    fulfilment: str
    redeemed_at: datetime
    seq: int = Field(description="The ledger entry of the debit")


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
