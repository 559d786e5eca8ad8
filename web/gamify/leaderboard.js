// <gamify-leaderboard>: the top of a board plus the rows around you, polled with If-None-Match;
// a change of your rank is announced to screen readers.
import { GamifyElement, h } from "./core.js";

export class GamifyLeaderboard extends GamifyElement {
  static css = `
    tr.me { background: var(--_highlight); font-weight: 700; }
    tr.gap td { text-align: center; color: var(--_muted); }
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
    const t = this.t;
    // 304s in the same language: nothing to redraw.
    if (this._shown === top && this._shownAround === around && this._shownIn === t.locale) return;
    this._shown = top;
    this._shownAround = around;
    this._shownIn = t.locale;
    const myRank = around.rank ?? around.entries?.find((e) => e.user_id === me)?.rank ?? null;
    if (this._myRank !== undefined && myRank !== null && myRank !== this._myRank) {
      this.announce(t("rankChanged", { rank: myRank }));
    }
    this._myRank = myRank;
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
    const title = this.period === "weekly"
      ? (top.week ? t("thisWeekNamed", { week: top.week }) : t("thisWeek")) : t("allTime");
    this.render([
      h("table", { part: "table" },
        h("caption", { part: "title" }, t("boardTitle", { title })),
        h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "num" }, t("rank")),
          h("th", { scope: "col" }, t("player")), h("th", { scope: "col", class: "num" }, t("levelColumn")),
          h("th", { scope: "col", class: "num" }, t("xp")))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 4, class: "muted" }, t("nobody")))),
      ),
      top.stale || around.stale
        ? h("p", { class: "stale", role: "note" }, top.as_of
          ? t("snapshot", { date: t.date(top.as_of, { dateStyle: "medium", timeStyle: "short" }) })
          : t("snapshotUndated"))
        : null,
      h("p", { class: "muted" }, t("players", { count: top.total })),
    ]);
  }

  row(entry, me) {
    const t = this.t;
    const mine = entry.user_id === me;
    return h("tr", { class: mine ? "me" : null, part: mine ? "row me" : "row", "aria-current": mine ? "true" : null, "data-user": entry.user_id },
      h("td", { class: "num rank" }, t.number(entry.rank)),
      h("td", {}, entry.display_name ?? entry.user_id, mine ? t("you") : ""),
      h("td", { class: "num" }, t.number(entry.level)),
      h("td", { class: "num" }, t.number(entry.xp)));
  }
}
