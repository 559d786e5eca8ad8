// gamify widgets: standard Web Components, one ES module, no build step, no dependencies.
//
//   <script type="module">
//     import { configure } from "./gamify.js";
//     configure({ apiBase: "https://abc.execute-api.eu-west-1.amazonaws.com/prod",
//                 token: () => myAuth.idToken() });   // a string or a (async) function
//   </script>
//   <gamify-profile></gamify-profile>
//   <gamify-badge-grid></gamify-badge-grid>
//   <gamify-leaderboard period="weekly" limit="10"></gamify-leaderboard>
//   <gamify-notifications></gamify-notifications>
//
// Every element also takes `api-base` and `token` attributes or a `tokenProvider` property, which
// win over configure(). Everything the API returns is rendered as text (never as HTML), and
// URLs only when they are https: or relative. Theme with the --gamify-* custom properties.

const settings = { apiBase: "", token: null, authScheme: "Bearer" };
const KINDS_TOASTED = new Set(["level_up", "badge_earned"]);

/** Set the API base URL and token provider for every widget on the page. `authScheme` prefixes
 * the token in the Authorization header ("Bearer"; "" sends the bare token, as API Gateway's
 * Cognito authorizer documents it). */
export function configure({ apiBase, token, authScheme } = {}) {
  if (apiBase !== undefined) settings.apiBase = apiBase;
  if (token !== undefined) settings.token = token;
  if (authScheme !== undefined) settings.authScheme = authScheme;
  refreshAll();
}

/** Ask every widget to reload now (e.g. after the page reported an activity). */
export function refreshAll() {
  document.dispatchEvent(new CustomEvent("gamify:refresh"));
}

export class GamifyError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A URL safe to load as an image: https:, or relative to `base` on the same origin. */
export function safeUrl(value, base = document.baseURI) {
  if (typeof value !== "string" || value === "") return null;
  try {
    const url = new URL(value, base);
    const relative = !/^[a-z][a-z0-9+.-]*:/i.test(value) && !value.startsWith("//");
    if (url.protocol === "https:" || (relative && url.origin === new URL(base).origin)) {
      return url.href;
    }
  } catch {
    return null;
  }
  return null;
}

// -- DOM helpers: text only ------------------------------------------------------------------

function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const BASE_CSS = `
  :host { display: block; font: var(--gamify-font, inherit); color: var(--gamify-text, #1f2328);
          background: var(--gamify-surface, #fff); border: 1px solid var(--gamify-border, #d0d7de);
          border-radius: var(--gamify-radius, 10px); padding: var(--gamify-padding, 1rem); }
  h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
  .muted { color: var(--gamify-muted, #656d76); font-size: .85rem; }
  .error { color: var(--gamify-danger, #cf222e); }
  .bar { height: .55rem; background: var(--gamify-track, #eaeef2); border-radius: 1rem; overflow: hidden; }
  .bar > span { display: block; height: 100%; background: var(--gamify-accent, #8250df); }
  button { font: inherit; cursor: pointer; border-radius: 6px; padding: .25rem .6rem;
           border: 1px solid var(--gamify-border, #d0d7de); background: var(--gamify-button, #f6f8fa);
           color: inherit; }
  button:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--gamify-accent, #8250df); outline-offset: 2px; }
  .stale { background: var(--gamify-warning-bg, #fff8c5); padding: .2rem .4rem; border-radius: 4px; }
`;

function sheet(css) {
  const style = new CSSStyleSheet();
  style.replaceSync(BASE_CSS + css);
  return style;
}

function bar(fraction, label, max, now) {
  const fill = h("span");
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h("div", { class: "bar", role: "progressbar", "aria-label": label,
    "aria-valuemin": 0, "aria-valuemax": max, "aria-valuenow": now }, fill);
}

const whoAmI = new Map(); // token -> Promise<user id>

// -- the base element: API access, polling, refresh ------------------------------------------

class GamifyElement extends HTMLElement {
  static css = "";
  static defaultPollSeconds = 30;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.shadowRoot.adoptedStyleSheets = [sheet(this.constructor.css)];
    this.tokenProvider = null;
    this._timer = null;
    this._onRefresh = () => this.refresh();
    this._onVisibility = () => (document.hidden ? this._stopPolling() : this._startPolling(true));
  }

  static get observedAttributes() {
    return ["poll-seconds"];
  }

  /** A page may set `poll-seconds` after the element started polling: restart at the new rate. */
  attributeChangedCallback(name) {
    if (name === "poll-seconds" && this._timer !== null) this._startPolling(false);
  }

  connectedCallback() {
    document.addEventListener("gamify:refresh", this._onRefresh);
    document.addEventListener("visibilitychange", this._onVisibility);
    this._startPolling(true);
  }

  disconnectedCallback() {
    document.removeEventListener("gamify:refresh", this._onRefresh);
    document.removeEventListener("visibilitychange", this._onVisibility);
    this._stopPolling();
  }

  get apiBase() {
    return (this.getAttribute("api-base") ?? settings.apiBase ?? "").replace(/\/+$/, "");
  }

  get pollSeconds() {
    const value = Number(this.getAttribute("poll-seconds"));
    return value > 0 ? value : this.constructor.defaultPollSeconds;
  }

  async token() {
    const source = this.tokenProvider ?? this.getAttribute("token") ?? settings.token;
    const token = typeof source === "function" ? await source() : source;
    if (!token) throw new GamifyError(401, "not signed in");
    return token;
  }

  /** One API call; `etag` makes it conditional (a 304 comes back as {status: 304}). */
  async api(method, path, { body, etag } = {}) {
    const scheme = this.getAttribute("auth-scheme") ?? settings.authScheme;
    const token = await this.token();
    const headers = { Accept: "application/json", Authorization: scheme ? `${scheme} ${token}` : token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (etag) headers["If-None-Match"] = etag;
    const response = await fetch(this.apiBase + path, {
      method, headers, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 304) return { status: 304, etag };
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      throw new GamifyError(response.status, data?.error?.message ?? `HTTP ${response.status}`);
    }
    return { status: response.status, etag: response.headers.get("ETag"), data };
  }

  /** The signed-in user's id (from `user-id`, or asked once per token). */
  async me() {
    const given = this.getAttribute("user-id");
    if (given) return given;
    const token = await this.token();
    if (!whoAmI.has(token)) {
      whoAmI.set(token, this.api("GET", "/v1/me").then((r) => r.data.user_id));
      whoAmI.get(token).catch(() => whoAmI.delete(token));
    }
    return whoAmI.get(token);
  }

  async refresh() {
    if (this._busy) return;
    this._busy = true;
    try {
      await this.load();
      this.removeAttribute("data-error");
    } catch (error) {
      this.setAttribute("data-error", String(error.status ?? "network"));
      this.showError(error);
    } finally {
      this._busy = false;
    }
  }

  showError(error) {
    const message = error.status === 401 ? "Sign in to see this." : `Could not load: ${error.message}`;
    this.render([h("p", { class: "error", role: "alert" }, message)]);
  }

  render(children) {
    this.shadowRoot.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
  }

  _startPolling(now) {
    this._stopPolling();
    if (document.hidden) return;
    if (now) this.refresh();
    this._timer = setInterval(() => this.refresh(), this.pollSeconds * 1000);
  }

  _stopPolling() {
    clearInterval(this._timer);
    this._timer = null;
  }
}

// -- <gamify-profile> ------------------------------------------------------------------------

function formatExpiry(iso, timeZone) {
  const options = { weekday: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(new Date(iso));
  }
}

export class GamifyProfile extends GamifyElement {
  static css = `
    .level { font-size: 1.6rem; font-weight: 700; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem .8rem; margin: .8rem 0 0; }
    dt { color: var(--gamify-muted, #656d76); } dd { margin: 0; }
  `;

  async load() {
    const { data: p } = await this.api("GET", "/v1/me");
    const next = p.level + 1;
    const span = p.progress.next_level_xp - p.progress.level_floor_xp;
    const streak = p.streak;
    const expires = streak.current > 0 && streak.expires_at
      ? `expires ${formatExpiry(streak.expires_at, p.settings?.timezone ?? "UTC")}` : null;
    this.render([
      h("section", { "aria-label": "Your progress" },
        h("h2", {}, p.display_name ?? p.user_id),
        h("div", { class: "level", part: "level" }, `Level ${p.level}`),
        h("div", { class: "muted", part: "xp" },
          `${p.xp} XP · ${p.progress.xp_to_next_level} XP to level ${next}`),
        bar(p.progress.fraction, `Progress to level ${next}`, span, p.progress.xp_into_level),
        h("dl", {},
          h("dt", {}, "This week"), h("dd", { part: "weekly" }, `${p.weekly_xp} XP`),
          h("dt", {}, "Streak"),
          h("dd", { part: "streak" }, `${streak.current} day${streak.current === 1 ? "" : "s"}`,
            expires ? h("span", { class: "muted" }, ` (${expires})`) : null),
          h("dt", {}, "Longest streak"), h("dd", {}, `${streak.longest} day${streak.longest === 1 ? "" : "s"}`),
          h("dt", {}, "Rank"),
          h("dd", { part: "rank" }, p.rank === null ? (p.rank_available ? "unranked" : "unavailable") : `#${p.rank}`),
          h("dt", {}, "Badges"), h("dd", {}, String(p.badge_count)),
        )),
    ]);
  }
}

// -- <gamify-badge-grid> ---------------------------------------------------------------------

export class GamifyBadgeGrid extends GamifyElement {
  static css = `
    ul { list-style: none; padding: 0; margin: 0; display: grid; gap: .6rem;
         grid-template-columns: repeat(auto-fill, minmax(var(--gamify-badge-size, 8.5rem), 1fr)); }
    li { border: 1px solid var(--gamify-border, #d0d7de); border-radius: 8px; padding: .6rem; text-align: center; }
    li.locked { filter: grayscale(1); opacity: .6; }
    li.earned { border-color: var(--gamify-accent, #8250df); }
    .icon { width: 2.5rem; height: 2.5rem; margin: 0 auto .3rem; border-radius: 50%; display: grid;
            place-items: center; font-weight: 700; background: var(--gamify-track, #eaeef2); }
    li.earned .icon { background: var(--gamify-accent, #8250df); color: var(--gamify-on-accent, #fff); }
    img.icon { object-fit: contain; background: none; }
    .name { font-weight: 600; } .bar { margin-top: .3rem; }
    li.unlocking { animation: gamify-unlock 900ms ease-out 1; }
    @keyframes gamify-unlock { 0% { transform: scale(.6) rotate(-8deg); filter: grayscale(1); }
                               60% { transform: scale(1.12) rotate(3deg); } 100% { transform: none; } }
    @media (prefers-reduced-motion: reduce) { li.unlocking { animation: none; } }
  `;

  async load() {
    const user = await this.me();
    const data = await this.api("GET", `/v1/users/${encodeURIComponent(user)}/badges`)
      .then((answer) => answer.data)
      .catch((error) => (error.status === 404 ? this.catalogOnly(user) : Promise.reject(error)));
    const before = this._earned;
    this._earned = new Set(data.badges.filter((b) => b.earned).map((b) => b.id));
    const items = data.badges.map((badge) => {
      const unlocking = before !== undefined && badge.earned && !before.has(badge.id);
      if (unlocking) {
        this.dispatchEvent(new CustomEvent("gamify:badge-unlocked", { detail: badge, bubbles: true, composed: true }));
      }
      return this.item(badge, unlocking);
    });
    this.render([
      h("h2", { id: "badges-title" }, `Badges (${data.earned_count} of ${data.badges.length})`),
      h("ul", { "aria-labelledby": "badges-title" }, items),
    ]);
  }

  /** A user who has not played yet: every catalog badge, locked at 0. */
  async catalogOnly(user) {
    const { data } = await this.api("GET", "/v1/badges");
    const badges = data.badges.map((b) => ({
      ...b, earned: false, earned_at: null, retired: false,
      progress: { current: 0, target: b.criteria.count ?? b.criteria.level ?? 1 },
    }));
    return { user_id: user, earned_count: 0, badges };
  }

  item(badge, unlocking) {
    const name = badge.name ?? badge.id;
    const state = badge.earned
      ? `Earned ${new Date(badge.earned_at).toLocaleDateString()}`
      : badge.progress ? `${badge.progress.current}/${badge.progress.target}` : "Locked";
    const base = this.getAttribute("icon-base");
    const src = base && badge.icon ? safeUrl(badge.icon, new URL(base, document.baseURI).href) : null;
    const icon = src
      ? h("img", { class: "icon", src, alt: "" })
      : h("div", { class: "icon", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase());
    const classes = [badge.earned ? "earned" : "locked", unlocking ? "unlocking" : ""].join(" ").trim();
    return h("li", { class: classes, tabindex: 0, "data-badge": badge.id,
      "aria-label": `${name}: ${badge.earned ? "" : "locked, "}${state}. ${badge.description ?? ""}` },
      icon,
      h("div", { class: "name" }, name),
      h("div", { class: "muted state" }, state),
      !badge.earned && badge.progress
        ? bar(badge.progress.current / badge.progress.target, `${name} progress`, badge.progress.target, badge.progress.current)
        : null,
    );
  }
}

// -- <gamify-leaderboard> --------------------------------------------------------------------

export class GamifyLeaderboard extends GamifyElement {
  static css = `
    table { width: 100%; border-collapse: collapse; }
    th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--gamify-border, #d0d7de); }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.me { background: var(--gamify-highlight, #fbefff); font-weight: 700; }
    tr.gap td { text-align: center; color: var(--gamify-muted, #656d76); }
    caption { text-align: left; font-weight: 700; margin-bottom: .4rem; }
  `;

  constructor() {
    super();
    this._cache = new Map(); // url -> {etag, data}
  }

  static get observedAttributes() {
    return [...super.observedAttributes, "period"];
  }

  attributeChangedCallback(name) {
    if (name !== "period") return super.attributeChangedCallback(name);
    if (this.isConnected) this.refresh();
  }

  get period() {
    return this.getAttribute("period") === "weekly" ? "weekly" : "alltime";
  }

  /** GET with If-None-Match: an unchanged answer is a 304 and keeps the last body. */
  async cached(path) {
    const known = this._cache.get(path);
    const answer = await this.api("GET", path, { etag: known?.etag });
    if (answer.status === 304 && known) return known.data;
    this._cache.set(path, { etag: answer.etag, data: answer.data });
    return answer.data;
  }

  async load() {
    const limit = Number(this.getAttribute("limit")) || 10;
    const radius = Number(this.getAttribute("radius")) || 2;
    const me = await this.me();
    const query = `period=${this.period}`;
    const [top, around] = await Promise.all([
      this.cached(`/v1/leaderboard?${query}&limit=${limit}`),
      this.cached(`/v1/leaderboard/around/${encodeURIComponent(me)}?${query}&radius=${radius}`),
    ]);
    if (this._shown === top && this._shownAround === around) return; // 304s: nothing to redraw
    this._shown = top;
    this._shownAround = around;
    const listed = new Set(top.entries.map((e) => e.user_id));
    const extra = around.entries.filter((e) => !listed.has(e.user_id));
    const lastTop = top.entries.at(-1)?.rank ?? 0;
    const rows = top.entries.map((e) => this.row(e, me));
    if (extra.length) {
      if (extra[0].rank > lastTop + 1 || top.entries.length < top.total) {
        rows.push(h("tr", { class: "gap" }, h("td", { colspan: 4 }, "…")));
      }
      rows.push(...extra.map((e) => this.row(e, me)));
    }
    const title = this.period === "weekly" ? `This week${top.week ? ` (${top.week})` : ""}` : "All time";
    this.render([
      h("table", {},
        h("caption", {}, `Leaderboard: ${title}`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "num" }, "Rank"),
          h("th", { scope: "col" }, "Player"), h("th", { scope: "col", class: "num" }, "Level"),
          h("th", { scope: "col", class: "num" }, "XP"))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No one on the board yet."))),
      ),
      top.stale || around.stale
        ? h("p", { class: "stale", role: "note" },
          `Snapshot${top.as_of ? ` from ${new Date(top.as_of).toLocaleString()}` : ""}: the live board is unavailable.`)
        : null,
      h("p", { class: "muted" }, `${top.total} player${top.total === 1 ? "" : "s"}`),
    ]);
  }

  row(entry, me) {
    const mine = entry.user_id === me;
    return h("tr", { class: mine ? "me" : null, "aria-current": mine ? "true" : null, "data-user": entry.user_id },
      h("td", { class: "num rank" }, String(entry.rank)),
      h("td", {}, entry.display_name ?? entry.user_id, mine ? " (you)" : ""),
      h("td", { class: "num" }, String(entry.level)),
      h("td", { class: "num" }, String(entry.xp)));
  }
}

// -- <gamify-notifications> ------------------------------------------------------------------

export class GamifyNotifications extends GamifyElement {
  static defaultPollSeconds = 15;
  static css = `
    .head { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
    .count { background: var(--gamify-accent, #8250df); color: var(--gamify-on-accent, #fff);
             border-radius: 1rem; padding: 0 .45rem; font-size: .8rem; }
    ul { list-style: none; padding: 0; margin: .6rem 0 0; max-height: 16rem; overflow: auto; }
    li { padding: .4rem 0; border-bottom: 1px solid var(--gamify-border, #d0d7de); }
    li.unread .title { font-weight: 700; }
    .toasts { position: fixed; right: 1rem; bottom: 1rem; display: grid; gap: .5rem; z-index: 1000; }
    .toast { background: var(--gamify-toast-bg, #1f2328); color: var(--gamify-toast-text, #fff);
             padding: .7rem 1rem; border-radius: 8px; box-shadow: 0 4px 14px #0004; max-width: 22rem;
             animation: gamify-toast 250ms ease-out; }
    .toast strong { display: block; }
    .toast button { margin-left: .4rem; padding: 0 .4rem; color: var(--gamify-toast-bg, #1f2328); background: var(--gamify-toast-text, #fff); }
    @keyframes gamify-toast { from { transform: translateY(1rem); opacity: 0; } }
    @media (prefers-reduced-motion: reduce) { .toast { animation: none; } }
  `;

  constructor() {
    super();
    this._open = this.hasAttribute("open");
    this._seen = null; // ids known at the first load: those never toast
    this._toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
  }

  async load() {
    const { data } = await this.api("GET", "/v1/me/notifications?limit=20");
    const items = data.notifications;
    if (this._seen === null) this._seen = new Set(items.map((n) => n.id));
    for (const n of items) {
      if (this._seen.has(n.id)) continue;
      this._seen.add(n.id);
      if (KINDS_TOASTED.has(n.kind) && !n.read) this.toast(n);
    }
    this._items = items;
    this.draw();
  }

  draw() {
    const items = this._items ?? [];
    const unread = items.filter((n) => !n.read).length;
    const list = h("ul", { id: "notification-list", hidden: !this._open, "aria-label": "Notifications" },
      items.length ? items.map((n) => h("li", { class: n.read ? "read" : "unread" },
        h("div", { class: "title" }, n.title),
        h("div", {}, n.message),
        h("div", { class: "muted" }, new Date(n.created_at).toLocaleString(),
          n.read ? null : [" · ", h("button", { onclick: () => this.markRead([n.id]), "aria-label": `Mark "${n.title}" read` }, "Mark read")]),
      )) : h("li", { class: "muted" }, "Nothing yet."));
    this.render([
      h("div", { class: "head" },
        h("button", { class: "toggle", "aria-expanded": String(this._open), "aria-controls": "notification-list",
          onclick: () => { this._open = !this._open; this.draw(); } },
        "Notifications ", h("span", { class: "count", "aria-label": `${unread} unread` }, String(unread))),
        unread ? h("button", { class: "mark-all", onclick: () => this.markRead(null) }, "Mark all read") : null),
      list,
      this._toasts,
    ]);
  }

  async markRead(ids) {
    await this.api("POST", "/v1/me/notifications/read", { body: ids ? { ids } : { all: true } });
    await this.refresh();
  }

  toast(notification) {
    const seconds = Number(this.getAttribute("toast-seconds")) || 6;
    const close = h("button", { "aria-label": "Dismiss" }, "×");
    const toast = h("div", { class: "toast", "data-kind": notification.kind },
      h("strong", {}, notification.title), notification.message, " ", close);
    close.addEventListener("click", () => toast.remove());
    this._toasts.append(toast);
    setTimeout(() => toast.remove(), seconds * 1000);
  }
}

for (const [name, element] of [
  ["gamify-profile", GamifyProfile],
  ["gamify-badge-grid", GamifyBadgeGrid],
  ["gamify-leaderboard", GamifyLeaderboard],
  ["gamify-notifications", GamifyNotifications],
]) {
  if (!customElements.get(name)) customElements.define(name, element);
}
