"""The API's JSON as typed dicts, and a method per route (``Operations``).

Generated from docs/openapi.json by ``python -m gamification.local.python_client``; do not edit.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict, cast

from gamify_client.transport import Transport


class AcceptedOut(TypedDict):
    key: str
    """The activity's dedupe key: reporting it again earns nothing."""
    status: NotRequired[Literal['queued']]
    occurred_at: str
    received_at: str

class ActivityBatchIn(TypedDict):
    activities: list[ActivityIn]

class ActivityIn(TypedDict):
    """An activity the signed-in user reports about themself."""
    type: Literal['comment_left', 'post_completed', 'post_read']
    """A client-reportable event type, e.g. `post_read`."""
    object_id: str
    """What it was about (the post, the comment...)."""
    occurred_at: NotRequired[str | None]
    """When it happened; defaults to now. May lie at most the back-dating window (48 h by default) in the past, and not in the future. RFC 3339 date-time with an offset, in the years 1970-8999."""
    series_id: NotRequired[str | None]
    """The series a post belongs to."""
    attributes: NotRequired[dict[str, Any]]
    """Facts the event type declares in the catalog (at most 10: strings of at most 64 characters, integers, booleans), e.g. `{"category": "python"}`. An attribute the type does not declare, or a value it does not allow, is a 400 naming `body.attributes.<name>`."""

class AdjustIn(TypedDict):
    currency: str
    amount: int
    """Positive: a grant or refund to the user; negative: a correction; not 0."""
    reason: str
    """Why: stored in the user's ledger. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed."""
    allow_negative: NotRequired[bool]
    """Let a negative amount take the balance below zero (else it is refused)."""

class AdjustOut(TypedDict):
    seq: int
    currency: str
    amount: int
    balance: int

class AllOf_Input(TypedDict):
    """Every sub-criterion met; progress counts the ones met."""
    of: list[PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Input | AnyOf_Input]
    type: Literal['all']

class AllOf_Output(TypedDict):
    """Every sub-criterion met; progress counts the ones met."""
    of: list[PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Output | AnyOf_Output]
    type: Literal['all']

class AnyOf_Input(TypedDict):
    """One sub-criterion met; progress is the one nearest its target."""
    of: list[PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Input | AnyOf_Input]
    type: Literal['any']

class AnyOf_Output(TypedDict):
    """One sub-criterion met; progress is the one nearest its target."""
    of: list[PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Output | AnyOf_Output]
    type: Literal['any']

class AroundOut(TypedDict):
    period: Period
    week: str | None
    user_id: str
    rank: int | None
    """Null when the user is not on this board."""
    total: int
    entries: list[EntryOut]
    stale: bool
    as_of: str | None

class AttemptOut(TypedDict):
    delivery_id: str
    event_id: str
    event_type: str
    attempt: int
    at: str
    status: str
    response_code: int | None
    latency_ms: int
    response: str

class AttributeSum(TypedDict):
    """The sum of an integer attribute over the accepted activities of a type (``where`` optional), e.g. minutes read ≥ 600. The attribute must be declared with ``minimum ≥ 0``, so the sum never falls."""
    type: Literal['attribute_sum']
    event_type: str
    attribute: str
    where: NotRequired[dict[str, Any] | None]
    total: int

class BadgeCatalogOut(TypedDict):
    badges: list[RatedBadgeOut]
    rarity_computed_at: NotRequired[str | None]
    """When the rarity shown was counted (daily, by the `rarity` job)."""
    players: NotRequired[int | None]
    """Players the rarity was counted over (everyone with XP)."""

class BadgeDryRunOut(TypedDict):
    """What saving the definition would do now, for the players this call read."""
    scanned: int
    """Profiles read by this call (at most `limit`)."""
    qualifying: int
    """Of those, users who meet the criterion now."""
    already_held: int
    """Of those, users who already hold this badge id."""
    newly_earned: int
    """Badges and levels users would newly earn."""
    notifications: int
    """In-app notifications going live would write (one per newly reached level; 0 with `notify_backfill: false`)."""
    pushes: int
    """Of those, the ones also pushed (push on)."""
    levels: dict[str, Any]
    """Users at or past each level (or the badge)."""
    distribution: dict[str, Any]
    """Users by progress toward the badge's first level: 0%, 1-24% ... 100%."""
    sample: list[str]
    """Up to 10 users who would newly earn it."""
    not_yet_counted: list[str]
    """Tallies the definition reads that no live badge keeps: everyone is at 0 on them until it goes live (past attributes are stored nowhere)."""
    next_cursor: str | None
    """Pass as `cursor` to go on; `null` once every player was read."""

class BadgeIn(TypedDict):
    name: str
    """Shown on profiles and in the unlock notification. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed."""
    description: str
    """Shown with the badge. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed."""
    icon: str
    """`https://...` or a path relative to the page."""
    criteria: PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Input | AnyOf_Input
    levels: NotRequired[list[Level] | None]
    """A tiered badge: levels by rising target, the first one the criterion's (e.g. Bronze 10 / Silver 50 / Gold 250); each is earned and notified once."""
    notify_backfill: NotRequired[bool]
    """`false`: awarding it to users who already qualify when it is saved sends no notification (no flood when a badge is switched on); later earners are notified."""

class BadgeLevelOut(TypedDict):
    held: int
    """Levels earned (0: none yet)."""
    name: str | None
    """The highest level earned, e.g. `Silver`."""
    levels: int
    """How many levels the badge has."""
    next: str | None
    """The next level's name; `null` once the top is held."""

class BadgeOut(TypedDict):
    id: str
    name: str
    description: str
    icon: str
    criteria: PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Output | AnyOf_Output
    levels: NotRequired[list[Level] | None]
    notify_backfill: NotRequired[bool]

class BatchItemOut(TypedDict):
    index: int
    status: Literal['accepted', 'rejected']
    key: str
    error: NotRequired[ItemError | None]

class BatchOut(TypedDict):
    accepted: int
    rejected: int
    results: list[BatchItemOut]

class ChallengeStreak(TypedDict):
    """Consecutive days with at least one solved challenge."""
    count: int
    type: Literal['challenge_streak']
    scope: NotRequired[Literal['consecutive_days']]

class CohortEntryOut(TypedDict):
    rank: int
    """SQL RANK() by this week's XP: ties share a rank."""
    user_id: str
    display_name: str | None
    weekly_xp: int

class ConfirmIn(TypedDict):
    exclude: NotRequired[bool]
    """Also exclude the user (off every board and league until lifted with `PUT /v1/admin/users/{user_id}`)."""
    reason: NotRequired[str | None]
    """The exclusion's reason (default: the flag's rule)"""

class CurrencyBalanceOut(TypedDict):
    currency: str
    name: str
    balance: int
    """What you can spend now. The ledger's `balance` is this plus `pending`"""
    pending: NotRequired[int]
    """Units earned but not spendable yet (a currency with `hold_days`); they become spendable on `next_release` and later days, by themselves"""
    next_release: NotRequired[str | None]
    """The earliest (UTC) day pending units become spendable; null: none pending"""
    expiring_soon: NotRequired[int]
    """Units whose last spendable day (UTC) is within 7 days (pending ones too)"""
    next_expiry: NotRequired[str | None]
    """The earliest last spendable day (UTC) of your expiring units; null: none"""

class CurrencyIn(TypedDict):
    id: str
    name: str
    """Shown with balances. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed."""
    balance_cap: NotRequired[int]
    expires_after_days: NotRequired[int | None]
    """Units stay spendable through the (UTC) day this many days after their credit (after their release, when held), rounded up to the lot width; absent: never expire (docs/wallet.md)."""
    hold_days: NotRequired[int | None]
    """Earned units are pending (in the balance and the ledger, not spendable) until the (UTC) day this many days after their credit, rounded up to the lot width; an admin's grant is not held. Applies to credits from then on; absent: spendable at once (docs/wallet.md)."""

class DailyStreakOut(TypedDict):
    current: int
    """Days in a row, still alive today (0 once broken)."""
    longest: int
    active_today: bool
    expires_at: str | None
    """When it breaks unless the user acts."""
    freezes: int
    """Streak freezes held now (each covers one missed day)."""
    frozen_days: list[str]
    """The latest days a freeze covered (user's local days, oldest first), including days missed since the last active day that held freezes will cover."""

class DeliveriesOut(TypedDict):
    deliveries: list[AttemptOut]

class DistinctCount(TypedDict):
    """How many distinct values of an attribute the accepted activities of a type carried (``where`` optional), e.g. posts read in 5 categories; ``count`` ≤ ``MAX_DISTINCT``."""
    type: Literal['distinct_count']
    event_type: str
    attribute: str
    where: NotRequired[dict[str, Any] | None]
    count: int

class EarningRuleIn(TypedDict):
    on: Literal['event', 'badge', 'quest', 'level', 'streak_milestone', 'league_promotion']
    match: NotRequired[str | None]
    """The event type, badge id, quest id, level (`"5"`) or league tier name; absent: any."""
    currency: str
    amount: int

class EntryOut(TypedDict):
    rank: int
    """SQL RANK(): ties share a rank, the next rank skips."""
    user_id: str
    display_name: str | None
    xp: int
    level: int

class ErasureOut(TypedDict):
    user_id: str
    status: str
    """`erasing`: the data is being deleted in the background."""
    requested_at: str
    """Activities received before this moment are discarded, never applied."""

class ErrorInfo(TypedDict):
    code: str
    """Stable machine-readable code, e.g. `unknown_event_type`."""
    message: str
    details: NotRequired[list[FieldError]]

class ErrorResponse(TypedDict):
    """The body of every error response."""
    error: ErrorInfo

class EventCount(TypedDict):
    """``count`` XP-earning activities of any one event type (with ``where``: ``count`` accepted activities of it whose attributes match)."""
    count: int
    where: NotRequired[dict[str, Any] | None]
    type: Literal['event_count']
    event_type: str

class ExclusionIn(TypedDict):
    excluded: bool
    """True takes the user off every board; false lifts it."""
    reason: NotRequired[str | None]
    """Why (required when excluding); stored with the profile and exported. At least one visible character; no control, format, separator (but the space) or invisible characters."""

class ExclusionOut(TypedDict):
    user_id: str
    excluded: bool
    reason: str | None
    excluded_at: str | None

class ExportEdge(TypedDict):
    user_id: str
    """The other user of the edge."""
    since: str
    """When the follow or block was made."""

class ExportGraph(TypedDict):
    """The user's own edges (docs/friends.md#erasure-and-export): each list ≤ 1,000."""
    following: list[ExportEdge]
    """Whom you follow (≤ 1,000)."""
    blocked: list[ExportEdge]
    """Whom you block (≤ 1,000)."""
    friend_streaks: list[ExportStreakLink]
    """Your friend streaks and invitations (≤ your mutual friends)."""

class ExportOut(TypedDict):
    format: str
    """`gamify-export/1`."""
    user_id: str
    exported_at: str
    profile: NotRequired[dict[str, Any] | None]
    """First page only: settings, XP, level, counters, streak runs, weekly XP, earned badges, leaderboard listing and exclusion (with its reason); null when no profile is stored."""
    write_budget: NotRequired[list[dict[str, Any]] | None]
    """First page only: the per-minute write counters."""
    records: list[dict[str, Any]]
    """Stored items, each with a `kind`: `activity` (a dedupe marker: what you did, once per object), `notification`, `cap_day`, `streak_reminder_sent`."""
    teams: NotRequired[list[dict[str, Any]] | None]
    """First page only: your team memberships (`team_id`, `joined_at`, `added_by_admin`)."""
    graph: NotRequired[ExportGraph | None]
    """First page only: your own follows, blocks and friend streaks. Your followers are other users' follows of you (unbounded): `GET /v1/me/followers` pages them."""
    next_cursor: str | None
    """Pass back as `cursor`; null on the last page."""

class ExportStreakLink(TypedDict):
    user_id: str
    """The partner (or the invited or inviting friend)."""
    status: str
    """`invited` (you asked), `invited_me` or `active`."""
    since: str
    """When the link was last written."""
    started_on: str | None
    """The pair day the streak counts from."""

class FieldError(TypedDict):
    """One problem with one input field, e.g. ``body.occurred_at`` or ``query.limit``."""
    field: str
    """Where: `body.<path>`, `query.<name>` or `path.<name>`."""
    message: str
    type: str
    """Machine-readable kind, e.g. `less_than_equal`."""

class FlagOut(TypedDict):
    user_id: str
    rule: str
    """`velocity` (activities a minute) or `outlier` (week XP)"""
    observed: int
    """What the user did: activities in the minute, week XP"""
    threshold: int
    """The least that fires the rule"""
    window: str
    """The UTC minute (`YYYY-MM-DDTHH:MM`) or the ISO week"""
    flagged_at: str

class FlagPageOut(TypedDict):
    flags: list[FlagOut]
    next_cursor: str | None
    """Pass back as `cursor` for the next page"""

class FollowEntryOut(TypedDict):
    user_id: str
    display_name: str | None
    since: str
    """When the follow (or block) was made."""
    mutual: bool
    """The follow goes both ways: you are friends."""

class FollowListOut(TypedDict):
    entries: list[FollowEntryOut]
    next_cursor: str | None
    """Pass as `cursor` for the next page; `null` on the last. A page may hold fewer than `limit` entries (followers you may not see are left out)."""

class FriendBoardOut(TypedDict):
    period: Period
    week: str | None
    entries: list[FriendEntryOut]
    total: int
    """Entries ranked: you and those you follow with XP listed."""
    stale: bool
    """The cache could not be trusted (down, or being rebuilt): the board was computed from the stored profiles instead (exact, slower)."""

class FriendEntryOut(TypedDict):
    rank: int
    """`RANK()` among you and the users you follow."""
    user_id: str
    display_name: str | None
    xp: int
    level: int
    me: bool

class FriendStreakOut(TypedDict):
    user_id: str
    """Your partner."""
    display_name: str | None
    status: Literal['invited', 'invited_me', 'active']
    """`invited`: waiting for them; `invited_me`: accept with the same PUT."""
    since: str
    started_on: str | None
    """The pair's first day (active streaks)."""
    current: int
    """Consecutive days on which you were both active."""
    longest: int
    both_active_today: bool
    at_risk: bool
    """Alive, and one of you has not been active today yet."""

class FriendStreaksOut(TypedDict):
    streaks: list[FriendStreakOut]

class HealthOut(TypedDict):
    """Liveness of the public edge (gateway and a function), not of the dependencies: a public probe that reached DynamoDB and Redis would let anyone spend them, and the API answers through a Redis outage anyway (stale boards). Dependencies are watched by alarms."""
    status: Literal['ok']

InValues = TypedDict("InValues", {"in": "list[bool | int | str]"})

class ItemError(TypedDict):
    code: str
    message: str
    field: NotRequired[str | None]

class JoinIn(TypedDict):
    code: NotRequired[str | None]

class LeaderboardOut(TypedDict):
    period: Period
    week: str | None
    """The ISO week (UTC) of a weekly board."""
    total: int
    offset: int
    limit: int
    entries: list[EntryOut]
    stale: bool
    """True when served from a snapshot while Redis is down."""
    as_of: str | None
    """When the snapshot was taken (stale only)."""

class LeagueResultOut(TypedDict):
    week: str
    """The ISO week (UTC) that was closed."""
    rank: int
    weekly_xp: int
    movement: Literal['promoted', 'demoted', 'stayed']
    from_tier: TierOut
    to_tier: TierOut

class LeagueSummaryOut(TypedDict):
    tier: TierOut
    """The tier you play in next (or this week, once joined)."""
    week: str | None
    """The ISO week of your latest cohort."""
    last_result: LeagueResultOut | None

class LedgerEntryOut(TypedDict):
    seq: int
    currency: str
    amount: int
    """Signed: what the balance changed by"""
    balance: int
    """The balance after this entry (pending units included)"""
    cause: str
    """earn, redeem, adjust or expire"""
    kind: str
    """What earned or spent it: badge, quest, level, redeem, grant, expired..."""
    ref: str
    """Its id: the award key, the redeem's idempotency key..."""
    at: str
    note: NotRequired[str | None]
    credits: NotRequired[int]
    """Credits of one commit it stands for (kind `several`: folded)"""
    spendable_from: NotRequired[str | None]
    """A held credit: the (UTC) day its units become spendable; null: at once"""

class LedgerPageOut(TypedDict):
    entries: list[LedgerEntryOut]
    next_before: int | None
    """Pass as `before` for the next (older) page; null on the last page"""

class Level(TypedDict):
    """One level of a tiered badge (``Bronze`` at 10...)."""
    name: str
    target: int

class LevelOut(TypedDict):
    level: int
    xp_into_level: int
    xp_to_next_level: int
    level_floor_xp: int
    next_level_xp: int
    fraction: float
    """Progress through the current level, 0 to 1."""

class LevelRarityOut(TypedDict):
    name: str
    share: float
    """Share of players holding this level."""
    holders: int

class LevelReached(TypedDict):
    type: Literal['level_reached']
    level: int

class ListedQuestOut(TypedDict):
    id: str
    name: str
    description: str
    starts_at: str
    ends_at: str
    criteria: PostsRead | SeriesComplete | EventCount | XpTotal
    reward_xp: int
    reward_badge: str | None
    mode: NotRequired[Literal['solo', 'pair', 'team']]
    """`pair`: a friend quest, done with a mutual friend; `team`: done with your team (`GET /v1/teams/{team_id}/quests`)."""
    pay: NotRequired[Literal['contributors', 'members']]
    """Team quests: who a completion pays (those who counted, or all members)."""
    status: Literal['active', 'upcoming', 'ended']
    """`ended` only on your own list, for a quest you completed."""

class MarkAllReadIn(TypedDict):
    """Mark every notification in your feed read."""
    all: Literal[True]

class MarkReadOut(TypedDict):
    marked: list[str]
    unknown: list[str]
    """Ids not found in your feed."""

class MarkSomeReadIn(TypedDict):
    """Mark these notifications read (ids not in your feed are reported back as unknown)."""
    ids: list[str]

class MemberEntryOut(TypedDict):
    rank: int
    user_id: str
    display_name: str | None
    xp: int

class MembershipOut(TypedDict):
    team_id: str
    user_id: str
    member: bool
    changed: bool
    """False when nothing had to change (a repeated request)."""

class MyLeagueOut(TypedDict):
    week: str
    """The current ISO week (UTC)."""
    closes_at: str
    """When the week ends (Monday 00:00 UTC)."""
    tier: TierOut
    joined: bool
    """False until your first XP-earning activity this week."""
    cohort: int | None
    size: int
    """Members with XP this week."""
    entries: list[CohortEntryOut]
    me: CohortEntryOut | None
    """Your row (null until you joined)."""
    zones: ZonesOut | None
    source: Literal['cache', 'table']
    """`table` while the cache may be incomplete: read from DynamoDB, exact."""
    last_result: LeagueResultOut | None

class MyProfileOut(TypedDict):
    user_id: str
    display_name: str | None
    xp: int
    level: int
    progress: LevelOut
    weekly_xp: int
    """XP earned in the current ISO week (UTC)."""
    streak: DailyStreakOut
    challenge_streak: StreakOut
    rank: int | None
    """All-time rank; null when unranked or unavailable."""
    rank_available: bool
    """False while the leaderboard cache is down."""
    badge_count: int
    friend_streaks: NotRequired[list[PublicFriendStreakOut]]
    """Live friend streaks (≤ 5), longest first; partners off the boards are left out."""
    settings: SettingsOut
    league: LeagueSummaryOut
    experience: NotRequired[Literal['treatment', 'control']]
    """control: the user is in the control group (docs/analytics.md): their activity counts invisibly; render no gamification and expect no notifications."""

class MyTeamOut(TypedDict):
    team_id: str
    name: str
    description: str
    join: Literal['open', 'code', 'admin']
    max_members: int
    members: int
    joined_at: str

class MyTeamsOut(TypedDict):
    teams: list[MyTeamOut]
    limit: int
    """How many teams you may be in at once."""

class NotificationOut(TypedDict):
    id: str
    kind: str
    title: str
    message: str
    created_at: str
    read: bool

class NotificationPageOut(TypedDict):
    notifications: list[NotificationOut]
    next_cursor: str | None
    """Pass as `cursor` for the next page."""

class PairOut(TypedDict):
    """A friend quest from the caller's side."""
    quest_id: str
    partner: str | None
    """Your partner for this quest, if paired."""
    since: str | None
    """When you paired."""
    count: int
    """The pair's progress (both counts), or yours when unpaired."""
    target: int
    completed: bool
    """You were paid this quest's reward (once)."""

Period = Literal['alltime', 'weekly']

class PingSentOut(TypedDict):
    delivery_id: str
    event_id: str

class PostsRead(TypedDict):
    """Distinct posts read (the seed counted every progress row instead)."""
    count: int
    where: NotRequired[dict[str, Any] | None]
    type: Literal['posts_read']
    scope: NotRequired[Literal['total']]

class PriceIn(TypedDict):
    currency: str
    amount: int

class PriceOut(TypedDict):
    currency: str
    amount: int

class ProfileOut(TypedDict):
    user_id: str
    display_name: str | None
    xp: int
    level: int
    progress: LevelOut
    weekly_xp: int
    """XP earned in the current ISO week (UTC)."""
    streak: DailyStreakOut
    challenge_streak: StreakOut
    rank: int | None
    """All-time rank; null when unranked or unavailable."""
    rank_available: bool
    """False while the leaderboard cache is down."""
    badge_count: int
    friend_streaks: NotRequired[list[PublicFriendStreakOut]]
    """Live friend streaks (≤ 5), longest first; partners off the boards are left out."""

class ProgressOut(TypedDict):
    current: int
    target: int

class PublicFriendStreakOut(TypedDict):
    """A live friend streak as a profile shows it to anyone."""
    user_id: str
    """The partner."""
    display_name: str | None
    days: int
    """Consecutive days on which both were active (≥ 1)."""

class QuestCatalogOut(TypedDict):
    quests: list[ListedQuestOut]

class QuestDryRunOut(TypedDict):
    """What saving the quest would do, for the players this call read."""
    carried: bool
    """Stored progress counts for it (the live quest of this id has the same criterion and window); `false`: everyone starts at 0 when it goes live."""
    scanned: int
    """Profiles read by this call (at most `limit`)."""
    completing: int
    """Users whose count already reaches the target (a lowered target): each completes, and is notified, with their next activity (a quest has no backfill)."""
    already_completed: int
    notifications: int
    """Completion notifications those users would get."""
    pushes: int
    """Of those, the ones also pushed (push on)."""
    distribution: dict[str, Any]
    """Users by progress: 0%, 1-24% ... 100%."""
    sample: list[str]
    """Up to 10 users who would complete it."""
    next_cursor: str | None
    """Pass as `cursor` to go on; `null` once every player was read."""

class QuestIn(TypedDict):
    """A goal inside a window of two absolute instants (the same for every user, whatever their timezone): activities count by when they occurred, ``starts_at <= t < ends_at``."""
    name: str
    """Shown in the quest list and the completion notification. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed."""
    description: str
    """Shown with the quest. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed."""
    starts_at: str
    """Start of the window (inclusive). RFC 3339 date-time with an offset, in the years 1970-8999."""
    ends_at: str
    """End of the window (exclusive), after starts_at. RFC 3339 date-time with an offset, in the years 1970-8999."""
    criteria: PostsRead | SeriesComplete | EventCount | XpTotal
    """A counting criterion of the badge language: posts_read, series_complete, event_count or xp_total (activity XP, bonuses excluded), counted inside the window."""
    reward_xp: int
    """Bonus XP (all-time, not weekly)."""
    reward_badge: NotRequired[str | None]
    """A badge awarded with it."""
    mode: NotRequired[Literal['solo', 'pair', 'team']]
    """`pair`: a friend quest: two mutual friends pair up (`PUT /v1/me/quests/{quest_id}/partner/{user_id}`), both counts add up to the target, and completion pays both once (docs/friends.md#friend-quests). `team`: each team's members' counts add up to the target (`GET /v1/teams/{team_id}/quests`), and completion pays per `pay`, each user once (docs/teams.md#team-quests)."""
    pay: NotRequired[Literal['contributors', 'members'] | None]
    """Team quests only (default `contributors`): who a team's completion pays, the members who counted (also those who left since), or besides them every member."""

class QuestOut(TypedDict):
    id: str
    name: str
    description: str
    starts_at: str
    ends_at: str
    criteria: PostsRead | SeriesComplete | EventCount | XpTotal
    reward_xp: int
    reward_badge: str | None
    mode: NotRequired[Literal['solo', 'pair', 'team']]
    """`pair`: a friend quest, done with a mutual friend; `team`: done with your team (`GET /v1/teams/{team_id}/quests`)."""
    pay: NotRequired[Literal['contributors', 'members']]
    """Team quests: who a completion pays (those who counted, or all members)."""

class Range(TypedDict):
    """Numeric bounds (``gte``, ``gt``, ``lte``, ``lt``; at least one) on an integer."""
    gte: NotRequired[int]
    gt: NotRequired[int]
    lte: NotRequired[int]
    lt: NotRequired[int]

class RarityOut(TypedDict):
    """How rare a badge is (docs/rules.md, "Rarity"): of the players counted, those holding it."""
    share: float
    """Share of players holding it (0.25 = 25 %)."""
    holders: int
    levels: NotRequired[list[LevelRarityOut] | None]

class RatedBadgeOut(TypedDict):
    """A catalog badge with its rarity (absent until the first daily count finished)."""
    id: str
    name: str
    description: str
    icon: str
    criteria: PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Output | AnyOf_Output
    levels: NotRequired[list[Level] | None]
    notify_backfill: NotRequired[bool]
    rarity: NotRequired[RarityOut | None]

class RedeemIn(TypedDict):
    item_id: str
    quantity: NotRequired[int]
    idempotency_key: str
    """Your id for this purchase (8-64 of `A-Z a-z 0-9 _ . : -`): repeating the request with it returns the first answer and never debits twice."""

class RedeemOut(TypedDict):
    key: str
    """Your idempotency key: the same key always gets this answer"""
    item_id: str
    quantity: int
    currency: str
    amount: int
    """What was debited in total"""
    balance: int
    """What you can still spend right after the debit (pending units not counted)"""
    fulfilment: str
    redeemed_at: str
    seq: int
    """The ledger entry of the debit"""

class RelationOut(TypedDict):
    user_id: str
    following: bool
    """You follow them."""
    follows_you: bool
    """They follow you (only said once you follow them)."""
    friends: bool
    """You follow each other."""
    blocked: bool
    """You block them."""

class ReviewOut(TypedDict):
    user_id: str
    rule: str
    review: str
    """`cleared` or `confirmed`"""
    excluded: bool
    """The review excluded the user"""

class SeriesComplete(TypedDict):
    """Distinct series completed (the dedupe key makes each series count once)."""
    count: int
    where: NotRequired[dict[str, Any] | None]
    type: Literal['series_complete']
    scope: NotRequired[Literal['unique_series']]

class ServiceActivityIn(TypedDict):
    """An activity a trusted service reports for any user (any non-system event type)."""
    type: Literal['challenge_solved', 'comment_left', 'post_completed', 'post_read', 'series_completed', 'streak_freeze_granted']
    """Any non-system event type, e.g. `challenge_solved`."""
    object_id: str
    """What it was about (the post, the comment...)."""
    occurred_at: NotRequired[str | None]
    """When it happened; defaults to now. May lie at most the back-dating window (48 h by default) in the past, and not in the future. RFC 3339 date-time with an offset, in the years 1970-8999."""
    series_id: NotRequired[str | None]
    """The series a post belongs to."""
    attributes: NotRequired[dict[str, Any]]
    """Facts the event type declares in the catalog (at most 10: strings of at most 64 characters, integers, booleans), e.g. `{"category": "python"}`. An attribute the type does not declare, or a value it does not allow, is a 400 naming `body.attributes.<name>`."""
    user_id: str

class SettingsIn(TypedDict):
    """Only the fields you send change; send `display_name: null` to clear the name."""
    display_name: NotRequired[str | None]
    """Shown on leaderboards: at least one visible character; no control, format, separator (but the space) or invisible characters; surrounding spaces are trimmed."""
    timezone: NotRequired[str]
    """An IANA timezone, e.g. `Europe/Paris` (an unknown one is a 400)."""
    push_enabled: NotRequired[bool]
    leaderboard_visible: NotRequired[bool]
    """False takes you off every public board (within a minute); true puts you back."""
    locale: NotRequired[str]
    """The language of your notifications from now on (`en`, `de`, or one the deployment added; an unknown one is a 400). Earlier notifications keep theirs."""
    friend_passed_notices: NotRequired[bool]
    """False: no "NAME passed you on the weekly board" notifications."""

class SettingsOut(TypedDict):
    display_name: str | None
    timezone: str
    push_enabled: bool
    leaderboard_visible: NotRequired[bool]
    """False: you are on no public board and in nobody's around-me view; your XP, levels and badges stay, and you still see your own rank."""
    locale: NotRequired[str]
    """The language of your notifications."""
    friend_passed_notices: NotRequired[bool]
    """"NAME passed you on the weekly board" notifications."""

class ShopItemIn(TypedDict):
    name: str
    """Shown in the shop and the ledger. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed."""
    description: NotRequired[str]
    price: PriceIn
    stock: NotRequired[int | None]
    """Units ever offered, for everyone together; null: unlimited. It can only grow (units on sale stay on sale)."""
    per_user_limit: NotRequired[int | None]
    available_from: NotRequired[str | None]
    available_until: NotRequired[str | None]
    fulfilment: NotRequired[Literal['internal', 'external']]
    """internal: the engine delivers it (`grants`); external: your system does, on the `reward.redeemed` event."""
    grants: NotRequired[Literal['streak_freeze'] | None]
    """What an internal item gives."""

class ShopItemOut(TypedDict):
    id: str
    name: str
    description: str
    price: PriceOut
    stock: int | None
    """Units ever offered; null: unlimited"""
    per_user_limit: int | None
    available_from: str | None
    available_until: str | None
    fulfilment: str
    grants: str | None

class ShopListingOut(TypedDict):
    id: str
    name: str
    description: str
    price: PriceOut
    stock: int | None
    """Units ever offered; null: unlimited"""
    per_user_limit: int | None
    available_from: str | None
    available_until: str | None
    fulfilment: str
    grants: str | None
    units_left: NotRequired[int | None]
    """Units of the global stock still on sale; null: unlimited. The sum of the stock's shards, read eventually consistent: it may lag a purchase or a raise by a moment, and the last units are decided by the redeem itself (docs/wallet.md)"""
    bought_so_far: NotRequired[int | None]
    """How many you bought, against `per_user_limit`; null: the item has no limit"""

class ShopOut(TypedDict):
    items: list[ShopListingOut]

class StreakDays(TypedDict):
    """A streak of ``count`` consecutive days, reached at any time (the longest streak counts)."""
    count: int
    type: Literal['streak']
    scope: NotRequired[Literal['consecutive_days']]

class StreakOut(TypedDict):
    current: int
    """Days in a row, still alive today (0 once broken)."""
    longest: int
    active_today: bool
    expires_at: str | None
    """When it breaks unless the user acts."""

class TeamAdminOut(TypedDict):
    team_id: str
    name: str
    description: str
    join: Literal['open', 'code', 'admin']
    max_members: int
    members: int
    code: str | None

class TeamBoardOut(TypedDict):
    period: Period
    week: str | None
    metric: Literal['total', 'average', 'top5']
    total: int
    """Teams on the board."""
    entries: list[TeamEntryOut]
    stale: NotRequired[bool]
    """True while the team boards may be behind the truth: the cache lost data and their rebuild has not finished (docs/teams.md#reconciliation)."""

class TeamEntryOut(TypedDict):
    rank: int
    """`RANK()` by `value` (ties share a rank)."""
    team_id: str
    name: str | None
    value: float
    """The metric's value: XP, or XP per member for `average`."""

class TeamIn(TypedDict):
    name: str
    description: NotRequired[str]
    join: NotRequired[Literal['open', 'code', 'admin']]
    """`open`: anyone joins; `code`: joining needs `code`; `admin`: only an admin adds members."""
    max_members: NotRequired[int]
    code: NotRequired[str | None]
    """Required when `join` is `code`; refused otherwise."""

class TeamListOut(TypedDict):
    teams: list[TeamOut]
    next_cursor: str | None
    """Pass as `cursor` for the next page."""

class TeamMembersBoardOut(TypedDict):
    team_id: str
    period: Period
    week: str | None
    xp: int
    """The team's total: every member counts, listed or not."""
    members: int
    listed: int
    """Members shown: hidden or excluded members count in `xp` but are not listed."""
    entries: list[MemberEntryOut]
    stale: NotRequired[bool]
    """True while the team boards may be behind the truth: the cache lost data and their rebuild has not finished (docs/teams.md#reconciliation)."""

class TeamOut(TypedDict):
    team_id: str
    name: str
    description: str
    join: Literal['open', 'code', 'admin']
    max_members: int
    members: int

class TeamQuestOut(TypedDict):
    """One team quest as a member of the team sees it."""
    quest_id: str
    name: str
    description: str
    starts_at: str
    ends_at: str
    status: str
    """`upcoming`, `active` or `ended`."""
    pay: str
    """`contributors`, or `members` (every member is paid)."""
    reward_xp: int
    progress: int
    """The team's count: the sum of its contributions."""
    target: int
    contributors: int
    """Members (and past members) who counted."""
    completed: bool
    """The team reached the target (never undone)."""
    your_count: int
    """Your own count in the window."""
    you_were_paid: bool
    """You were paid this quest's reward (once)."""

class TeamQuestsOut(TypedDict):
    team_id: str
    quests: list[TeamQuestOut]

class TierOut(TypedDict):
    index: int
    """0 is the first (lowest) tier."""
    name: str

class TiersOut(TypedDict):
    tiers: list[TierOut]
    cohort_size: int
    promote_percent: int
    """Top % (rounded up, ≥ 1) of members with XP."""
    demote_percent: int
    """Bottom % (rounded down) of the members."""

class UserBadgeOut(TypedDict):
    id: str
    name: str | None
    description: str | None
    icon: str | None
    earned: bool
    earned_at: str | None
    progress: ProgressOut | None
    """Toward the badge; for a tiered badge, toward its next level (the top level's once every level is held)."""
    retired: bool
    """Earned, but the definition has since been removed."""
    level: NotRequired[BadgeLevelOut | None]
    """A tiered badge's levels (Bronze/Silver/Gold...); else null."""

class UserBadgesOut(TypedDict):
    user_id: str
    earned_count: int
    badges: list[UserBadgeOut]

class UserQuestOut(TypedDict):
    id: str
    name: str
    description: str
    starts_at: str
    ends_at: str
    criteria: PostsRead | SeriesComplete | EventCount | XpTotal
    reward_xp: int
    reward_badge: str | None
    mode: NotRequired[Literal['solo', 'pair', 'team']]
    """`pair`: a friend quest, done with a mutual friend; `team`: done with your team (`GET /v1/teams/{team_id}/quests`)."""
    pay: NotRequired[Literal['contributors', 'members']]
    """Team quests: who a completion pays (those who counted, or all members)."""
    status: Literal['active', 'upcoming', 'ended']
    """`ended` only on your own list, for a quest you completed."""
    progress: ProgressOut
    completed: bool
    completed_at: str | None

class UserQuestsOut(TypedDict):
    user_id: str
    quests: list[UserQuestOut]

class WalletOut(TypedDict):
    balances: list[CurrencyBalanceOut]
    ledger_entries: int
    """Entries in your ledger (the next one's `seq`)"""

class WalletRulesIn(TypedDict):
    currencies: list[CurrencyIn]
    """Added or renamed, never removed."""
    earning: NotRequired[list[EarningRuleIn]]

class WebhookIn(TypedDict):
    url: str
    """`https://` only; a host resolving to a private, loopback or link-local address is refused at every delivery."""
    event_types: list[str]
    """Event types (`GET /v1/events/schema`), or `*`."""
    description: NotRequired[str]
    active: NotRequired[bool]

class WebhookListOut(TypedDict):
    webhooks: list[WebhookOut]

class WebhookOut(TypedDict):
    id: str
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: str
    failing_since: str | None
    secret: NotRequired[str | None]
    """The signing secret: only in the answer that created the endpoint."""

class WindowCount(TypedDict):
    """``count`` matching accepted activities of a type within ``days`` consecutive days of the user's timezone, at any time ("5 in the last 7 days"; sliding, ``days`` ≤ 90). Met once the best window reaches it (a badge is never taken back); progress shows the best window."""
    type: Literal['count_in_window']
    event_type: str
    where: NotRequired[dict[str, Any] | None]
    count: int
    days: int

class XpTotal(TypedDict):
    count: int
    type: Literal['xp_total']
    scope: NotRequired[Literal['lifetime']]

class ZonesOut(TypedDict):
    promotion_up_to_rank: int | None
    """Ranks 1..N would be promoted if the week ended now; null: nobody."""
    demotion_from_rank: int | None
    """Ranks from N down would be demoted if the week ended now; null: nobody."""

class Operations:
    """One method per route, named after its ``operationId``; 2xx answers are returned
    decoded (``None`` for an empty one), anything else raises ``ApiError``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def add_team_member(self, team_id: str, user_id: str) -> MembershipOut:
        """Add a member (whatever the team's join rule)"""
        answer = self._transport.call('PUT', '/v1/admin/teams/{team_id}/members/{user_id}', path={'team_id': team_id, 'user_id': user_id})
        return cast('MembershipOut', answer)

    def adjust_wallet(self, user_id: str, body: AdjustIn) -> AdjustOut:
        """Grant, refund or correct a user's balance, with a reason"""
        answer = self._transport.call('POST', '/v1/admin/users/{user_id}/wallet/adjust', path={'user_id': user_id}, body=body)
        return cast('AdjustOut', answer)

    def block(self, user_id: str) -> RelationOut:
        """Block a user: both follows between you go, and neither can follow again"""
        answer = self._transport.call('PUT', '/v1/me/blocked/{user_id}', path={'user_id': user_id})
        return cast('RelationOut', answer)

    def clear_flag(self, user_id: str) -> ReviewOut:
        """Clear a user's flag: a false alarm"""
        answer = self._transport.call('POST', '/v1/admin/flags/{user_id}/clear', path={'user_id': user_id})
        return cast('ReviewOut', answer)

    def confirm_flag(self, user_id: str, body: ConfirmIn | None) -> ReviewOut:
        """Confirm a user's flag: cheating"""
        answer = self._transport.call('POST', '/v1/admin/flags/{user_id}/confirm', path={'user_id': user_id}, body=body)
        return cast('ReviewOut', answer)

    def delete_badge(self, badge_id: str) -> None:
        """Remove a badge definition"""
        answer = self._transport.call('DELETE', '/v1/admin/badges/{badge_id}', path={'badge_id': badge_id})
        return cast('None', answer)

    def delete_quest(self, quest_id: str) -> None:
        """Remove a quest"""
        answer = self._transport.call('DELETE', '/v1/admin/quests/{quest_id}', path={'quest_id': quest_id})
        return cast('None', answer)

    def delete_shop_item(self, item_id: str) -> None:
        """Take an item out of the shop"""
        answer = self._transport.call('DELETE', '/v1/admin/shop/items/{item_id}', path={'item_id': item_id})
        return cast('None', answer)

    def delete_team(self, team_id: str) -> None:
        """Remove an empty team"""
        answer = self._transport.call('DELETE', '/v1/admin/teams/{team_id}', path={'team_id': team_id})
        return cast('None', answer)

    def delete_webhook(self, webhook_id: str) -> None:
        """Remove a webhook endpoint"""
        answer = self._transport.call('DELETE', '/v1/admin/webhooks/{webhook_id}', path={'webhook_id': webhook_id})
        return cast('None', answer)

    def dry_run_badge(self, badge_id: str, body: BadgeIn, *, cursor: str | None | None = None, limit: int | None = None) -> BadgeDryRunOut:
        """Try an unsaved badge definition on the stored players"""
        answer = self._transport.call('POST', '/v1/admin/badges/{badge_id}/dry-run', path={'badge_id': badge_id}, query={'cursor': cursor, 'limit': limit}, body=body)
        return cast('BadgeDryRunOut', answer)

    def dry_run_quest(self, quest_id: str, body: QuestIn, *, cursor: str | None | None = None, limit: int | None = None) -> QuestDryRunOut:
        """Try an unsaved quest on the stored players"""
        answer = self._transport.call('POST', '/v1/admin/quests/{quest_id}/dry-run', path={'quest_id': quest_id}, query={'cursor': cursor, 'limit': limit}, body=body)
        return cast('QuestDryRunOut', answer)

    def end_friend_streak(self, user_id: str) -> None:
        """Decline, withdraw or end a friend streak"""
        answer = self._transport.call('DELETE', '/v1/me/friend-streaks/{user_id}', path={'user_id': user_id})
        return cast('None', answer)

    def erase_me(self) -> ErasureOut:
        """Erase your account and everything stored about you"""
        answer = self._transport.call('DELETE', '/v1/me')
        return cast('ErasureOut', answer)

    def erase_user(self, user_id: str) -> ErasureOut:
        """Erase a user and everything stored about them"""
        answer = self._transport.call('DELETE', '/v1/admin/users/{user_id}', path={'user_id': user_id})
        return cast('ErasureOut', answer)

    def export_me(self, *, cursor: str | None | None = None) -> ExportOut:
        """Everything stored about you, as JSON"""
        answer = self._transport.call('GET', '/v1/me/export', query={'cursor': cursor})
        return cast('ExportOut', answer)

    def export_user(self, user_id: str, *, cursor: str | None | None = None) -> ExportOut:
        """Everything stored about a user, as JSON"""
        answer = self._transport.call('GET', '/v1/admin/users/{user_id}/export', path={'user_id': user_id}, query={'cursor': cursor})
        return cast('ExportOut', answer)

    def follow(self, user_id: str) -> RelationOut:
        """Follow a user (no consent needed; mutual follows are friends)"""
        answer = self._transport.call('PUT', '/v1/me/following/{user_id}', path={'user_id': user_id})
        return cast('RelationOut', answer)

    def get_badge_credential(self, user_id: str, badge_id: str) -> None:
        """An earned badge as an Open Badges 3.0 verifiable credential (JWT)"""
        answer = self._transport.call('GET', '/v1/users/{user_id}/badges/{badge_id}/credential', path={'user_id': user_id, 'badge_id': badge_id})
        return cast('None', answer)

    def get_event_schemas(self) -> dict[str, Any]:
        """The JSON Schema of every domain event type"""
        answer = self._transport.call('GET', '/v1/events/schema')
        return cast('dict[str, Any]', answer)

    def get_friend_leaderboard(self, *, period: Period | None = None) -> FriendBoardOut:
        """You and everyone you follow, ranked like the global board"""
        answer = self._transport.call('GET', '/v1/me/friends/leaderboard', query={'period': period})
        return cast('FriendBoardOut', answer)

    def get_health(self) -> HealthOut:
        """Liveness of the API"""
        answer = self._transport.call('GET', '/v1/health')
        return cast('HealthOut', answer)

    def get_issuer_keys(self) -> Any:
        """The public keys badge credentials are signed with (JWKS)"""
        answer = self._transport.call('GET', '/.well-known/jwks.json')
        return cast('Any', answer)

    def get_issuer_profile(self) -> Any:
        """The Open Badges 3.0 issuer profile"""
        answer = self._transport.call('GET', '/v1/issuer')
        return cast('Any', answer)

    def get_leaderboard(self, *, period: Period | None = None, limit: int | None = None, offset: int | None = None) -> LeaderboardOut:
        """A page of the leaderboard"""
        answer = self._transport.call('GET', '/v1/leaderboard', query={'period': period, 'limit': limit, 'offset': offset})
        return cast('LeaderboardOut', answer)

    def get_leaderboard_around(self, user_id: str, *, period: Period | None = None, radius: int | None = None) -> AroundOut:
        """The leaderboard around one user"""
        answer = self._transport.call('GET', '/v1/leaderboard/around/{user_id}', path={'user_id': user_id}, query={'period': period, 'radius': radius})
        return cast('AroundOut', answer)

    def get_league_tiers(self) -> TiersOut:
        """The league tiers, cohort size and zones"""
        answer = self._transport.call('GET', '/v1/leagues/tiers')
        return cast('TiersOut', answer)

    def get_my_league(self) -> MyLeagueOut:
        """Your league cohort this week"""
        answer = self._transport.call('GET', '/v1/me/league')
        return cast('MyLeagueOut', answer)

    def get_my_ledger(self, *, limit: int | None = None, before: int | None | None = None) -> LedgerPageOut:
        """Every credit and debit of your wallet, newest first"""
        answer = self._transport.call('GET', '/v1/me/wallet/ledger', query={'limit': limit, 'before': before})
        return cast('LedgerPageOut', answer)

    def get_my_profile(self) -> MyProfileOut:
        """Your profile and settings"""
        answer = self._transport.call('GET', '/v1/me')
        return cast('MyProfileOut', answer)

    def get_my_wallet(self) -> WalletOut:
        """Your balance in each currency"""
        answer = self._transport.call('GET', '/v1/me/wallet')
        return cast('WalletOut', answer)

    def get_open_api_document(self) -> dict[str, Any]:
        """This API's OpenAPI 3.1 document"""
        answer = self._transport.call('GET', '/v1/openapi.json')
        return cast('dict[str, Any]', answer)

    def get_quest_partner(self, quest_id: str) -> PairOut:
        """Your partner and the pair's progress on a friend quest"""
        answer = self._transport.call('GET', '/v1/me/quests/{quest_id}/partner', path={'quest_id': quest_id})
        return cast('PairOut', answer)

    def get_shop_item(self, item_id: str) -> ShopItemOut:
        """A shop item"""
        answer = self._transport.call('GET', '/v1/admin/shop/items/{item_id}', path={'item_id': item_id})
        return cast('ShopItemOut', answer)

    def get_swagger_ui(self, *, format: Literal['html', 'json'] | None = None) -> dict[str, Any]:
        """Swagger UI for this API"""
        answer = self._transport.call('GET', '/v1/docs', query={'format': format})
        return cast('dict[str, Any]', answer)

    def get_team(self, team_id: str) -> TeamAdminOut:
        """A team's definition, its join code and member count"""
        answer = self._transport.call('GET', '/v1/admin/teams/{team_id}', path={'team_id': team_id})
        return cast('TeamAdminOut', answer)

    def get_team_leaderboard(self, *, period: Period | None = None, metric: Literal['total', 'average', 'top5'] | None = None, offset: int | None = None, limit: int | None = None) -> TeamBoardOut:
        """Teams ranked by their members' XP"""
        answer = self._transport.call('GET', '/v1/teams/leaderboard', query={'period': period, 'metric': metric, 'offset': offset, 'limit': limit})
        return cast('TeamBoardOut', answer)

    def get_team_members_leaderboard(self, team_id: str, *, period: Period | None = None, offset: int | None = None, limit: int | None = None) -> TeamMembersBoardOut:
        """A team's members ranked by XP, with the team's total"""
        answer = self._transport.call('GET', '/v1/teams/{team_id}/leaderboard', path={'team_id': team_id}, query={'period': period, 'offset': offset, 'limit': limit})
        return cast('TeamMembersBoardOut', answer)

    def get_team_quests(self, team_id: str) -> TeamQuestsOut:
        """The team quests with your team's progress (members only)"""
        answer = self._transport.call('GET', '/v1/teams/{team_id}/quests', path={'team_id': team_id})
        return cast('TeamQuestsOut', answer)

    def get_user_badges(self, user_id: str) -> UserBadgesOut:
        """Every badge with the user's progress"""
        answer = self._transport.call('GET', '/v1/users/{user_id}/badges', path={'user_id': user_id})
        return cast('UserBadgesOut', answer)

    def get_user_profile(self, user_id: str) -> ProfileOut:
        """A user's public profile"""
        answer = self._transport.call('GET', '/v1/users/{user_id}', path={'user_id': user_id})
        return cast('ProfileOut', answer)

    def get_wallet_rules(self) -> WalletRulesIn:
        """The currencies and earning rules in force"""
        answer = self._transport.call('GET', '/v1/admin/wallet/rules')
        return cast('WalletRulesIn', answer)

    def get_webhook(self, webhook_id: str) -> WebhookOut:
        """A webhook endpoint (never its secret)"""
        answer = self._transport.call('GET', '/v1/admin/webhooks/{webhook_id}', path={'webhook_id': webhook_id})
        return cast('WebhookOut', answer)

    def get_webhook_deliveries(self, webhook_id: str) -> DeliveriesOut:
        """The endpoint's latest delivery attempts"""
        answer = self._transport.call('GET', '/v1/admin/webhooks/{webhook_id}/deliveries', path={'webhook_id': webhook_id})
        return cast('DeliveriesOut', answer)

    def join_team(self, team_id: str, body: JoinIn | None) -> MembershipOut:
        """Join a team"""
        answer = self._transport.call('POST', '/v1/teams/{team_id}/join', path={'team_id': team_id}, body=body)
        return cast('MembershipOut', answer)

    def leave_team(self, team_id: str) -> MembershipOut:
        """Leave a team"""
        answer = self._transport.call('DELETE', '/v1/teams/{team_id}/members/me', path={'team_id': team_id})
        return cast('MembershipOut', answer)

    def list_badges(self) -> BadgeCatalogOut:
        """The badge catalog"""
        answer = self._transport.call('GET', '/v1/badges')
        return cast('BadgeCatalogOut', answer)

    def list_blocked(self, *, limit: int | None = None, cursor: str | None | None = None) -> FollowListOut:
        """The users you block"""
        answer = self._transport.call('GET', '/v1/me/blocked', query={'limit': limit, 'cursor': cursor})
        return cast('FollowListOut', answer)

    def list_flags(self, *, limit: int | None = None, cursor: str | None | None = None) -> FlagPageOut:
        """Open cheating flags, by user id"""
        answer = self._transport.call('GET', '/v1/admin/flags', query={'limit': limit, 'cursor': cursor})
        return cast('FlagPageOut', answer)

    def list_followers(self, *, limit: int | None = None, cursor: str | None | None = None) -> FollowListOut:
        """The users who follow you, by id"""
        answer = self._transport.call('GET', '/v1/me/followers', query={'limit': limit, 'cursor': cursor})
        return cast('FollowListOut', answer)

    def list_following(self, *, limit: int | None = None, cursor: str | None | None = None) -> FollowListOut:
        """The users you follow, by id (`mutual`: they follow you back)"""
        answer = self._transport.call('GET', '/v1/me/following', query={'limit': limit, 'cursor': cursor})
        return cast('FollowListOut', answer)

    def list_friend_streaks(self) -> FriendStreaksOut:
        """Your friend streaks and invitations, with their current length"""
        answer = self._transport.call('GET', '/v1/me/friend-streaks')
        return cast('FriendStreaksOut', answer)

    def list_my_notifications(self, *, unread_only: bool | None = None, limit: int | None = None, cursor: str | None | None = None) -> NotificationPageOut:
        """Your notifications, newest first"""
        answer = self._transport.call('GET', '/v1/me/notifications', query={'unread_only': unread_only, 'limit': limit, 'cursor': cursor})
        return cast('NotificationPageOut', answer)

    def list_my_quests(self) -> UserQuestsOut:
        """Your quests with progress"""
        answer = self._transport.call('GET', '/v1/me/quests')
        return cast('UserQuestsOut', answer)

    def list_my_teams(self) -> MyTeamsOut:
        """The teams you are in"""
        answer = self._transport.call('GET', '/v1/me/teams')
        return cast('MyTeamsOut', answer)

    def list_quests(self) -> QuestCatalogOut:
        """Active and upcoming quests"""
        answer = self._transport.call('GET', '/v1/quests')
        return cast('QuestCatalogOut', answer)

    def list_shop_items(self) -> ShopOut:
        """What the shop sells"""
        answer = self._transport.call('GET', '/v1/shop/items')
        return cast('ShopOut', answer)

    def list_teams(self, *, limit: int | None = None, cursor: str | None | None = None) -> TeamListOut:
        """Teams you may join (`open` and `code` ones), by id"""
        answer = self._transport.call('GET', '/v1/teams', query={'limit': limit, 'cursor': cursor})
        return cast('TeamListOut', answer)

    def list_webhooks(self) -> WebhookListOut:
        """Every webhook endpoint (never their secrets)"""
        answer = self._transport.call('GET', '/v1/admin/webhooks')
        return cast('WebhookListOut', answer)

    def mark_notifications_read(self, body: MarkSomeReadIn | MarkAllReadIn) -> MarkReadOut:
        """Mark some or all of your notifications read"""
        answer = self._transport.call('POST', '/v1/me/notifications/read', body=body)
        return cast('MarkReadOut', answer)

    def pair_for_quest(self, quest_id: str, user_id: str) -> PairOut:
        """Do a friend quest with a mutual friend"""
        answer = self._transport.call('PUT', '/v1/me/quests/{quest_id}/partner/{user_id}', path={'quest_id': quest_id, 'user_id': user_id})
        return cast('PairOut', answer)

    def put_badge(self, badge_id: str, body: BadgeIn) -> BadgeOut:
        """Create or replace a badge definition"""
        answer = self._transport.call('PUT', '/v1/admin/badges/{badge_id}', path={'badge_id': badge_id}, body=body)
        return cast('BadgeOut', answer)

    def put_quest(self, quest_id: str, body: QuestIn) -> QuestOut:
        """Create or replace a quest"""
        answer = self._transport.call('PUT', '/v1/admin/quests/{quest_id}', path={'quest_id': quest_id}, body=body)
        return cast('QuestOut', answer)

    def put_shop_item(self, item_id: str, body: ShopItemIn) -> ShopItemOut:
        """Create or replace a shop item"""
        answer = self._transport.call('PUT', '/v1/admin/shop/items/{item_id}', path={'item_id': item_id}, body=body)
        return cast('ShopItemOut', answer)

    def put_team(self, team_id: str, body: TeamIn) -> TeamAdminOut:
        """Create or replace a team"""
        answer = self._transport.call('PUT', '/v1/admin/teams/{team_id}', path={'team_id': team_id}, body=body)
        return cast('TeamAdminOut', answer)

    def put_wallet_rules(self, body: WalletRulesIn) -> WalletRulesIn:
        """Replace the currencies and earning rules"""
        answer = self._transport.call('PUT', '/v1/admin/wallet/rules', body=body)
        return cast('WalletRulesIn', answer)

    def put_webhook(self, webhook_id: str, body: WebhookIn) -> WebhookOut:
        """Create or replace a webhook endpoint"""
        answer = self._transport.call('PUT', '/v1/admin/webhooks/{webhook_id}', path={'webhook_id': webhook_id}, body=body)
        return cast('WebhookOut', answer)

    def redeem_shop_item(self, body: RedeemIn) -> RedeemOut:
        """Buy a shop item with your wallet"""
        answer = self._transport.call('POST', '/v1/me/wallet/redeem', body=body)
        return cast('RedeemOut', answer)

    def remove_team_member(self, team_id: str, user_id: str) -> MembershipOut:
        """Remove a member"""
        answer = self._transport.call('DELETE', '/v1/admin/teams/{team_id}/members/{user_id}', path={'team_id': team_id, 'user_id': user_id})
        return cast('MembershipOut', answer)

    def report_activities(self, body: ActivityBatchIn) -> BatchOut:
        """Report up to 25 of your own activities"""
        answer = self._transport.call('POST', '/v1/activities/batch', body=body)
        return cast('BatchOut', answer)

    def report_activity(self, body: ActivityIn) -> AcceptedOut:
        """Report one of your own activities"""
        answer = self._transport.call('POST', '/v1/activities', body=body)
        return cast('AcceptedOut', answer)

    def report_activity_as_service(self, body: ServiceActivityIn) -> AcceptedOut:
        """Report an activity for any user (trusted services)"""
        answer = self._transport.call('POST', '/v1/internal/activities', body=body)
        return cast('AcceptedOut', answer)

    def retry_webhook_delivery(self, webhook_id: str, delivery_id: str) -> PingSentOut:
        """Send a failed or refused delivery again"""
        answer = self._transport.call('POST', '/v1/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry', path={'webhook_id': webhook_id, 'delivery_id': delivery_id})
        return cast('PingSentOut', answer)

    def rotate_webhook_secret(self, webhook_id: str) -> WebhookOut:
        """Rotate the endpoint's signing secret"""
        answer = self._transport.call('POST', '/v1/admin/webhooks/{webhook_id}/rotate', path={'webhook_id': webhook_id})
        return cast('WebhookOut', answer)

    def set_user_exclusion(self, user_id: str, body: ExclusionIn) -> ExclusionOut:
        """Exclude a user from the leaderboards, or lift it"""
        answer = self._transport.call('PUT', '/v1/admin/users/{user_id}', path={'user_id': user_id}, body=body)
        return cast('ExclusionOut', answer)

    def start_friend_streak(self, user_id: str) -> FriendStreakOut:
        """Invite a friend to a friend streak, or accept their invitation"""
        answer = self._transport.call('PUT', '/v1/me/friend-streaks/{user_id}', path={'user_id': user_id})
        return cast('FriendStreakOut', answer)

    def test_webhook(self, webhook_id: str) -> PingSentOut:
        """Send a signed webhook.test event to this endpoint"""
        answer = self._transport.call('POST', '/v1/admin/webhooks/{webhook_id}/test', path={'webhook_id': webhook_id})
        return cast('PingSentOut', answer)

    def unblock(self, user_id: str) -> None:
        """Lift your block of a user (a block of theirs stays)"""
        answer = self._transport.call('DELETE', '/v1/me/blocked/{user_id}', path={'user_id': user_id})
        return cast('None', answer)

    def unfollow(self, user_id: str) -> None:
        """Stop following a user"""
        answer = self._transport.call('DELETE', '/v1/me/following/{user_id}', path={'user_id': user_id})
        return cast('None', answer)

    def unpair_for_quest(self, quest_id: str) -> None:
        """Leave your pairing on a friend quest (both sides)"""
        answer = self._transport.call('DELETE', '/v1/me/quests/{quest_id}/partner', path={'quest_id': quest_id})
        return cast('None', answer)

    def update_my_settings(self, body: SettingsIn) -> SettingsOut:
        """Change your display name, timezone, language or push reminders"""
        answer = self._transport.call('PUT', '/v1/me/settings', body=body)
        return cast('SettingsOut', answer)
