// <gamify-badge-grid>: every badge, earned or locked with progress; a new unlock animates once
// (not with prefers-reduced-motion) and fires `gamify:badge-unlocked`.
import { GamifyElement, bar, h, safeUrl } from "./core.js";

/** The folder the default catalog's relative icons ("icons/first-read.svg") resolve against:
 * web/, next to gamify.js. An `icon-base` attribute moves it; an absolute https: icon (an
 * admin's URL) wins over both. */
const DEFAULT_ICON_BASE = new URL("../", import.meta.url).href;

export class GamifyBadgeGrid extends GamifyElement {
  static css = `
    ul { list-style: none; padding: 0; margin: 0; display: grid; gap: .6rem;
         grid-template-columns: repeat(auto-fill, minmax(min(var(--gamify-badge-size, 9.5rem), calc(50% - .3rem)), 1fr)); }
    li { border: 1px solid var(--_border); border-radius: calc(var(--gamify-radius, 10px) * .8);
         padding: .6rem .4rem; text-align: center; min-width: 0; container-type: inline-size; }
    li.locked .icon { filter: grayscale(1); opacity: .55; }
    li.earned { border-color: var(--_accent); }
    .icon { width: 3rem; height: 3rem; margin: 0 auto .3rem; border-radius: 50%; display: grid;
            place-items: center; font-weight: 700; background: var(--_track); }
    li.earned .icon { background: var(--_accent); color: var(--_on-accent); }
    img.icon, li.earned img.icon { object-fit: contain; background: none; }
    /* The longest one-word name ("Conversationalist", ~10em) fits a narrow tile: the font
       shrinks with the tile (container units) rather than the word breaking. */
    .name { font-weight: 600; font-size: clamp(.7rem, 9.5cqi, .95rem); overflow-wrap: anywhere; hyphens: auto; }
    .bar { margin-top: .3rem; }
    li.unlocking { animation: gamify-unlock 900ms ease-out 1; }
    @keyframes gamify-unlock { 0% { transform: scale(.6) rotate(-8deg); filter: grayscale(1); }
                               60% { transform: scale(1.12) rotate(3deg); } 100% { transform: none; } }
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
      h("h2", { id: "badges-title", part: "title" },
        this.t("badgesTitle", { earned: data.earned_count, total: data.badges.length })),
      h("ul", { "aria-labelledby": "badges-title", part: "list" }, items),
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

  iconUrl(badge) {
    if (!badge.icon) return null;
    const base = new URL(this.getAttribute("icon-base") ?? DEFAULT_ICON_BASE, document.baseURI).href;
    return safeUrl(badge.icon, base);
  }

  item(badge, unlocking) {
    const t = this.t;
    const name = badge.name ?? badge.id;
    const progress = badge.progress ? `${t.number(badge.progress.current)}/${t.number(badge.progress.target)}` : null;
    const state = badge.earned ? t("earnedOn", { date: t.date(badge.earned_at) }) : progress ?? t("locked");
    const src = this.iconUrl(badge);
    const icon = src
      ? h("img", { class: "icon", part: "icon", src, alt: "" })
      : h("div", { class: "icon", part: "icon", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase());
    const classes = [badge.earned ? "earned" : "locked", unlocking ? "unlocking" : ""].join(" ").trim();
    const label = t(badge.earned ? "badgeLabel" : "badgeLockedLabel", { name, state, description: badge.description ?? "" });
    return h("li", { class: classes, part: `badge ${badge.earned ? "earned" : "locked"}`, tabindex: 0,
      "data-badge": badge.id, "aria-label": label },
      icon,
      h("div", { class: "name" }, name),
      h("div", { class: "muted state" }, state),
      !badge.earned && badge.progress
        ? bar(badge.progress.current / badge.progress.target, t("badgeProgress", { name }), badge.progress.target, badge.progress.current)
        : null,
    );
  }
}
