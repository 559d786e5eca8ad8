// <gamify-streak>: the daily streak with a flame, this week as a calendar (active, covered by a
// freeze, missed), the freezes held and when the streak expires, in the user's own time zone.
import { GamifyElement, h, svg } from "./core.js";

const DAY = 86_400_000;

/** "YYYY-MM-DD" of `instant` in `timeZone` (en-CA formats dates that way). */
export function localDay(instant, timeZone) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit" };
  try {
    return new Intl.DateTimeFormat("en-CA", { ...options, timeZone }).format(instant);
  } catch {
    return new Intl.DateTimeFormat("en-CA", options).format(instant);
  }
}

const shift = (day, days) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The state of each day of the ISO week (Monday first) holding `today`. The streak's `current`
 * active days end today (when active today) or yesterday; covered days (`frozen_days`) lie
 * inside the run without counting; every other past day of the week is missed. */
export function weekStates(streak, today) {
  const frozen = new Set(streak.frozen_days ?? []);
  const states = new Map();
  let left = streak.current;
  for (let day = today; left > 0 || frozen.has(day) || day === today; day = shift(day, -1)) {
    if (frozen.has(day)) states.set(day, "frozen");
    else if (day === today && !streak.active_today) states.set(day, "today");
    else if (left > 0) { states.set(day, "active"); left -= 1; }
    else break;
    if (states.size > 400) break; // a guard: a run longer than the week is cut at the Monday below
  }
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
  const monday = shift(today, -weekday);
  return Array.from({ length: 7 }, (_, i) => {
    const day = shift(monday, i);
    const state = states.get(day) ?? (day > today ? "future" : "missed");
    return { day, state };
  });
}

const URGENT_MS = 6 * 3_600_000;

/** Which status line the streak gets: done today, at risk (under 6 h left), alive, or none. */
export function streakMood(streak, now) {
  if (streak.active_today) return "doneToday";
  if (streak.current > 0 && streak.expires_at) {
    return Date.parse(streak.expires_at) - now < URGENT_MS ? "expiresSoon" : "expiresAt";
  }
  return "startToday";
}

function flame(lit) {
  return svg("svg", { class: `flame${lit ? " lit" : ""}`, viewBox: "0 0 32 40", width: 40, height: 50, "aria-hidden": "true" },
    svg("path", { class: "outer", fill: "currentColor",
      d: "M16 1C18 9 27 13 27 25a11 11 0 0 1-22 0c0-6 3-9 5-12 0 4 2 6 4 7-1-7 1-13 2-19Z" }),
    svg("path", { class: "inner",
      d: "M16 20c1 4 6 6 6 11a6 6 0 0 1-12 0c0-3 2-5 3-6 0 2 1 3 2 3 0-3 0-5 1-8Z" }));
}

function snowflake() {
  return svg("svg", { class: "snow", viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" },
    svg("path", { d: "M8 1v14M2 4.5l12 7M2 11.5l12-7M6 2.5 8 4l2-1.5M6 13.5 8 12l2 1.5", fill: "none",
      stroke: "currentColor", "stroke-width": 1.5, "stroke-linecap": "round" }));
}

const MARKS = { active: "✓", frozen: "❄", missed: "·", today: "", future: "" };

export class GamifyStreak extends GamifyElement {
  static css = `
    .head { display: flex; gap: .8rem; align-items: center; }
    .flame { color: var(--_muted); flex: none; }
    .flame .inner { fill: var(--_surface); opacity: .55; }
    .flame.lit { color: var(--_flame); transform-origin: 50% 100%; animation: gamify-flicker 1.6s ease-in-out infinite alternate; }
    @keyframes gamify-flicker { from { transform: scale(1) rotate(-2deg); } to { transform: scale(1.06, 1.1) rotate(2deg); } }
    .count { font-size: 1.5rem; font-weight: 700; margin: 0; }
    .status { margin: .1rem 0 0; }
    .status.expiresSoon { color: var(--_danger); font-weight: 600; }
    ol { list-style: none; padding: 0; margin: .8rem 0 .4rem; display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: .3rem; }
    li { text-align: center; font-size: .8rem; display: grid; gap: .2rem; justify-items: center; }
    .dot { width: 2rem; height: 2rem; max-width: 100%; border-radius: 50%; display: grid; place-items: center;
           border: 2px solid var(--_border); font-weight: 700; }
    li[data-state=active] .dot { background: var(--_flame); border-color: var(--_flame); color: var(--_surface); }
    li[data-state=frozen] .dot { background: var(--_frozen-bg); border-color: var(--_frozen); color: var(--_frozen); }
    li[data-state=missed] .dot { border-style: dashed; color: var(--_muted); }
    li[data-state=today] .dot { border-color: var(--_flame); }
    li[data-state=future] .dot { opacity: .5; }
    .freezes { display: inline-flex; gap: .35rem; align-items: center; color: var(--_frozen); font-weight: 600; }
    .foot { display: flex; justify-content: space-between; gap: .5rem; flex-wrap: wrap; }
  `;

  async load() {
    const { data: p } = await this.api("GET", "/v1/me");
    const t = this.t;
    const streak = p.streak;
    const zone = p.settings?.timezone ?? "UTC";
    const today = localDay(new Date(), zone);
    const mood = streakMood(streak, Date.now());
    const when = streak.expires_at
      ? t.date(streak.expires_at, { weekday: "long", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }, zone) : "";
    const status = t(mood, { when, relative: streak.expires_at ? t.relative(streak.expires_at) : "" });
    const states = { active: t("dayActive"), frozen: t("dayFrozen"), missed: t("dayMissed"), today: t("dayToday"), future: t("dayFuture") };
    const days = weekStates(streak, today).map(({ day, state }) => {
      const noon = `${day}T12:00:00Z`;
      const label = t("dayLabel", { date: t.date(noon, { weekday: "long", day: "numeric", month: "long" }, "UTC"), state: states[state] });
      return h("li", { "data-day": day, "data-state": state, part: `day ${state}`, "aria-label": label,
        "aria-current": day === today ? "date" : null },
      h("span", { "aria-hidden": "true" }, t.date(noon, { weekday: "narrow" }, "UTC")),
      h("span", { class: "dot", "aria-hidden": "true" }, MARKS[state]));
    });
    this.render([
      h("h2", { class: "visually-hidden" }, t("streakTitle")),
      h("div", { class: "head" }, flame(streak.current > 0),
        h("div", {},
          h("p", { class: "count", part: "count" }, t("streakDays", { count: streak.current })),
          h("p", { class: `muted status ${mood}`, part: "status", "data-mood": mood }, status))),
      h("ol", { part: "calendar", "aria-label": t("weekCalendar") }, days),
      h("div", { class: "foot" },
        h("span", { class: "freezes", part: "freezes", "data-freezes": streak.freezes }, snowflake(), t("freezesHeld", { count: streak.freezes })),
        h("span", { class: "muted" }, t("longest", { days: t("days", { count: streak.longest }) }))),
    ]);
  }
}
