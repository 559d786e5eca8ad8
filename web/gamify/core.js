// The base of every widget: settings, API access, polling, the theme, the language, a live
// region and the control group (a user in it sees no widget). Everything the API returns is
// rendered as text (never as HTML).

import { GamifyError, call } from "./http.js";
import { translator } from "./i18n.js";

const settings = { apiBase: "", token: null, authScheme: "Bearer" };

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

export { GamifyError };

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

export function h(tag, attributes = {}, ...children) {
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

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element (decorative icons drawn in code; attributes only, no markup parsing). */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

export function bar(fraction, label, max, now) {
  const fill = h("span");
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h("div", { class: "bar", part: "bar", role: "progressbar", "aria-label": label,
    "aria-valuemin": 0, "aria-valuemax": max, "aria-valuenow": now }, fill);
}

// -- the theme ---------------------------------------------------------------------------------
// Public knobs are --gamify-*; each falls back to a light-dark() pair, so the widgets follow the
// page's colour scheme: the system's (prefers-color-scheme) by default, or the one a page forces
// with --gamify-color-scheme: dark | light (a dark-mode toggle of its own). A page that sets a
// knob wins in both schemes. Contrast of every default text pair is >= 4.5:1 in both.

const KNOBS = [
  // [internal name, public knob, light default, dark default]
  ["text", "text", "#1f2328", "#e6edf3"], ["surface", "surface", "#ffffff", "#161b22"],
  ["border", "border", "#d0d7de", "#3d444d"], ["muted", "muted", "#59636e", "#9198a1"],
  ["accent", "accent", "#8250df", "#a371f7"], ["on-accent", "on-accent", "#ffffff", "#0d1117"],
  ["track", "track", "#eaeef2", "#30363d"], ["button", "button", "#f6f8fa", "#21262d"],
  ["highlight", "highlight", "#fbefff", "#2e2145"], ["danger", "danger", "#cf222e", "#ff7b72"],
  ["warning-bg", "warning-bg", "#fff8c5", "#3b2e00"], ["toast-bg", "toast-bg", "#1f2328", "#e6edf3"],
  ["toast-text", "toast-text", "#ffffff", "#0d1117"],
  ["up", "promotion", "#1a7f37", "#3fb950"], ["up-bg", "promotion-bg", "#dafbe1", "#12261a"],
  ["down", "demotion", "#cf222e", "#ff7b72"], ["down-bg", "demotion-bg", "#ffebe9", "#2d1214"],
  ["flame", "flame", "#d4500b", "#f0883e"], ["frozen", "frozen", "#0969da", "#58a6ff"],
  ["frozen-bg", "frozen-bg", "#ddf4ff", "#0c2d4f"],
];
const COLOURS = KNOBS.map(([name, knob, light, dark]) =>
  `--_${name}: var(--gamify-${knob}, light-dark(${light}, ${dark}));`).join(" ");

export const BASE_CSS = `
  :host { color-scheme: var(--gamify-color-scheme, light dark); ${COLOURS} display: block; font: var(--gamify-font, inherit); color: var(--_text);
          background: var(--_surface); border: 1px solid var(--_border);
          border-radius: var(--gamify-radius, 10px); padding: var(--gamify-padding, 1rem);
          min-width: 0; overflow-wrap: break-word; }
  :host([hidden]) { display: none; }
  /* The control group (docs/analytics.md): no box, nothing for screen readers; a page's own
     display rule cannot bring it back (an !important inside the shadow tree wins). */
  :host([data-experience=control]) { display: none !important; }
  h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
  .muted { color: var(--_muted); font-size: .85rem; }
  .error { color: var(--_danger); }
  .bar { height: .55rem; background: var(--_track); border-radius: 1rem; overflow: hidden; }
  .bar > span { display: block; height: 100%; background: var(--_accent); }
  button { font: inherit; cursor: pointer; border-radius: calc(var(--gamify-radius, 10px) * .6);
           padding: .25rem .6rem; border: 1px solid var(--_border); background: var(--_button);
           color: inherit; }
  button:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  .stale { background: var(--_warning-bg); padding: .2rem .4rem; border-radius: 4px; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
                     overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--_border); }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  caption { text-align: left; font-weight: 700; margin-bottom: .4rem; }
  @media (prefers-reduced-motion: reduce) {
    *, *::before, *::after { animation: none !important; transition: none !important; }
  }
`;

function sheet(css) {
  const style = new CSSStyleSheet();
  style.replaceSync(BASE_CSS + css);
  return style;
}

// -- who is asking: one GET /v1/me per API base and token, shared by every widget ------------
// Its answer names the user (badges and boards need the id) and their `experience`: "control"
// (docs/analytics.md) means every widget renders nothing. Learned once per page load: a change
// of group (a new experiment's salt) shows at the next load. A failed lookup stays a few seconds
// (the widgets refreshing together share it) and is then asked again, at the next refresh.

const LOOKUP_RETRY_MS = 5000;
const LOOKUPS_KEPT = 8; // a token that rotates (an ID token each hour) is a new key each time
const lookups = new Map(); // `${apiBase} ${token}` -> Promise<MyProfileOut>

function lookup(key, ask) {
  let answer = lookups.get(key);
  if (answer) return answer;
  answer = ask();
  lookups.set(key, answer);
  if (lookups.size > LOOKUPS_KEPT) lookups.delete(lookups.keys().next().value);
  answer.catch(() => setTimeout(() => lookups.get(key) === answer && lookups.delete(key), LOOKUP_RETRY_MS));
  return answer;
}

const FOCUSABLE = "button, [tabindex], a[href], input, select";

function focusKey(node) {
  // A class or label names a control; the text only when neither does (a count may change).
  const label = node.getAttribute("aria-label") ?? "";
  const text = node.className || label ? "" : node.textContent;
  return [node.tagName, node.className, node.dataset.badge ?? "", label, text].join("|");
}

// The page's <html lang> may change (a language switch): widgets redraw in the new language.
new MutationObserver(() => refreshAll())
  .observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

// -- the base element: API access, polling, refresh ------------------------------------------

export class GamifyElement extends HTMLElement {
  static css = "";
  static defaultPollSeconds = 30;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.shadowRoot.adoptedStyleSheets = [sheet(this.constructor.css)];
    this.tokenProvider = null;
    this._timer = null;
    // One polite live region per widget that survives redraws: rank changes are announced.
    this._live = h("div", { class: "visually-hidden live", role: "status", "aria-live": "polite" });
    this._onRefresh = () => this.refresh();
    this._onVisibility = () => (document.hidden ? this._stopPolling() : this._startPolling(true));
  }

  static get observedAttributes() {
    return ["poll-seconds", "lang"];
  }

  /** A page may set `poll-seconds` after the element started polling: restart at the new rate. */
  attributeChangedCallback(name) {
    if (name === "poll-seconds" && this._timer !== null) this._startPolling(false);
    if (name === "lang" && this._timer !== null) this.refresh(); // not before the first load
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

  /** The language: this element's `lang`, the nearest ancestor's, else <html lang>, else "en". */
  get locale() {
    return this.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang || "en";
  }

  /** The translator of the current language (see i18n.js). */
  get t() {
    const locale = this.locale;
    if (this._t?.locale !== locale) this._t = translator(locale);
    return this._t;
  }

  /** The token: `tokenProvider`, else the `token` attribute, else configure()'s. */
  async token() {
    const source = this.tokenProvider ?? this.getAttribute("token") ?? settings.token;
    const token = typeof source === "function" ? await source() : source;
    if (!token) throw new GamifyError(401, "not signed in");
    return token;
  }

  /** One API call; `etag` makes it conditional (a 304 comes back as {status: 304}). */
  api(method, path, options = {}) {
    const authScheme = this.getAttribute("auth-scheme") ?? settings.authScheme;
    return call({ apiBase: this.apiBase, token: () => this.token(), authScheme }, method, path, options);
  }

  /** The signed-in user's GET /v1/me, asked once per API base and token for the whole page. */
  async whoAmI() {
    const token = await this.token();
    return lookup(`${this.apiBase} ${token}`, () => this.api("GET", "/v1/me").then((r) => r.data));
  }

  /** The signed-in user's id (from `user-id`, else the shared GET /v1/me). */
  async me() {
    return this.getAttribute("user-id") || (await this.whoAmI()).user_id;
  }

  /** "control" or "treatment" (the shared GET /v1/me); null when that lookup failed: the widget
   * then renders as for treatment, since a failed lookup must not blank everyone's widgets. */
  async experience() {
    try {
      return (await this.whoAmI()).experience ?? "treatment";
    } catch {
      return null;
    }
  }

  /** Load and draw. A refresh asked for while one runs (configure() right after the first
   * load, a language switch) runs once more after it: never dropped, never two at once. */
  async refresh() {
    if (this._busy) {
      this._again = true;
      return;
    }
    this._busy = true;
    try {
      const experience = await this.experience();
      if (experience === "control") {
        this.holdOut();
      } else {
        this.takePart(experience);
        await this.load();
        this.removeAttribute("data-error");
      }
    } catch (error) {
      this.setAttribute("data-error", String(error.status ?? "network"));
      this.showError(error);
    } finally {
      this._busy = false;
    }
    if (this._again) {
      this._again = false;
      await this.refresh();
    }
  }

  /** The control group: nothing rendered or announced (no live region), no polling. A refresh
   * asked for later (configure() with another user's token) looks again. */
  holdOut() {
    this.dataset.experience = "control";
    this.removeAttribute("data-error");
    this._stopPolling();
    this.shadowRoot.replaceChildren();
  }

  /** Treatment (or a failed lookup: null): show, and poll again if the element was held out. */
  takePart(experience) {
    if (experience) this.dataset.experience = experience;
    else delete this.dataset.experience;
    if (this._timer === null && this.isConnected && !document.hidden) this._poll();
  }

  showError(error) {
    const message = error.status === 401 ? this.t("signIn") : this.t("couldNotLoad", { message: error.message });
    this.render([h("p", { class: "error", role: "alert" }, message)]);
  }

  /** Replace the widget's content, if it changed. A redraw (a poll, a toggle) keeps the keyboard
   * focus on the control that stands where the focused one stood: same kind, class and label. */
  render(children) {
    const shown = children.filter((child) => child !== null && child !== undefined);
    // An unchanged answer changes nothing on screen: no flicker, no lost focus, no key-up that
    // lands on a replaced button (Space clicks on key-up).
    const old = [...this.shadowRoot.childNodes].filter((node) => node !== this._live);
    if (old.length === shown.length && shown.every((node, i) => node === old[i] || node.isEqualNode(old[i]))) return;
    const focused = this.shadowRoot.activeElement;
    const key = focused ? focusKey(focused) : null;
    this.shadowRoot.replaceChildren(...shown, this._live);
    if (key === null) return;
    for (const node of this.shadowRoot.querySelectorAll(FOCUSABLE)) {
      if (focusKey(node) === key) {
        node.focus({ preventScroll: true });
        return;
      }
    }
  }

  /** Say `text` to screen readers (once; the region is polite). */
  announce(text) {
    this._live.textContent = text;
  }

  _startPolling(now) {
    this._stopPolling();
    if (document.hidden) return;
    if (now) this.refresh();
    if (this.dataset.experience !== "control") this._poll();
  }

  _poll() {
    this._timer = setInterval(() => this.refresh(), this.pollSeconds * 1000);
  }

  _stopPolling() {
    clearInterval(this._timer);
    this._timer = null;
  }
}
