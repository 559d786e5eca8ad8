// <gamify-quests>: your active and upcoming quests with progress bars and time left; completed
// quests show when they were completed and what they paid.
import { GamifyElement, bar, h, svg } from "./core.js";

function check() {
  return svg("svg", { class: "check", viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" },
    svg("path", { d: "M3 8.5 L6.5 12 L13 4.5", fill: "none", stroke: "currentColor", "stroke-width": 2.2,
      "stroke-linecap": "round", "stroke-linejoin": "round" }));
}

export class GamifyQuests extends GamifyElement {
  static css = `
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .6rem; }
    li { border: 1px solid var(--_border); border-radius: calc(var(--gamify-radius, 10px) * .8); padding: .6rem .7rem; }
    li.completed { border-color: var(--_up); }
    .top { display: flex; justify-content: space-between; gap: .5rem; align-items: baseline; flex-wrap: wrap; }
    .name { font-weight: 600; }
    .reward { font-size: .85rem; font-weight: 600; color: var(--_accent); white-space: nowrap; }
    .desc { margin: .15rem 0 .4rem; }
    .foot { display: flex; justify-content: space-between; gap: .5rem; flex-wrap: wrap; margin-top: .3rem; }
    .done { color: var(--_up); font-weight: 600; display: inline-flex; gap: .25rem; align-items: center; }
    li.completed .bar > span { background: var(--_up); }
    li.upcoming { border-style: dashed; }
    .bar > span { transition: width 400ms ease-out; }
  `;

  async load() {
    const { data } = await this.api("GET", "/v1/me/quests");
    const t = this.t;
    const quests = data.quests;
    const done = quests.filter((q) => q.completed).length;
    this.render([
      h("h2", { id: "quests-title", part: "title" }, t("questsTitle")),
      quests.length
        ? h("ul", { "aria-labelledby": "quests-title", part: "list" }, quests.map((q) => this.item(q)))
        : h("p", { class: "muted", part: "empty" }, t("noQuests")),
      quests.length ? h("p", { class: "muted", part: "summary" }, t("completedCount", { done, total: quests.length })) : null,
    ]);
  }

  item(quest) {
    const t = this.t;
    const { current, target } = quest.progress;
    const state = quest.completed ? "completed" : quest.status;
    const reward = t(quest.reward_badge ? "rewardBadge" : "reward", { xp: quest.reward_xp });
    let when;
    if (quest.completed) {
      when = h("span", { class: "done" }, check(), t("completedOn", { date: t.date(quest.completed_at ?? quest.ends_at) }));
    } else if (quest.status === "upcoming") {
      when = h("time", { class: "muted", datetime: quest.starts_at }, t("startsIn", { relative: t.relative(quest.starts_at) }));
    } else {
      when = h("time", { class: "muted", datetime: quest.ends_at,
        title: t.date(quest.ends_at, { dateStyle: "full", timeStyle: "short" }) },
      t("endsIn", { relative: t.relative(quest.ends_at) }));
    }
    return h("li", { class: state, part: `quest ${state}`, "data-quest": quest.id, "data-state": state },
      h("div", { class: "top" }, h("span", { class: "name" }, quest.name), h("span", { class: "reward" }, reward)),
      h("div", { class: "muted desc" }, quest.description),
      bar(target ? current / target : 0, quest.name, target, Math.min(current, target)),
      h("div", { class: "foot" },
        h("span", { class: "progress" }, t("questProgress", { current: Math.min(current, target), target })), when));
  }
}
