// <gamify-notifications>: the feed with an unread count, mark-read buttons and toasts (announced
// through a polite live region) for new level-ups and badges.
import { GamifyElement, h } from "./core.js";

const KINDS_TOASTED = new Set(["level_up", "badge_earned", "league_result"]);

export class GamifyNotifications extends GamifyElement {
  static defaultPollSeconds = 15;
  static css = `
    .head { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
    .count { background: var(--_accent); color: var(--_on-accent);
             border-radius: 1rem; padding: 0 .45rem; font-size: .8rem; }
    ul { list-style: none; padding: 0; margin: .6rem 0 0; max-height: 16rem; overflow: auto; }
    li { padding: .4rem 0; border-bottom: 1px solid var(--_border); }
    li.unread .title { font-weight: 700; }
    .toasts { position: fixed; right: 1rem; bottom: 1rem; display: grid; gap: .5rem; z-index: 1000; }
    .toast { background: var(--_toast-bg); color: var(--_toast-text);
             padding: .7rem 1rem; border-radius: 8px; box-shadow: 0 4px 14px #0004; max-width: min(22rem, calc(100vw - 2rem));
             animation: gamify-toast 250ms ease-out; }
    .toast strong { display: block; }
    .toast button { margin-left: .4rem; padding: 0 .4rem; color: var(--_toast-bg); background: var(--_toast-text); }
    @keyframes gamify-toast { from { transform: translateY(1rem); opacity: 0; } }
  `;

  constructor() {
    super();
    this._open = this.hasAttribute("open");
    this._seen = null; // ids known at the first load: those never toast
    this._toasts = h("div", { class: "toasts", part: "toasts", role: "status", "aria-live": "polite" });
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
    const t = this.t;
    const items = this._items ?? [];
    const unread = items.filter((n) => !n.read).length;
    const list = h("ul", { id: "notification-list", part: "list", hidden: !this._open, "aria-label": t("notifications") },
      items.length ? items.map((n) => h("li", { class: n.read ? "read" : "unread", part: "item" },
        h("div", { class: "title" }, n.title),
        h("div", {}, n.message),
        h("div", { class: "muted" }, t.date(n.created_at, { dateStyle: "medium", timeStyle: "short" }),
          n.read ? null : [" · ", h("button", { onclick: () => this.markRead([n.id]), "aria-label": t("markReadNamed", { title: n.title }) }, t("markRead"))]),
      )) : h("li", { class: "muted" }, t("nothingYet")));
    this.render([
      h("div", { class: "head" },
        h("button", { class: "toggle", part: "button toggle", "aria-expanded": String(this._open), "aria-controls": "notification-list",
          onclick: () => { this._open = !this._open; this.draw(); } },
        `${t("notifications")} `, h("span", { class: "count", part: "count", "aria-hidden": "true" }, t.number(unread)),
        h("span", { class: "visually-hidden" }, t("unreadCount", { count: unread }))),
        unread ? h("button", { class: "mark-all", part: "button", onclick: () => this.markRead(null) }, t("markAllRead")) : null),
      list,
      this._toasts,
    ]);
  }

  async markRead(ids) {
    await this.api("POST", "/v1/me/notifications/read", { body: ids ? { ids } : { all: true } });
    await this.refresh();
    this.shadowRoot.querySelector("button.toggle")?.focus(); // the clicked button is gone
  }

  toast(notification) {
    const seconds = Number(this.getAttribute("toast-seconds")) || 6;
    const close = h("button", { "aria-label": this.t("dismiss") }, "×");
    const toast = h("div", { class: "toast", part: "toast", "data-kind": notification.kind },
      h("strong", {}, notification.title), notification.message, " ", close);
    close.addEventListener("click", () => toast.remove());
    this._toasts.append(toast);
    setTimeout(() => toast.remove(), seconds * 1000);
  }
}
