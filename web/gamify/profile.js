// <gamify-profile>: level, XP and progress, weekly XP, streak, rank and badge count.
import { GamifyElement, bar, h } from "./core.js";

export class GamifyProfile extends GamifyElement {
  static css = `
    .level { font-size: 1.6rem; font-weight: 700; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem .8rem; margin: .8rem 0 0; }
    dt { color: var(--_muted); } dd { margin: 0; }
  `;

  async load() {
    const { data: p } = await this.api("GET", "/v1/me");
    const t = this.t;
    const next = p.level + 1;
    const span = p.progress.next_level_xp - p.progress.level_floor_xp;
    const streak = p.streak;
    const when = { weekday: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
    const expires = streak.current > 0 && streak.expires_at
      ? t("expires", { when: t.date(streak.expires_at, when, p.settings?.timezone ?? "UTC") }) : null;
    const rank = p.rank === null ? t(p.rank_available ? "unranked" : "unavailable") : `#${t.number(p.rank)}`;
    this.render([
      h("section", { "aria-label": t("yourProgress") },
        h("h2", { part: "title" }, p.display_name ?? p.user_id),
        h("div", { class: "level", part: "level" }, t("level", { level: p.level })),
        h("div", { class: "muted", part: "xp" },
          t("xpLine", { xp: p.xp, toNext: p.progress.xp_to_next_level, next })),
        bar(p.progress.fraction, t("progressTo", { next }), span, p.progress.xp_into_level),
        h("dl", {},
          h("dt", {}, t("thisWeek")), h("dd", { part: "weekly" }, t("weeklyXp", { xp: p.weekly_xp })),
          h("dt", {}, t("streak")),
          h("dd", { part: "streak" }, t("days", { count: streak.current }),
            expires ? h("span", { class: "muted" }, ` (${expires})`) : null),
          h("dt", {}, t("longestStreak")), h("dd", {}, t("days", { count: streak.longest })),
          h("dt", {}, t("rank")), h("dd", { part: "rank" }, rank),
          h("dt", {}, t("badges")), h("dd", {}, t.number(p.badge_count)),
        )),
    ]);
  }
}
