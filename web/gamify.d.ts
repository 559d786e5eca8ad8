// Type declarations for gamify.js, the widgets' JavaScript API (the module itself is plain ES,
// no build step). tests/local/test_widget_types.py fails when an export or element is missing.

import type { ActivityIn, MyProfileOut, RedeemIn, RedeemOut, Responses, SettingsIn } from "./gamify-api";

/** A token, or a function (sync or async) returning the signed-in user's token. */
export type TokenSource = string | null | (() => string | null | Promise<string | null>);

export interface GamifySettings {
  /** The API's base URL, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/prod ("" = same origin). */
  apiBase?: string;
  token?: TokenSource;
  /** Prefix of the token in the Authorization header: "Bearer" (default) or "" for the bare token. */
  authScheme?: string;
}

/** Set the API base URL and token provider for every widget on the page (and refresh them). */
export function configure(settings?: GamifySettings): void;

/** Ask every widget to reload now (e.g. after the page reported an activity). */
export function refreshAll(): void;

/** A URL safe to load as an image: https:, or relative to `base` on the same origin; else null. */
export function safeUrl(value: unknown, base?: string): string | null;

/** A message: a string with {placeholders}, or plural forms chosen by Intl.PluralRules. */
export type Message = string | { zero?: string; one?: string; two?: string; few?: string; many?: string; other: string };

/** Add or override messages of a language ("de", "fr", ...); English fills the gaps. */
export function addMessages(lang: string, messages: Record<string, Message>): void;

/** The languages that have a catalogue ("en", "de", and any added). */
export function languages(): string[];

/** A small typed client of the API for app code (the answers typed from docs/openapi.json). */
export class GamifyClient {
  constructor(options: { apiBase?: string; token: TokenSource; authScheme?: string });
  request(method: string, path: string, body?: unknown): Promise<any>;
  me(): Promise<Responses["GET /v1/me"]>;
  league(): Promise<Responses["GET /v1/me/league"]>;
  quests(): Promise<Responses["GET /v1/me/quests"]>;
  /** A friend quest: your partner and the pair's progress. */
  partner(questId: string): Promise<Responses["GET /v1/me/quests/{quest_id}/partner"]>;
  /** Pair with a mutual friend; a refusal throws a GamifyError whose `code` says why. */
  pair(questId: string, userId: string): Promise<Responses["PUT /v1/me/quests/{quest_id}/partner/{user_id}"]>;
  /** End your pairing on a friend quest (both sides). */
  unpair(questId: string): Promise<Responses["DELETE /v1/me/quests/{quest_id}/partner"]>;
  teamQuests(teamId: string): Promise<Responses["GET /v1/teams/{team_id}/quests"]>;
  badges(userId: string): Promise<Responses["GET /v1/users/{user_id}/badges"]>;
  leaderboard(query?: { period?: "alltime" | "weekly"; limit?: number; offset?: number }): Promise<Responses["GET /v1/leaderboard"]>;
  notifications(query?: { unreadOnly?: boolean; limit?: number; cursor?: string }): Promise<Responses["GET /v1/me/notifications"]>;
  markRead(ids: string[] | null): Promise<Responses["POST /v1/me/notifications/read"]>;
  report(activity: ActivityIn): Promise<Responses["POST /v1/activities"]>;
  updateSettings(settings: SettingsIn): Promise<Responses["PUT /v1/me/settings"]>;
  wallet(): Promise<Responses["GET /v1/me/wallet"]>;
  ledger(query?: { limit?: number; before?: number }): Promise<Responses["GET /v1/me/wallet/ledger"]>;
  shop(): Promise<Responses["GET /v1/shop/items"]>;
  /** Repeat a failed call with the same `idempotency_key`: it never debits twice. */
  redeem(order: RedeemIn): Promise<Responses["POST /v1/me/wallet/redeem"]>;
}

/** An API error: the HTTP status (401 when no token) and the API's message. */
export class GamifyError extends Error {
  constructor(status: number, message: string, code?: string | null);
  status: number;
  /** The API's error code (`insufficient_funds`, `out_of_stock`...), null when there was none. */
  code: string | null;
}

export interface ApiAnswer<T> {
  status: number;
  etag: string | null;
  data: T;
}

/** The group a user is in (docs/analytics.md, "The control group"). */
export type Experience = NonNullable<MyProfileOut["experience"]>;

/** The base of every widget. Attributes: api-base, token, auth-scheme, user-id, poll-seconds, lang.
 *
 * The control group: before its first load every widget asks the user's `experience` from one
 * GET /v1/me shared by every widget on the page (per API base and token). For "control" the
 * element renders nothing: its shadow root stays empty (no live region, no toast), it takes no
 * space (`display: none`, which page CSS cannot override), it stops polling and sends no other
 * request. If that lookup fails the widget renders as for treatment and the lookup is asked
 * again at a refresh at least 5 s later. The element reflects what it learned in its
 * `data-experience` attribute ("control" | "treatment"; absent while unknown). */
export class GamifyElement extends HTMLElement {
  /** Wins over the `token` attribute and configure(). */
  tokenProvider: TokenSource;
  readonly apiBase: string;
  readonly pollSeconds: number;
  /** The language in use: this element's lang, the nearest ancestor's, <html lang>, else "en". */
  readonly locale: string;
  /** Reload now (asked for during a load, it runs right after that one). */
  refresh(): Promise<void>;
  /** The signed-in user's token (rejects with a 401 GamifyError when there is none). */
  token(): Promise<string>;
  /** The signed-in user's GET /v1/me, asked once per API base and token for the whole page. */
  whoAmI(): Promise<MyProfileOut>;
  /** The signed-in user's id (`user-id`, else from whoAmI()). */
  me(): Promise<string>;
  /** The user's group from whoAmI(); null when that lookup failed (the widget then renders). */
  experience(): Promise<Experience | null>;
  /** One API call with this widget's credentials. */
  api<T = unknown>(method: string, path: string, options?: { body?: unknown; etag?: string }): Promise<ApiAnswer<T>>;
}

export class GamifyProfile extends GamifyElement {}
export class GamifyStreak extends GamifyElement {}
export class GamifyLeague extends GamifyElement {}
/** Your quests; a friend quest (`mode: "pair"`) shows your partner and the pair's progress, with a
 * select of mutual friends to pair with and an End pairing button (PUT/GET/DELETE
 * /v1/me/quests/{quest_id}/partner); refusals are shown as text. */
export class GamifyQuests extends GamifyElement {}
/** A team's quests: the team's progress, your count, whether you were paid (GET
 * /v1/teams/{team_id}/quests). Attribute team (default: every team you are in). */
export class GamifyTeamQuests extends GamifyElement {}
/** Attribute icon-base: the folder relative badge icons resolve against (default: web/). */
export class GamifyBadgeGrid extends GamifyElement {}
/** Attributes: period ("alltime" | "weekly"), limit, radius. */
export class GamifyLeaderboard extends GamifyElement {
  readonly period: "alltime" | "weekly";
}
/** You and everyone you follow (GET /v1/me/friends/leaderboard). Attribute: period. */
export class GamifyFriendsBoard extends GamifyElement {
  readonly period: "alltime" | "weekly";
}
/** Your friend streaks, with Accept / Decline / Withdraw buttons (GET/PUT/DELETE /v1/me/friend-streaks). */
export class GamifyFriendStreaks extends GamifyElement {}
/** Attributes: open, toast-seconds. */
export class GamifyNotifications extends GamifyElement {}
/** Balances, the shop with a Buy button per item (one idempotency key per click, kept for its
 * "Try again"), refusals, the latest ledger entries. Fires `gamify:purchased` (RedeemOut). */
export class GamifyWallet extends GamifyElement {}

export const ELEMENTS: {
  "gamify-profile": typeof GamifyProfile;
  "gamify-streak": typeof GamifyStreak;
  "gamify-league": typeof GamifyLeague;
  "gamify-quests": typeof GamifyQuests;
  "gamify-team-quests": typeof GamifyTeamQuests;
  "gamify-badge-grid": typeof GamifyBadgeGrid;
  "gamify-leaderboard": typeof GamifyLeaderboard;
  "gamify-friends-board": typeof GamifyFriendsBoard;
  "gamify-friend-streaks": typeof GamifyFriendStreaks;
  "gamify-notifications": typeof GamifyNotifications;
  "gamify-wallet": typeof GamifyWallet;
};

/** A badge as `gamify:badge-unlocked` carries it (GET /v1/users/{id}/badges, one item). */
export interface UnlockedBadge {
  id: string;
  name: string;
  description: string;
  icon: string | null;
  earned: true;
  earned_at: string;
}

declare global {
  interface HTMLElementTagNameMap {
    "gamify-profile": GamifyProfile;
    "gamify-streak": GamifyStreak;
    "gamify-league": GamifyLeague;
    "gamify-quests": GamifyQuests;
    "gamify-team-quests": GamifyTeamQuests;
    "gamify-badge-grid": GamifyBadgeGrid;
    "gamify-leaderboard": GamifyLeaderboard;
    "gamify-friends-board": GamifyFriendsBoard;
    "gamify-friend-streaks": GamifyFriendStreaks;
    "gamify-notifications": GamifyNotifications;
    "gamify-wallet": GamifyWallet;
  }
  interface DocumentEventMap {
    /** Every widget reloads (refreshAll()). */
    "gamify:refresh": CustomEvent<void>;
    /** A badge became earned while the grid was on screen (bubbles, composed). */
    "gamify:badge-unlocked": CustomEvent<UnlockedBadge>;
    /** A purchase in <gamify-wallet> succeeded (bubbles, composed): the redeem's answer. */
    "gamify:purchased": CustomEvent<RedeemOut>;
  }
}
