// <gamify-league>: this week's cohort with its promotion and demotion zones, your row, the time
// left until the week closes and last week's result. A change of your rank is announced.
import { GamifyElement, h, svg } from "./core.js";

const ARROWS = { up: "M8 3 L14 11 H2 Z", down: "M8 13 L14 5 H2 Z" };

function arrow(direction) {
  return svg("svg", { class: `arrow ${direction}`, viewBox: "0 0 16 16", width: 12, height: 12, "aria-hidden": "true" },
    svg("path", { d: ARROWS[direction], fill: "currentColor" }));
}

export class GamifyLeague extends GamifyElement {
  static css = `
    header { display: flex; justify-content: space-between; align-items: baseline; gap: .5rem; flex-wrap: wrap; }
    header h2 { margin: 0; }
    .closes { font-variant-numeric: tabular-nums; }
    .scroller { margin-top: .6rem; max-height: var(--gamify-league-height, 22rem); overflow-y: auto; position: relative; }
    thead th { position: sticky; top: 0; background: var(--_surface); z-index: 1; }
    tr.up td:first-child { box-shadow: inset 3px 0 var(--_up); }
    tr.down td:first-child { box-shadow: inset 3px 0 var(--_down); }
    tr.up .arrow { color: var(--_up); } tr.down .arrow { color: var(--_down); }
    tr.me { background: var(--_highlight); font-weight: 700; }
    tr.boundary td { border-bottom: 2px dashed var(--_muted); }
    .legend { display: flex; gap: .3rem 1rem; flex-wrap: wrap; margin: .5rem 0 0; padding: 0; list-style: none; }
    .legend .up { color: var(--_up); } .legend .down { color: var(--_down); }
    .legend li > span { color: var(--_text); }
    .result { margin: .6rem 0 0; padding: .4rem .6rem; border-radius: calc(var(--gamify-radius, 10px) * .6); background: var(--_track); }
    .result.promoted { background: var(--_up-bg); } .result.demoted { background: var(--_down-bg); }
    .result.none { background: none; padding: 0; }
  `;

  async load() {
    const { data } = await this.api("GET", "/v1/me/league");
    const t = this.t;
    const myRank = data.me?.rank ?? null;
    this._moved = this._myRank !== undefined && myRank !== null && myRank !== this._myRank;
    if (this._moved) this.announce(t("leagueRankChanged", { rank: myRank }));
    this._myRank = myRank;
    const up = data.zones?.promotion_up_to_rank ?? null;
    const down = data.zones?.demotion_from_rank ?? null;
    const closes = h("time", { class: "closes", part: "countdown", datetime: data.closes_at,
      title: t.date(data.closes_at, { dateStyle: "full", timeStyle: "short" }) },
    t("closesIn", { relative: t.relative(data.closes_at) }));
    this.render([
      h("header", {},
        h("h2", { part: "title" }, t("leagueTitle", { tier: data.tier.name })),
        h("span", { class: "muted" }, t("leagueWeek", { week: data.week }), " · ", closes)),
      data.joined && data.entries.length
        ? this.table(data, up, down)
        : h("p", { class: "muted", part: "empty" }, t("notJoined")),
      data.joined && (up || down) ? h("ul", { class: "legend muted" },
        up ? h("li", { class: "up" }, arrow("up"), " ", h("span", {}, t("promotionLegend", { count: up }))) : null,
        down ? h("li", { class: "down" }, arrow("down"), " ", h("span", {}, t("demotionLegend", { rank: down }))) : null) : null,
      this.lastResult(data.last_result),
    ]);
  }

  table(data, up, down) {
    const t = this.t;
    const me = data.me?.user_id;
    const zoneOf = (entry) =>
      up !== null && entry.rank <= up ? "up" : down !== null && entry.rank >= down ? "down" : null;
    const zones = data.entries.map(zoneOf);
    const rows = data.entries.map((entry, i) => {
      const zone = zones[i];
      const mine = entry.user_id === me;
      // A line where the zone changes (ties share a rank, so ranks may skip the boundary's).
      const boundary = i + 1 < zones.length && zones[i + 1] !== zone;
      return h("tr", {
        class: [zone, mine ? "me" : null, boundary ? "boundary" : null].filter(Boolean).join(" ") || null,
        part: ["row", zone ? `zone-${zone}` : null, mine ? "me" : null].filter(Boolean).join(" "),
        "data-user": entry.user_id, "data-zone": zone, "aria-current": mine ? "true" : null },
      h("td", { class: "num rank" }, zone ? arrow(zone) : null, " ", t.number(entry.rank),
        zone ? h("span", { class: "visually-hidden" }, `, ${t(zone === "up" ? "promotionZone" : "demotionZone")}`) : null),
      h("td", {}, entry.display_name ?? entry.user_id, mine ? t("you") : ""),
      h("td", { class: "num" }, t.number(entry.weekly_xp)));
    });
    const table = h("table", { part: "table" },
      h("caption", { class: "visually-hidden" }, t("leagueTitle", { tier: data.tier.name })),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "num" }, t("rank")),
        h("th", { scope: "col" }, t("player")), h("th", { scope: "col", class: "num" }, t("weeklyXpColumn")))),
      h("tbody", {}, rows));
    // A full cohort (30) scrolls inside the card, kept on your row; then the region takes the
    // keyboard focus, so arrow keys scroll it.
    const scroller = h("div", { class: "scroller", part: "scroller", role: "region",
      "aria-label": t("leagueTitle", { tier: data.tier.name }) }, table);
    // A redraw keeps where the reader scrolled to; the first draw and a move of yours centre you.
    const kept = this.shadowRoot.querySelector(".scroller")?.scrollTop;
    const centre = kept === undefined || this._moved;
    requestAnimationFrame(() => {
      const scrolls = scroller.scrollHeight > scroller.clientHeight;
      if (scrolls) scroller.tabIndex = 0; // a tab stop only when there is something to scroll
      const mine = scroller.querySelector("tr.me");
      if (!centre) scroller.scrollTop = kept;
      else if (mine && scrolls) {
        const offset = mine.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
        scroller.scrollTop += offset - (scroller.clientHeight - mine.offsetHeight) / 2;
      }
    });
    return scroller;
  }

  lastResult(result) {
    const t = this.t;
    if (!result) return h("p", { class: "result none muted", part: "last-result" }, t("noLastWeek"));
    const moved = t(result.movement, { tier: result.to_tier.name });
    return h("p", { class: `result ${result.movement}`, part: "last-result", "data-movement": result.movement },
      t("lastWeek", { week: result.week, rank: result.rank, xp: result.weekly_xp }), " ", moved);
  }
}
