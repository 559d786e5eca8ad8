// Generated from docs/openapi.json by `python -m gamification.local.web_types`;
// do not edit.
// The API's JSON as TypeScript types; `Responses` maps each route to what it answers.

export interface AcceptedOut {
  /** The activity's dedupe key: reporting it again earns nothing. */
  key: string;
  status?: "queued";
  occurred_at: string;
  received_at: string;
}

export interface ActivityBatchIn {
  activities: Array<ActivityIn>;
}

/** An activity the signed-in user reports about themself. */
export interface ActivityIn {
  /** A client-reportable event type, e.g. `post_read`. */
  type: "comment_left" | "post_completed" | "post_read";
  /** What it was about (the post, the comment...). */
  object_id: string;
  /** When it happened; defaults to now. May lie at most the back-dating window (48 h by default) in the past, and not in the future. RFC 3339 date-time with an offset, in the years 1970-8999. */
  occurred_at?: string | null;
  /** The series a post belongs to. */
  series_id?: string | null;
  /** Facts the event type declares in the catalog (at most 10: strings of at most 64 characters, integers, booleans), e.g. `{"category": "python"}`. An attribute the type does not declare, or a value it does not allow, is a 400 naming `body.attributes.<name>`. */
  attributes?: Record<string, unknown>;
}

export interface AdjustIn {
  currency: string;
  /** Positive: a grant or refund to the user; negative: a correction; not 0. */
  amount: number;
  /** Why: stored in the user's ledger. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed. */
  reason: string;
  /** Let a negative amount take the balance below zero (else it is refused). */
  allow_negative?: boolean;
}

export interface AdjustOut {
  seq: number;
  currency: string;
  amount: number;
  balance: number;
}

/** Every sub-criterion met; progress counts the ones met. */
export interface AllOf_Input {
  of: Array<PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Input | AnyOf_Input>;
  type: "all";
}

/** Every sub-criterion met; progress counts the ones met. */
export interface AllOf_Output {
  of: Array<PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Output | AnyOf_Output>;
  type: "all";
}

/** One sub-criterion met; progress is the one nearest its target. */
export interface AnyOf_Input {
  of: Array<PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Input | AnyOf_Input>;
  type: "any";
}

/** One sub-criterion met; progress is the one nearest its target. */
export interface AnyOf_Output {
  of: Array<PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Output | AnyOf_Output>;
  type: "any";
}

export interface AroundOut {
  period: Period;
  week: string | null;
  user_id: string;
  /** Null when the user is not on this board. */
  rank: number | null;
  total: number;
  entries: Array<EntryOut>;
  stale: boolean;
  as_of: string | null;
}

export interface AttemptOut {
  delivery_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  at: string;
  status: string;
  response_code: number | null;
  latency_ms: number;
  response: string;
}

/** The sum of an integer attribute over the accepted activities of a type (``where`` optional), e.g. minutes read ≥ 600. The attribute must be declared with ``minimum ≥ 0``, so the sum never falls. */
export interface AttributeSum {
  type: "attribute_sum";
  event_type: string;
  attribute: string;
  where?: Record<string, unknown> | null;
  total: number;
}

export interface BadgeCatalogOut {
  badges: Array<RatedBadgeOut>;
  /** When the rarity shown was counted (daily, by the `rarity` job). */
  rarity_computed_at?: string | null;
  /** Players the rarity was counted over (everyone with XP). */
  players?: number | null;
}

/** What saving the definition would do now, for the players this call read. */
export interface BadgeDryRunOut {
  /** Profiles read by this call (at most `limit`). */
  scanned: number;
  /** Of those, users who meet the criterion now. */
  qualifying: number;
  /** Of those, users who already hold this badge id. */
  already_held: number;
  /** Badges and levels users would newly earn. */
  newly_earned: number;
  /** In-app notifications going live would write (one per newly reached level; 0 with `notify_backfill: false`). */
  notifications: number;
  /** Of those, the ones also pushed (push on). */
  pushes: number;
  /** Users at or past each level (or the badge). */
  levels: Record<string, unknown>;
  /** Users by progress toward the badge's first level: 0%, 1-24% ... 100%. */
  distribution: Record<string, unknown>;
  /** Up to 10 users who would newly earn it. */
  sample: Array<string>;
  /** Tallies the definition reads that no live badge keeps: everyone is at 0 on them until it goes live (past attributes are stored nowhere). */
  not_yet_counted: Array<string>;
  /** Pass as `cursor` to go on; `null` once every player was read. */
  next_cursor: string | null;
}

export interface BadgeIn {
  /** Shown on profiles and in the unlock notification. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed. */
  name: string;
  /** Shown with the badge. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed. */
  description: string;
  /** `https://...` or a path relative to the page. */
  icon: string;
  criteria: PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Input | AnyOf_Input;
  /** A tiered badge: levels by rising target, the first one the criterion's (e.g. Bronze 10 / Silver 50 / Gold 250); each is earned and notified once. */
  levels?: Array<Level> | null;
  /** `false`: awarding it to users who already qualify when it is saved sends no notification (no flood when a badge is switched on); later earners are notified. */
  notify_backfill?: boolean;
}

export interface BadgeLevelOut {
  /** Levels earned (0: none yet). */
  held: number;
  /** The highest level earned, e.g. `Silver`. */
  name: string | null;
  /** How many levels the badge has. */
  levels: number;
  /** The next level's name; `null` once the top is held. */
  next: string | null;
}

export interface BadgeOut {
  id: string;
  name: string;
  description: string;
  icon: string;
  criteria: PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Output | AnyOf_Output;
  levels?: Array<Level> | null;
  notify_backfill?: boolean;
}

export interface BatchItemOut {
  index: number;
  status: "accepted" | "rejected";
  key: string;
  error?: ItemError | null;
}

export interface BatchOut {
  accepted: number;
  rejected: number;
  results: Array<BatchItemOut>;
}

/** Consecutive days with at least one solved challenge. */
export interface ChallengeStreak {
  count: number;
  type: "challenge_streak";
  scope?: "consecutive_days";
}

export interface CohortEntryOut {
  /** SQL RANK() by this week's XP: ties share a rank. */
  rank: number;
  user_id: string;
  display_name: string | null;
  weekly_xp: number;
}

export interface ConfirmIn {
  /** Also exclude the user (off every board and league until lifted with `PUT /v1/admin/users/{user_id}`). */
  exclude?: boolean;
  /** The exclusion's reason (default: the flag's rule) */
  reason?: string | null;
}

export interface CurrencyBalanceOut {
  currency: string;
  name: string;
  /** What you can spend now. The ledger's `balance` is this plus `pending` */
  balance: number;
  /** Units earned but not spendable yet (a currency with `hold_days`); they become spendable on `next_release` and later days, by themselves */
  pending?: number;
  /** The earliest (UTC) day pending units become spendable; null: none pending */
  next_release?: string | null;
  /** Units whose last spendable day (UTC) is within 7 days (pending ones too) */
  expiring_soon?: number;
  /** The earliest last spendable day (UTC) of your expiring units; null: none */
  next_expiry?: string | null;
}

export interface CurrencyIn {
  id: string;
  /** Shown with balances. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed. */
  name: string;
  balance_cap?: number;
  /** Units stay spendable through the (UTC) day this many days after their credit (after their release, when held), rounded up to the lot width; absent: never expire (docs/wallet.md). */
  expires_after_days?: number | null;
  /** Earned units are pending (in the balance and the ledger, not spendable) until the (UTC) day this many days after their credit, rounded up to the lot width; an admin's grant is not held. Applies to credits from then on; absent: spendable at once (docs/wallet.md). */
  hold_days?: number | null;
}

export interface DailyStreakOut {
  /** Days in a row, still alive today (0 once broken). */
  current: number;
  longest: number;
  active_today: boolean;
  /** When it breaks unless the user acts. */
  expires_at: string | null;
  /** Streak freezes held now (each covers one missed day). */
  freezes: number;
  /** The latest days a freeze covered (user's local days, oldest first), including days missed since the last active day that held freezes will cover. */
  frozen_days: Array<string>;
}

export interface DeliveriesOut {
  deliveries: Array<AttemptOut>;
}

/** How many distinct values of an attribute the accepted activities of a type carried (``where`` optional), e.g. posts read in 5 categories; ``count`` ≤ ``MAX_DISTINCT``. */
export interface DistinctCount {
  type: "distinct_count";
  event_type: string;
  attribute: string;
  where?: Record<string, unknown> | null;
  count: number;
}

export interface EarningRuleIn {
  on: "event" | "badge" | "quest" | "level" | "streak_milestone" | "league_promotion";
  /** The event type, badge id, quest id, level (`"5"`) or league tier name; absent: any. */
  match?: string | null;
  currency: string;
  amount: number;
}

export interface EntryOut {
  /** SQL RANK(): ties share a rank, the next rank skips. */
  rank: number;
  user_id: string;
  display_name: string | null;
  xp: number;
  level: number;
}

export interface ErasureOut {
  user_id: string;
  /** `erasing`: the data is being deleted in the background. */
  status: string;
  /** Activities received before this moment are discarded, never applied. */
  requested_at: string;
}

export interface ErrorInfo {
  /** Stable machine-readable code, e.g. `unknown_event_type`. */
  code: string;
  message: string;
  details?: Array<FieldError>;
}

/** The body of every error response. */
export interface ErrorResponse {
  error: ErrorInfo;
}

/** ``count`` XP-earning activities of any one event type (with ``where``: ``count`` accepted activities of it whose attributes match). */
export interface EventCount {
  count: number;
  where?: Record<string, unknown> | null;
  type: "event_count";
  event_type: string;
}

export interface ExclusionIn {
  /** True takes the user off every board; false lifts it. */
  excluded: boolean;
  /** Why (required when excluding); stored with the profile and exported. At least one visible character; no control, format, separator (but the space) or invisible characters. */
  reason?: string | null;
}

export interface ExclusionOut {
  user_id: string;
  excluded: boolean;
  reason: string | null;
  excluded_at: string | null;
}

export interface ExportEdge {
  /** The other user of the edge. */
  user_id: string;
  /** When the follow or block was made. */
  since: string;
}

/** The user's own edges (docs/friends.md#erasure-and-export): each list ≤ 1,000. */
export interface ExportGraph {
  /** Whom you follow (≤ 1,000). */
  following: Array<ExportEdge>;
  /** Whom you block (≤ 1,000). */
  blocked: Array<ExportEdge>;
  /** Your friend streaks and invitations (≤ your mutual friends). */
  friend_streaks: Array<ExportStreakLink>;
}

export interface ExportOut {
  /** `gamify-export/1`. */
  format: string;
  user_id: string;
  exported_at: string;
  /** First page only: settings, XP, level, counters, streak runs, weekly XP, earned badges, leaderboard listing and exclusion (with its reason); null when no profile is stored. */
  profile?: Record<string, unknown> | null;
  /** First page only: the per-minute write counters. */
  write_budget?: Array<Record<string, unknown>> | null;
  /** Stored items, each with a `kind`: `activity` (a dedupe marker: what you did, once per object), `notification`, `cap_day`, `streak_reminder_sent`. */
  records: Array<Record<string, unknown>>;
  /** First page only: your team memberships (`team_id`, `joined_at`, `added_by_admin`). */
  teams?: Array<Record<string, unknown>> | null;
  /** First page only: your own follows, blocks and friend streaks. Your followers are other users' follows of you (unbounded): `GET /v1/me/followers` pages them. */
  graph?: ExportGraph | null;
  /** Pass back as `cursor`; null on the last page. */
  next_cursor: string | null;
}

export interface ExportStreakLink {
  /** The partner (or the invited or inviting friend). */
  user_id: string;
  /** `invited` (you asked), `invited_me` or `active`. */
  status: string;
  /** When the link was last written. */
  since: string;
  /** The pair day the streak counts from. */
  started_on: string | null;
}

/** One problem with one input field, e.g. ``body.occurred_at`` or ``query.limit``. */
export interface FieldError {
  /** Where: `body.<path>`, `query.<name>` or `path.<name>`. */
  field: string;
  message: string;
  /** Machine-readable kind, e.g. `less_than_equal`. */
  type: string;
}

export interface FlagOut {
  user_id: string;
  /** `velocity` (activities a minute) or `outlier` (week XP) */
  rule: string;
  /** What the user did: activities in the minute, week XP */
  observed: number;
  /** The least that fires the rule */
  threshold: number;
  /** The UTC minute (`YYYY-MM-DDTHH:MM`) or the ISO week */
  window: string;
  flagged_at: string;
}

export interface FlagPageOut {
  flags: Array<FlagOut>;
  /** Pass back as `cursor` for the next page */
  next_cursor: string | null;
}

export interface FollowEntryOut {
  user_id: string;
  display_name: string | null;
  /** When the follow (or block) was made. */
  since: string;
  /** The follow goes both ways: you are friends. */
  mutual: boolean;
}

export interface FollowListOut {
  entries: Array<FollowEntryOut>;
  /** Pass as `cursor` for the next page; `null` on the last. A page may hold fewer than `limit` entries (followers you may not see are left out). */
  next_cursor: string | null;
}

export interface FriendBoardOut {
  period: Period;
  week: string | null;
  entries: Array<FriendEntryOut>;
  /** Entries ranked: you and those you follow with XP listed. */
  total: number;
  /** The cache could not be trusted (down, or being rebuilt): the board was computed from the stored profiles instead (exact, slower). */
  stale: boolean;
}

export interface FriendEntryOut {
  /** `RANK()` among you and the users you follow. */
  rank: number;
  user_id: string;
  display_name: string | null;
  xp: number;
  level: number;
  me: boolean;
}

export interface FriendStreakOut {
  /** Your partner. */
  user_id: string;
  display_name: string | null;
  /** `invited`: waiting for them; `invited_me`: accept with the same PUT. */
  status: "invited" | "invited_me" | "active";
  since: string;
  /** The pair's first day (active streaks). */
  started_on: string | null;
  /** Consecutive days on which you were both active. */
  current: number;
  longest: number;
  both_active_today: boolean;
  /** Alive, and one of you has not been active today yet. */
  at_risk: boolean;
}

export interface FriendStreaksOut {
  streaks: Array<FriendStreakOut>;
}

/** Liveness of the public edge (gateway and a function), not of the dependencies: a public probe that reached DynamoDB and Redis would let anyone spend them, and the API answers through a Redis outage anyway (stale boards). Dependencies are watched by alarms. */
export interface HealthOut {
  status: "ok";
}

/** ``{"in": [...]}``: the attribute equals one of the values. */
export interface InValues {
  in: Array<boolean | number | string>;
}

export interface ItemError {
  code: string;
  message: string;
  field?: string | null;
}

export interface JoinIn {
  code?: string | null;
}

export interface LeaderboardOut {
  period: Period;
  /** The ISO week (UTC) of a weekly board. */
  week: string | null;
  total: number;
  offset: number;
  limit: number;
  entries: Array<EntryOut>;
  /** True when served from a snapshot while Redis is down. */
  stale: boolean;
  /** When the snapshot was taken (stale only). */
  as_of: string | null;
}

export interface LeagueResultOut {
  /** The ISO week (UTC) that was closed. */
  week: string;
  rank: number;
  weekly_xp: number;
  movement: "promoted" | "demoted" | "stayed";
  from_tier: TierOut;
  to_tier: TierOut;
}

export interface LeagueSummaryOut {
  /** The tier you play in next (or this week, once joined). */
  tier: TierOut;
  /** The ISO week of your latest cohort. */
  week: string | null;
  last_result: LeagueResultOut | null;
}

export interface LedgerEntryOut {
  seq: number;
  currency: string;
  /** Signed: what the balance changed by */
  amount: number;
  /** The balance after this entry (pending units included) */
  balance: number;
  /** earn, redeem, adjust or expire */
  cause: string;
  /** What earned or spent it: badge, quest, level, redeem, grant, expired... */
  kind: string;
  /** Its id: the award key, the redeem's idempotency key... */
  ref: string;
  at: string;
  note?: string | null;
  /** Credits of one commit it stands for (kind `several`: folded) */
  credits?: number;
  /** A held credit: the (UTC) day its units become spendable; null: at once */
  spendable_from?: string | null;
}

export interface LedgerPageOut {
  entries: Array<LedgerEntryOut>;
  /** Pass as `before` for the next (older) page; null on the last page */
  next_before: number | null;
}

/** One level of a tiered badge (``Bronze`` at 10...). */
export interface Level {
  name: string;
  target: number;
}

export interface LevelOut {
  level: number;
  xp_into_level: number;
  xp_to_next_level: number;
  level_floor_xp: number;
  next_level_xp: number;
  /** Progress through the current level, 0 to 1. */
  fraction: number;
}

export interface LevelRarityOut {
  name: string;
  /** Share of players holding this level. */
  share: number;
  holders: number;
}

export interface LevelReached {
  type: "level_reached";
  level: number;
}

export interface ListedQuestOut {
  id: string;
  name: string;
  description: string;
  starts_at: string;
  ends_at: string;
  criteria: PostsRead | SeriesComplete | EventCount | XpTotal;
  reward_xp: number;
  reward_badge: string | null;
  /** `pair`: a friend quest, done with a mutual friend; `team`: done with your team (`GET /v1/teams/{team_id}/quests`). */
  mode?: "solo" | "pair" | "team";
  /** Team quests: who a completion pays (those who counted, or all members). */
  pay?: "contributors" | "members";
  /** `ended` only on your own list, for a quest you completed. */
  status: "active" | "upcoming" | "ended";
}

/** Mark every notification in your feed read. */
export interface MarkAllReadIn {
  all: true;
}

export interface MarkReadOut {
  marked: Array<string>;
  /** Ids not found in your feed. */
  unknown: Array<string>;
}

/** Mark these notifications read (ids not in your feed are reported back as unknown). */
export interface MarkSomeReadIn {
  ids: Array<string>;
}

export interface MemberEntryOut {
  rank: number;
  user_id: string;
  display_name: string | null;
  xp: number;
}

export interface MembershipOut {
  team_id: string;
  user_id: string;
  member: boolean;
  /** False when nothing had to change (a repeated request). */
  changed: boolean;
}

export interface MyLeagueOut {
  /** The current ISO week (UTC). */
  week: string;
  /** When the week ends (Monday 00:00 UTC). */
  closes_at: string;
  tier: TierOut;
  /** False until your first XP-earning activity this week. */
  joined: boolean;
  cohort: number | null;
  /** Members with XP this week. */
  size: number;
  entries: Array<CohortEntryOut>;
  /** Your row (null until you joined). */
  me: CohortEntryOut | null;
  zones: ZonesOut | null;
  /** `table` while the cache may be incomplete: read from DynamoDB, exact. */
  source: "cache" | "table";
  last_result: LeagueResultOut | null;
}

export interface MyProfileOut {
  user_id: string;
  display_name: string | null;
  xp: number;
  level: number;
  progress: LevelOut;
  /** XP earned in the current ISO week (UTC). */
  weekly_xp: number;
  streak: DailyStreakOut;
  challenge_streak: StreakOut;
  /** All-time rank; null when unranked or unavailable. */
  rank: number | null;
  /** False while the leaderboard cache is down. */
  rank_available: boolean;
  badge_count: number;
  /** Live friend streaks (≤ 5), longest first; partners off the boards are left out. */
  friend_streaks?: Array<PublicFriendStreakOut>;
  settings: SettingsOut;
  league: LeagueSummaryOut;
  /** control: the user is in the control group (docs/analytics.md): their activity counts invisibly; render no gamification and expect no notifications. */
  experience?: "treatment" | "control";
}

export interface MyTeamOut {
  team_id: string;
  name: string;
  description: string;
  join: "open" | "code" | "admin";
  max_members: number;
  members: number;
  joined_at: string;
}

export interface MyTeamsOut {
  teams: Array<MyTeamOut>;
  /** How many teams you may be in at once. */
  limit: number;
}

export interface NotificationOut {
  id: string;
  kind: string;
  title: string;
  message: string;
  created_at: string;
  read: boolean;
}

export interface NotificationPageOut {
  notifications: Array<NotificationOut>;
  /** Pass as `cursor` for the next page. */
  next_cursor: string | null;
}

/** A friend quest from the caller's side. */
export interface PairOut {
  quest_id: string;
  /** Your partner for this quest, if paired. */
  partner: string | null;
  /** When you paired. */
  since: string | null;
  /** The pair's progress (both counts), or yours when unpaired. */
  count: number;
  target: number;
  /** You were paid this quest's reward (once). */
  completed: boolean;
}

export type Period = "alltime" | "weekly";

export interface PingSentOut {
  delivery_id: string;
  event_id: string;
}

/** Distinct posts read (the seed counted every progress row instead). */
export interface PostsRead {
  count: number;
  where?: Record<string, unknown> | null;
  type: "posts_read";
  scope?: "total";
}

export interface PriceIn {
  currency: string;
  amount: number;
}

export interface PriceOut {
  currency: string;
  amount: number;
}

export interface ProfileOut {
  user_id: string;
  display_name: string | null;
  xp: number;
  level: number;
  progress: LevelOut;
  /** XP earned in the current ISO week (UTC). */
  weekly_xp: number;
  streak: DailyStreakOut;
  challenge_streak: StreakOut;
  /** All-time rank; null when unranked or unavailable. */
  rank: number | null;
  /** False while the leaderboard cache is down. */
  rank_available: boolean;
  badge_count: number;
  /** Live friend streaks (≤ 5), longest first; partners off the boards are left out. */
  friend_streaks?: Array<PublicFriendStreakOut>;
}

export interface ProgressOut {
  current: number;
  target: number;
}

/** A live friend streak as a profile shows it to anyone. */
export interface PublicFriendStreakOut {
  /** The partner. */
  user_id: string;
  display_name: string | null;
  /** Consecutive days on which both were active (≥ 1). */
  days: number;
}

export interface QuestCatalogOut {
  quests: Array<ListedQuestOut>;
}

/** What saving the quest would do, for the players this call read. */
export interface QuestDryRunOut {
  /** Stored progress counts for it (the live quest of this id has the same criterion and window); `false`: everyone starts at 0 when it goes live. */
  carried: boolean;
  /** Profiles read by this call (at most `limit`). */
  scanned: number;
  /** Users whose count already reaches the target (a lowered target): each completes, and is notified, with their next activity (a quest has no backfill). */
  completing: number;
  already_completed: number;
  /** Completion notifications those users would get. */
  notifications: number;
  /** Of those, the ones also pushed (push on). */
  pushes: number;
  /** Users by progress: 0%, 1-24% ... 100%. */
  distribution: Record<string, unknown>;
  /** Up to 10 users who would complete it. */
  sample: Array<string>;
  /** Pass as `cursor` to go on; `null` once every player was read. */
  next_cursor: string | null;
}

/** A goal inside a window of two absolute instants (the same for every user, whatever their timezone): activities count by when they occurred, ``starts_at <= t < ends_at``. */
export interface QuestIn {
  /** Shown in the quest list and the completion notification. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed. */
  name: string;
  /** Shown with the quest. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed. */
  description: string;
  /** Start of the window (inclusive). RFC 3339 date-time with an offset, in the years 1970-8999. */
  starts_at: string;
  /** End of the window (exclusive), after starts_at. RFC 3339 date-time with an offset, in the years 1970-8999. */
  ends_at: string;
  /** A counting criterion of the badge language: posts_read, series_complete, event_count or xp_total (activity XP, bonuses excluded), counted inside the window. */
  criteria: PostsRead | SeriesComplete | EventCount | XpTotal;
  /** Bonus XP (all-time, not weekly). */
  reward_xp: number;
  /** A badge awarded with it. */
  reward_badge?: string | null;
  /** `pair`: a friend quest: two mutual friends pair up (`PUT /v1/me/quests/{quest_id}/partner/{user_id}`), both counts add up to the target, and completion pays both once (docs/friends.md#friend-quests). `team`: each team's members' counts add up to the target (`GET /v1/teams/{team_id}/quests`), and completion pays per `pay`, each user once (docs/teams.md#team-quests). */
  mode?: "solo" | "pair" | "team";
  /** Team quests only (default `contributors`): who a team's completion pays, the members who counted (also those who left since), or besides them every member. */
  pay?: "contributors" | "members" | null;
}

export interface QuestOut {
  id: string;
  name: string;
  description: string;
  starts_at: string;
  ends_at: string;
  criteria: PostsRead | SeriesComplete | EventCount | XpTotal;
  reward_xp: number;
  reward_badge: string | null;
  /** `pair`: a friend quest, done with a mutual friend; `team`: done with your team (`GET /v1/teams/{team_id}/quests`). */
  mode?: "solo" | "pair" | "team";
  /** Team quests: who a completion pays (those who counted, or all members). */
  pay?: "contributors" | "members";
}

/** Numeric bounds (``gte``, ``gt``, ``lte``, ``lt``; at least one) on an integer. */
export interface Range {
  gte?: number;
  gt?: number;
  lte?: number;
  lt?: number;
}

/** How rare a badge is (docs/rules.md, "Rarity"): of the players counted, those holding it. */
export interface RarityOut {
  /** Share of players holding it (0.25 = 25 %). */
  share: number;
  holders: number;
  levels?: Array<LevelRarityOut> | null;
}

/** A catalog badge with its rarity (absent until the first daily count finished). */
export interface RatedBadgeOut {
  id: string;
  name: string;
  description: string;
  icon: string;
  criteria: PostsRead | StreakDays | SeriesComplete | XpTotal | ChallengeStreak | EventCount | LevelReached | AttributeSum | DistinctCount | WindowCount | AllOf_Output | AnyOf_Output;
  levels?: Array<Level> | null;
  notify_backfill?: boolean;
  rarity?: RarityOut | null;
}

export interface RedeemIn {
  item_id: string;
  quantity?: number;
  /** Your id for this purchase (8-64 of `A-Z a-z 0-9 _ . : -`): repeating the request with it returns the first answer and never debits twice. */
  idempotency_key: string;
}

export interface RedeemOut {
  /** Your idempotency key: the same key always gets this answer */
  key: string;
  item_id: string;
  quantity: number;
  currency: string;
  /** What was debited in total */
  amount: number;
  /** What you can still spend right after the debit (pending units not counted) */
  balance: number;
  fulfilment: string;
  redeemed_at: string;
  /** The ledger entry of the debit */
  seq: number;
}

export interface RelationOut {
  user_id: string;
  /** You follow them. */
  following: boolean;
  /** They follow you (only said once you follow them). */
  follows_you: boolean;
  /** You follow each other. */
  friends: boolean;
  /** You block them. */
  blocked: boolean;
}

export interface ReviewOut {
  user_id: string;
  rule: string;
  /** `cleared` or `confirmed` */
  review: string;
  /** The review excluded the user */
  excluded: boolean;
}

/** Distinct series completed (the dedupe key makes each series count once). */
export interface SeriesComplete {
  count: number;
  where?: Record<string, unknown> | null;
  type: "series_complete";
  scope?: "unique_series";
}

/** An activity a trusted service reports for any user (any non-system event type). */
export interface ServiceActivityIn {
  /** Any non-system event type, e.g. `challenge_solved`. */
  type: "challenge_solved" | "comment_left" | "post_completed" | "post_read" | "series_completed" | "streak_freeze_granted";
  /** What it was about (the post, the comment...). */
  object_id: string;
  /** When it happened; defaults to now. May lie at most the back-dating window (48 h by default) in the past, and not in the future. RFC 3339 date-time with an offset, in the years 1970-8999. */
  occurred_at?: string | null;
  /** The series a post belongs to. */
  series_id?: string | null;
  /** Facts the event type declares in the catalog (at most 10: strings of at most 64 characters, integers, booleans), e.g. `{"category": "python"}`. An attribute the type does not declare, or a value it does not allow, is a 400 naming `body.attributes.<name>`. */
  attributes?: Record<string, unknown>;
  user_id: string;
}

/** Only the fields you send change; send `display_name: null` to clear the name. */
export interface SettingsIn {
  /** Shown on leaderboards: at least one visible character; no control, format, separator (but the space) or invisible characters; surrounding spaces are trimmed. */
  display_name?: string | null;
  /** An IANA timezone, e.g. `Europe/Paris` (an unknown one is a 400). */
  timezone?: string;
  push_enabled?: boolean;
  /** False takes you off every public board (within a minute); true puts you back. */
  leaderboard_visible?: boolean;
  /** The language of your notifications from now on (`en`, `de`, or one the deployment added; an unknown one is a 400). Earlier notifications keep theirs. */
  locale?: string;
  /** False: no "NAME passed you on the weekly board" notifications. */
  friend_passed_notices?: boolean;
}

export interface SettingsOut {
  display_name: string | null;
  timezone: string;
  push_enabled: boolean;
  /** False: you are on no public board and in nobody's around-me view; your XP, levels and badges stay, and you still see your own rank. */
  leaderboard_visible?: boolean;
  /** The language of your notifications. */
  locale?: string;
  /** "NAME passed you on the weekly board" notifications. */
  friend_passed_notices?: boolean;
}

export interface ShopItemIn {
  /** Shown in the shop and the ledger. At least one visible character; no control, format, separator (but the space) or invisible characters; trimmed. */
  name: string;
  description?: string;
  price: PriceIn;
  /** Units ever offered, for everyone together; null: unlimited. It can only grow (units on sale stay on sale). */
  stock?: number | null;
  per_user_limit?: number | null;
  available_from?: string | null;
  available_until?: string | null;
  /** internal: the engine delivers it (`grants`); external: your system does, on the `reward.redeemed` event. */
  fulfilment?: "internal" | "external";
  /** What an internal item gives. */
  grants?: "streak_freeze" | null;
}

export interface ShopItemOut {
  id: string;
  name: string;
  description: string;
  price: PriceOut;
  /** Units ever offered; null: unlimited */
  stock: number | null;
  per_user_limit: number | null;
  available_from: string | null;
  available_until: string | null;
  fulfilment: string;
  grants: string | null;
}

export interface ShopListingOut {
  id: string;
  name: string;
  description: string;
  price: PriceOut;
  /** Units ever offered; null: unlimited */
  stock: number | null;
  per_user_limit: number | null;
  available_from: string | null;
  available_until: string | null;
  fulfilment: string;
  grants: string | null;
  /** Units of the global stock still on sale; null: unlimited. The sum of the stock's shards, read eventually consistent: it may lag a purchase or a raise by a moment, and the last units are decided by the redeem itself (docs/wallet.md) */
  units_left?: number | null;
  /** How many you bought, against `per_user_limit`; null: the item has no limit */
  bought_so_far?: number | null;
}

export interface ShopOut {
  items: Array<ShopListingOut>;
}

/** A streak of ``count`` consecutive days, reached at any time (the longest streak counts). */
export interface StreakDays {
  count: number;
  type: "streak";
  scope?: "consecutive_days";
}

export interface StreakOut {
  /** Days in a row, still alive today (0 once broken). */
  current: number;
  longest: number;
  active_today: boolean;
  /** When it breaks unless the user acts. */
  expires_at: string | null;
}

export interface TeamAdminOut {
  team_id: string;
  name: string;
  description: string;
  join: "open" | "code" | "admin";
  max_members: number;
  members: number;
  code: string | null;
}

export interface TeamBoardOut {
  period: Period;
  week: string | null;
  metric: "total" | "average" | "top5";
  /** Teams on the board. */
  total: number;
  entries: Array<TeamEntryOut>;
  /** True while the team boards may be behind the truth: the cache lost data and their rebuild has not finished (docs/teams.md#reconciliation). */
  stale?: boolean;
}

export interface TeamEntryOut {
  /** `RANK()` by `value` (ties share a rank). */
  rank: number;
  team_id: string;
  name: string | null;
  /** The metric's value: XP, or XP per member for `average`. */
  value: number;
}

export interface TeamIn {
  name: string;
  description?: string;
  /** `open`: anyone joins; `code`: joining needs `code`; `admin`: only an admin adds members. */
  join?: "open" | "code" | "admin";
  max_members?: number;
  /** Required when `join` is `code`; refused otherwise. */
  code?: string | null;
}

export interface TeamListOut {
  teams: Array<TeamOut>;
  /** Pass as `cursor` for the next page. */
  next_cursor: string | null;
}

export interface TeamMembersBoardOut {
  team_id: string;
  period: Period;
  week: string | null;
  /** The team's total: every member counts, listed or not. */
  xp: number;
  members: number;
  /** Members shown: hidden or excluded members count in `xp` but are not listed. */
  listed: number;
  entries: Array<MemberEntryOut>;
  /** True while the team boards may be behind the truth: the cache lost data and their rebuild has not finished (docs/teams.md#reconciliation). */
  stale?: boolean;
}

export interface TeamOut {
  team_id: string;
  name: string;
  description: string;
  join: "open" | "code" | "admin";
  max_members: number;
  members: number;
}

/** One team quest as a member of the team sees it. */
export interface TeamQuestOut {
  quest_id: string;
  name: string;
  description: string;
  starts_at: string;
  ends_at: string;
  /** `upcoming`, `active` or `ended`. */
  status: string;
  /** `contributors`, or `members` (every member is paid). */
  pay: string;
  reward_xp: number;
  /** The team's count: the sum of its contributions. */
  progress: number;
  target: number;
  /** Members (and past members) who counted. */
  contributors: number;
  /** The team reached the target (never undone). */
  completed: boolean;
  /** Your own count in the window. */
  your_count: number;
  /** You were paid this quest's reward (once). */
  you_were_paid: boolean;
}

export interface TeamQuestsOut {
  team_id: string;
  quests: Array<TeamQuestOut>;
}

export interface TierOut {
  /** 0 is the first (lowest) tier. */
  index: number;
  name: string;
}

export interface TiersOut {
  tiers: Array<TierOut>;
  cohort_size: number;
  /** Top % (rounded up, ≥ 1) of members with XP. */
  promote_percent: number;
  /** Bottom % (rounded down) of the members. */
  demote_percent: number;
}

export interface UserBadgeOut {
  id: string;
  name: string | null;
  description: string | null;
  icon: string | null;
  earned: boolean;
  earned_at: string | null;
  /** Toward the badge; for a tiered badge, toward its next level (the top level's once every level is held). */
  progress: ProgressOut | null;
  /** Earned, but the definition has since been removed. */
  retired: boolean;
  /** A tiered badge's levels (Bronze/Silver/Gold...); else null. */
  level?: BadgeLevelOut | null;
}

export interface UserBadgesOut {
  user_id: string;
  earned_count: number;
  badges: Array<UserBadgeOut>;
}

export interface UserQuestOut {
  id: string;
  name: string;
  description: string;
  starts_at: string;
  ends_at: string;
  criteria: PostsRead | SeriesComplete | EventCount | XpTotal;
  reward_xp: number;
  reward_badge: string | null;
  /** `pair`: a friend quest, done with a mutual friend; `team`: done with your team (`GET /v1/teams/{team_id}/quests`). */
  mode?: "solo" | "pair" | "team";
  /** Team quests: who a completion pays (those who counted, or all members). */
  pay?: "contributors" | "members";
  /** `ended` only on your own list, for a quest you completed. */
  status: "active" | "upcoming" | "ended";
  progress: ProgressOut;
  completed: boolean;
  completed_at: string | null;
}

export interface UserQuestsOut {
  user_id: string;
  quests: Array<UserQuestOut>;
}

export interface WalletOut {
  balances: Array<CurrencyBalanceOut>;
  /** Entries in your ledger (the next one's `seq`) */
  ledger_entries: number;
}

export interface WalletRulesIn {
  /** Added or renamed, never removed. */
  currencies: Array<CurrencyIn>;
  earning?: Array<EarningRuleIn>;
}

export interface WebhookIn {
  /** `https://` only; a host resolving to a private, loopback or link-local address is refused at every delivery. */
  url: string;
  /** Event types (`GET /v1/events/schema`), or `*`. */
  event_types: Array<string>;
  description?: string;
  active?: boolean;
}

export interface WebhookListOut {
  webhooks: Array<WebhookOut>;
}

export interface WebhookOut {
  id: string;
  url: string;
  event_types: Array<string>;
  description: string;
  active: boolean;
  created_at: string;
  failing_since: string | null;
  /** The signing secret: only in the answer that created the endpoint. */
  secret?: string | null;
}

/** ``count`` matching accepted activities of a type within ``days`` consecutive days of the user's timezone, at any time ("5 in the last 7 days"; sliding, ``days`` ≤ 90). Met once the best window reaches it (a badge is never taken back); progress shows the best window. */
export interface WindowCount {
  type: "count_in_window";
  event_type: string;
  where?: Record<string, unknown> | null;
  count: number;
  days: number;
}

export interface XpTotal {
  count: number;
  type: "xp_total";
  scope?: "lifetime";
}

export interface ZonesOut {
  /** Ranks 1..N would be promoted if the week ended now; null: nobody. */
  promotion_up_to_rank: number | null;
  /** Ranks from N down would be demoted if the week ended now; null: nobody. */
  demotion_from_rank: number | null;
}

/** What each route answers (its 2xx JSON body; `null` for an empty answer). */
export interface Responses {
  "GET /.well-known/jwks.json": unknown;
  "POST /v1/activities": AcceptedOut;
  "POST /v1/activities/batch": BatchOut;
  "DELETE /v1/admin/badges/{badge_id}": null;
  "PUT /v1/admin/badges/{badge_id}": BadgeOut;
  "POST /v1/admin/badges/{badge_id}/dry-run": BadgeDryRunOut;
  "GET /v1/admin/flags": FlagPageOut;
  "POST /v1/admin/flags/{user_id}/clear": ReviewOut;
  "POST /v1/admin/flags/{user_id}/confirm": ReviewOut;
  "DELETE /v1/admin/quests/{quest_id}": null;
  "PUT /v1/admin/quests/{quest_id}": QuestOut;
  "POST /v1/admin/quests/{quest_id}/dry-run": QuestDryRunOut;
  "DELETE /v1/admin/shop/items/{item_id}": null;
  "GET /v1/admin/shop/items/{item_id}": ShopItemOut;
  "PUT /v1/admin/shop/items/{item_id}": ShopItemOut;
  "DELETE /v1/admin/teams/{team_id}": null;
  "GET /v1/admin/teams/{team_id}": TeamAdminOut;
  "PUT /v1/admin/teams/{team_id}": TeamAdminOut;
  "DELETE /v1/admin/teams/{team_id}/members/{user_id}": MembershipOut;
  "PUT /v1/admin/teams/{team_id}/members/{user_id}": MembershipOut;
  "DELETE /v1/admin/users/{user_id}": ErasureOut;
  "PUT /v1/admin/users/{user_id}": ExclusionOut;
  "GET /v1/admin/users/{user_id}/export": ExportOut;
  "POST /v1/admin/users/{user_id}/wallet/adjust": AdjustOut;
  "GET /v1/admin/wallet/rules": WalletRulesIn;
  "PUT /v1/admin/wallet/rules": WalletRulesIn;
  "GET /v1/admin/webhooks": WebhookListOut;
  "DELETE /v1/admin/webhooks/{webhook_id}": null;
  "GET /v1/admin/webhooks/{webhook_id}": WebhookOut;
  "PUT /v1/admin/webhooks/{webhook_id}": WebhookOut;
  "GET /v1/admin/webhooks/{webhook_id}/deliveries": DeliveriesOut;
  "POST /v1/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry": PingSentOut;
  "POST /v1/admin/webhooks/{webhook_id}/rotate": WebhookOut;
  "POST /v1/admin/webhooks/{webhook_id}/test": PingSentOut;
  "GET /v1/badges": BadgeCatalogOut;
  "GET /v1/docs": Record<string, unknown>;
  "GET /v1/events/schema": Record<string, unknown>;
  "GET /v1/health": HealthOut;
  "POST /v1/internal/activities": AcceptedOut;
  "GET /v1/issuer": unknown;
  "GET /v1/leaderboard": LeaderboardOut;
  "GET /v1/leaderboard/around/{user_id}": AroundOut;
  "GET /v1/leagues/tiers": TiersOut;
  "DELETE /v1/me": ErasureOut;
  "GET /v1/me": MyProfileOut;
  "GET /v1/me/blocked": FollowListOut;
  "DELETE /v1/me/blocked/{user_id}": null;
  "PUT /v1/me/blocked/{user_id}": RelationOut;
  "GET /v1/me/export": ExportOut;
  "GET /v1/me/followers": FollowListOut;
  "GET /v1/me/following": FollowListOut;
  "DELETE /v1/me/following/{user_id}": null;
  "PUT /v1/me/following/{user_id}": RelationOut;
  "GET /v1/me/friend-streaks": FriendStreaksOut;
  "DELETE /v1/me/friend-streaks/{user_id}": null;
  "PUT /v1/me/friend-streaks/{user_id}": FriendStreakOut;
  "GET /v1/me/friends/leaderboard": FriendBoardOut;
  "GET /v1/me/league": MyLeagueOut;
  "GET /v1/me/notifications": NotificationPageOut;
  "POST /v1/me/notifications/read": MarkReadOut;
  "GET /v1/me/quests": UserQuestsOut;
  "DELETE /v1/me/quests/{quest_id}/partner": null;
  "GET /v1/me/quests/{quest_id}/partner": PairOut;
  "PUT /v1/me/quests/{quest_id}/partner/{user_id}": PairOut;
  "PUT /v1/me/settings": SettingsOut;
  "GET /v1/me/teams": MyTeamsOut;
  "GET /v1/me/wallet": WalletOut;
  "GET /v1/me/wallet/ledger": LedgerPageOut;
  "POST /v1/me/wallet/redeem": RedeemOut;
  "GET /v1/openapi.json": Record<string, unknown>;
  "GET /v1/quests": QuestCatalogOut;
  "GET /v1/shop/items": ShopOut;
  "GET /v1/teams": TeamListOut;
  "GET /v1/teams/leaderboard": TeamBoardOut;
  "POST /v1/teams/{team_id}/join": MembershipOut;
  "GET /v1/teams/{team_id}/leaderboard": TeamMembersBoardOut;
  "DELETE /v1/teams/{team_id}/members/me": MembershipOut;
  "GET /v1/teams/{team_id}/quests": TeamQuestsOut;
  "GET /v1/users/{user_id}": ProfileOut;
  "GET /v1/users/{user_id}/badges": UserBadgesOut;
  "GET /v1/users/{user_id}/badges/{badge_id}/credential": null;
}
