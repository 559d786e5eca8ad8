// <gamify-team-quests team="…">: a team's quests (`mode: "team"`, docs/teams.md#team-quests)
// with the team's progress, your own count and whether you were paid. Without `team`: every team
// you are in, one section each. Requests per load: one GET /v1/teams/{team}/quests per team shown,
// plus GET /v1/me/teams when no `team` is given (it also names the teams).
import { GamifyElement, bar, h } from "./core.js";

export class GamifyTeamQuests extends GamifyElement {
  static css = `
    section + section { margin-top: .8rem; }
    h3 { font-size: .95rem; margin: 0 0 .4rem; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .6rem; }
    li { border: 1px solid var(--_border); border-radius: calc(var(--gamify-radius, 10px) * .8); padding: .6rem .7rem; }
    li.completed { border-color: var(--_up); }
    li.upcoming { border-style: dashed; }
    li.completed .bar > span { background: var(--_up); }
    .top, .foot { display: flex; justify-content: space-between; gap: .5rem; align-items: baseline; flex-wrap: wrap; }
    .foot { margin-top: .3rem; }
    .name { font-weight: 600; }
    .reward { font-size: .85rem; font-weight: 600; color: var(--_accent); white-space: nowrap; }
    .desc { margin: .15rem 0 .4rem; }
    .paid { color: var(--_up); font-weight: 600; }
    .bar > span { transition: width 400ms ease-out; }
  `;

  static get observedAttributes() {
    return [...super.observedAttributes, "team"];
  }

  attributeChangedCallback(name) {
    if (name !== "team") return super.attributeChangedCallback(name);
    if (this._timer !== null) this.refresh();
  }

  async load() {
    const t = this.t;
    const given = this.getAttribute("team");
    const teams = given ? [{ team_id: given, name: null }]
      : (await this.api("GET", "/v1/me/teams")).data.teams.map((m) => ({ team_id: m.team_id, name: m.name }));
    if (!teams.length) {
      this.render([h("h2", { part: "title" }, t("teamQuestsTitlePlain")),
        h("p", { class: "muted", part: "empty" }, t("noTeams"))]);
      return;
    }
    const answers = await Promise.all(teams.map((team) =>
      this.api("GET", `/v1/teams/${encodeURIComponent(team.team_id)}/quests`).then((r) => r.data)));
    const single = teams.length === 1;
    const sections = teams.map((team, i) => this.team(team, answers[i].quests, single));
    this.render(single ? sections[0] : [h("h2", { part: "title" }, t("teamQuestsTitlePlain")), ...sections]);
  }

  team(team, quests, single) {
    const t = this.t;
    const id = `team-quests-${team.team_id}`;
    const label = team.name ?? team.team_id;
    const heading = single
      ? h("h2", { id, part: "title" }, t("teamQuestsTitle", { team: label }))
      : h("h3", { id, part: "team" }, label);
    const body = quests.length
      ? h("ul", { "aria-labelledby": id, part: "list" }, quests.map((q) => this.item(q)))
      : h("p", { class: "muted", part: "empty" }, t("noTeamQuests"));
    return single ? [heading, body] : h("section", { "data-team": team.team_id, "aria-labelledby": id }, heading, body);
  }

  item(quest) {
    const t = this.t;
    const state = quest.completed ? "completed" : quest.status;
    const shown = Math.min(quest.progress, quest.target);
    let when;
    if (quest.status === "upcoming") {
      when = h("time", { class: "muted", datetime: quest.starts_at }, t("startsIn", { relative: t.relative(quest.starts_at) }));
    } else if (quest.status === "ended") {
      when = h("time", { class: "muted", datetime: quest.ends_at }, t("endedOn", { date: t.date(quest.ends_at) }));
    } else {
      when = h("time", { class: "muted", datetime: quest.ends_at }, t("endsIn", { relative: t.relative(quest.ends_at) }));
    }
    let payment;
    if (quest.you_were_paid) payment = h("span", { class: "paid", part: "paid" }, t("teamPaidYou", { xp: quest.reward_xp }));
    else if (quest.completed) payment = h("span", { class: "muted", part: "unpaid" }, t("teamNotPaidYou"));
    else payment = h("span", { class: "muted" }, t(quest.pay === "members" ? "teamPaysMembers" : "teamPaysContributors"));
    return h("li", { class: state, part: `quest ${state}`, "data-quest": quest.quest_id, "data-state": state,
      "data-paid": String(quest.you_were_paid) },
    h("div", { class: "top" }, h("span", { class: "name" }, quest.name), h("span", { class: "reward" }, t("reward", { xp: quest.reward_xp }))),
    h("div", { class: "muted desc" }, quest.description),
    bar(quest.target ? quest.progress / quest.target : 0, quest.name, quest.target, shown),
    h("div", { class: "foot" },
      h("span", { class: "progress" }, t("teamProgress", { current: shown, target: quest.target })),
      h("span", { class: "yours" }, t("teamYourCount", { count: quest.your_count })),
      h("span", { class: "muted" }, t("teamContributors", { count: quest.contributors }))),
    h("div", { class: "foot" }, payment, when));
  }
}
