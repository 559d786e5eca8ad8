// GamifyClient: a small typed API client for app code (no widget needed). Plain JavaScript with
// JSDoc types from ../gamify-api.d.ts (generated from docs/openapi.json): an editor or `tsc
// --checkJs` sees each method's answer; nothing to build.

import { call } from "./http.js";

/** @typedef {import("../gamify-api").Responses} Responses */
/** @typedef {import("../gamify-api").ActivityIn} ActivityIn */
/** @typedef {import("../gamify-api").SettingsIn} SettingsIn */
/** @typedef {import("../gamify-api").RedeemIn} RedeemIn */
/** @typedef {import("./http.js").TokenSource} TokenSource */

export class GamifyClient {
  /** @param {{ apiBase?: string, token: TokenSource, authScheme?: string }} options */
  constructor({ apiBase = "", token, authScheme = "Bearer" }) {
    this.apiBase = apiBase.replace(/\/+$/, "");
    this.token = token;
    this.authScheme = authScheme;
  }

  /**
   * One call; a non-2xx answer throws a GamifyError with the status and the API's message.
   * @param {string} method @param {string} path @param {unknown} [body]
   * @returns {Promise<any>}
   */
  async request(method, path, body) {
    return (await call(this, method, path, { body })).data;
  }

  /** @returns {Promise<Responses["GET /v1/me"]>} */
  me() { return this.request("GET", "/v1/me"); }

  /** @returns {Promise<Responses["GET /v1/me/league"]>} */
  league() { return this.request("GET", "/v1/me/league"); }

  /** @returns {Promise<Responses["GET /v1/me/quests"]>} */
  quests() { return this.request("GET", "/v1/me/quests"); }

  /** A friend quest: your partner and the pair's progress. @param {string} questId
   * @returns {Promise<Responses["GET /v1/me/quests/{quest_id}/partner"]>} */
  partner(questId) { return this.request("GET", `/v1/me/quests/${encodeURIComponent(questId)}/partner`); }

  /** Pair with a mutual friend (a 400/409 refusal throws, its `code` says why).
   * @param {string} questId @param {string} userId
   * @returns {Promise<Responses["PUT /v1/me/quests/{quest_id}/partner/{user_id}"]>} */
  pair(questId, userId) {
    return this.request("PUT", `/v1/me/quests/${encodeURIComponent(questId)}/partner/${encodeURIComponent(userId)}`);
  }

  /** End your pairing on a friend quest (both sides). @param {string} questId
   * @returns {Promise<Responses["DELETE /v1/me/quests/{quest_id}/partner"]>} */
  unpair(questId) { return this.request("DELETE", `/v1/me/quests/${encodeURIComponent(questId)}/partner`); }

  /** @param {string} teamId @returns {Promise<Responses["GET /v1/teams/{team_id}/quests"]>} */
  teamQuests(teamId) { return this.request("GET", `/v1/teams/${encodeURIComponent(teamId)}/quests`); }

  /** @param {string} userId @returns {Promise<Responses["GET /v1/users/{user_id}/badges"]>} */
  badges(userId) { return this.request("GET", `/v1/users/${encodeURIComponent(userId)}/badges`); }

  /**
   * @param {{ period?: "alltime" | "weekly", limit?: number, offset?: number }} [query]
   * @returns {Promise<Responses["GET /v1/leaderboard"]>}
   */
  leaderboard({ period = "alltime", limit = 20, offset = 0 } = {}) {
    return this.request("GET", `/v1/leaderboard?period=${period}&limit=${limit}&offset=${offset}`);
  }

  /**
   * @param {{ unreadOnly?: boolean, limit?: number, cursor?: string }} [query]
   * @returns {Promise<Responses["GET /v1/me/notifications"]>}
   */
  notifications({ unreadOnly = false, limit = 20, cursor } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (unreadOnly) query.set("unread_only", "true");
    if (cursor) query.set("cursor", cursor);
    return this.request("GET", `/v1/me/notifications?${query}`);
  }

  /** @param {string[] | null} ids null: all @returns {Promise<Responses["POST /v1/me/notifications/read"]>} */
  markRead(ids) { return this.request("POST", "/v1/me/notifications/read", ids ? { ids } : { all: true }); }

  /** @param {ActivityIn} activity @returns {Promise<Responses["POST /v1/activities"]>} */
  report(activity) { return this.request("POST", "/v1/activities", activity); }

  /** @param {SettingsIn} settings @returns {Promise<Responses["PUT /v1/me/settings"]>} */
  updateSettings(settings) { return this.request("PUT", "/v1/me/settings", settings); }

  /** @returns {Promise<Responses["GET /v1/me/wallet"]>} */
  wallet() { return this.request("GET", "/v1/me/wallet"); }

  /**
   * @param {{ limit?: number, before?: number }} [query]
   * @returns {Promise<Responses["GET /v1/me/wallet/ledger"]>}
   */
  ledger({ limit = 20, before } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before !== undefined) query.set("before", String(before));
    return this.request("GET", `/v1/me/wallet/ledger?${query}`);
  }

  /** @returns {Promise<Responses["GET /v1/shop/items"]>} */
  shop() { return this.request("GET", "/v1/shop/items"); }

  /**
   * Repeat a failed call with the same `idempotency_key`: it never debits twice.
   * @param {RedeemIn} order @returns {Promise<Responses["POST /v1/me/wallet/redeem"]>}
   */
  redeem(order) { return this.request("POST", "/v1/me/wallet/redeem", order); }
}
