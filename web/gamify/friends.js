// <gamify-friends-board period="alltime|weekly">: you and everyone you follow, ranked as the
// global board ranks (ties share a rank); a change of your rank is announced.
import { GamifyElement, h } from "./core.js";

export class GamifyFriendsBoard extends GamifyElement {
  static css = `
    tr.me { background: var(--_highlight); font-weight: 700; }
  `;

  static get observedAttributes() {
    return [...super.observedAttributes, "period"];
  }

  attributeChangedCallback(name) {
    if (name !== "period") return super.attributeChangedCallback(name);
    if (this._timer !== null) this.refresh();
  }

  get period() {
    return this.getAttribute("period") === "weekly" ? "weekly" : "alltime";
  }

  async load() {
    const { data } = await this.api("GET", `/v1/me/friends/leaderboard?period=${this.period}`);
    const t = this.t;
    const mine = data.entries.find((e) => e.me);
    const myRank = mine?.rank ?? null;
    if (this._myRank !== undefined && myRank !== null && myRank !== this._myRank) {
      this.announce(t("rankChanged", { rank: myRank }));
    }
    this._myRank = myRank;
    const title = this.period === "weekly"
      ? (data.week ? t("thisWeekNamed", { week: data.week }) : t("thisWeek")) : t("allTime");
    const rows = data.entries.map((e) => h("tr", { class: e.me ? "me" : null, part: e.me ? "row me" : "row",
      "aria-current": e.me ? "true" : null, "data-user": e.user_id },
    h("td", { class: "num rank" }, t.number(e.rank)),
    h("td", {}, e.display_name ?? e.user_id, e.me ? t("you") : ""),
    h("td", { class: "num" }, t.number(e.level)),
    h("td", { class: "num" }, t.number(e.xp))));
    this.render([
      h("table", { part: "table" },
        h("caption", { part: "title" }, t("friendsTitle", { title })),
        h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "num" }, t("rank")),
          h("th", { scope: "col" }, t("player")), h("th", { scope: "col", class: "num" }, t("levelColumn")),
          h("th", { scope: "col", class: "num" }, t("xp")))),
        h("tbody", {}, rows)),
      data.entries.length <= 1 ? h("p", { class: "muted", part: "empty" }, t("noFriends")) : null,
      data.stale ? h("p", { class: "stale", role: "note" }, t("friendsStale")) : null,
    ]);
  }
}
