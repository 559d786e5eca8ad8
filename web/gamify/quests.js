// <gamify-quests>: your active and upcoming quests with progress bars and time left; completed
// quests show when they were completed and what they paid. A friend quest (`mode: "pair"`) shows
// your partner and the pair's progress (the sum of both counts, as GET .../partner answers it),
// with a native select of your mutual friends to pair with, or a button to end the pairing.
// Requests per load: the listing, plus one GET .../partner per friend quest in it (the listing
// carries `mode`; nothing more for a list without friend quests); the mutual friends (GET
// /v1/me/following) once per element when a friend quest first shows, and again when the
// picker opens.
import { GamifyElement, bar, h, svg } from "./core.js";

function check() {
  return svg("svg", { class: "check", viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" },
    svg("path", { d: "M3 8.5 L6.5 12 L13 4.5", fill: "none", stroke: "currentColor", "stroke-width": 2.2,
      "stroke-linecap": "round", "stroke-linejoin": "round" }));
}

// The API's refusal codes (docs/friends.md#friend-quests) -> messages; anything else: pairFailed.
const PAIR_REFUSALS = {
  not_friends: "pairNotFriends",
  already_paired: "pairAlreadyPaired",
  quest_ended: "pairQuestEnded",
  quest_completed: "pairQuestCompleted",
  not_a_pair_quest: "pairNotAPairQuest",
  quest_not_found: "pairNotAPairQuest",
};

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
    .pair { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin-top: .4rem; }
    .pair .who { font-weight: 600; }
    .pair select { font: inherit; color: inherit; background: var(--_surface); border: 1px solid var(--_border);
                   border-radius: calc(var(--gamify-radius, 10px) * .6); padding: .2rem .3rem; max-width: 100%; }
    .result { margin: .4rem 0 0; }
    .result.refused { color: var(--_danger); }
  `;

  constructor() {
    super();
    this._pairs = new Map(); // quest id -> PairOut
    this._friends = null; // mutual friends [{user_id, display_name}], null before the first read
    this._picking = null; // the quest whose partner picker is open
    this._choice = null; // the friend chosen in it
    this._result = null; // {quest, kind: "ok" | "refused", text}: the last pairing's outcome
    this._acting = false; // a PUT or DELETE in flight: buttons ignore clicks
  }

  async load() {
    const { data } = await this.api("GET", "/v1/me/quests");
    const t = this.t;
    const quests = data.quests;
    const pairs = quests.filter((q) => q.mode === "pair");
    const answers = await Promise.all(pairs.map((q) =>
      this.api("GET", `/v1/me/quests/${encodeURIComponent(q.id)}/partner`).then((r) => r.data, () => null)));
    this._pairs = new Map(pairs.map((q, i) => [q.id, answers[i]]));
    if (pairs.length && this._friends === null) await this.loadFriends();
    const done = quests.filter((q) => q.completed).length;
    this.render([
      h("h2", { id: "quests-title", part: "title" }, t("questsTitle")),
      quests.length
        ? h("ul", { "aria-labelledby": "quests-title", part: "list" }, quests.map((q) => this.item(q)))
        : h("p", { class: "muted", part: "empty" }, t("noQuests")),
      quests.length ? h("p", { class: "muted", part: "summary" }, t("completedCount", { done, total: quests.length })) : null,
    ]);
  }

  /** Your mutual friends: the first 100 people you follow, those who follow you back. */
  async loadFriends() {
    try {
      const { data } = await this.api("GET", "/v1/me/following?limit=100");
      this._friends = data.entries.filter((e) => e.mutual)
        .map((e) => ({ user_id: e.user_id, display_name: e.display_name }));
    } catch {
      this._friends ??= [];
    }
  }

  nameOf(userId) {
    return this._friends?.find((f) => f.user_id === userId)?.display_name ?? userId;
  }

  item(quest) {
    const t = this.t;
    const pair = quest.mode === "pair" ? this._pairs.get(quest.id) : undefined;
    const { target } = quest.progress;
    // A friend quest's bar is the pair's count (yours alone while unpaired).
    const current = pair ? pair.count : quest.progress.current;
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
      // A team quest's target is the team's: your count alone is no fraction of it.
      quest.mode === "team" ? null : bar(target ? current / target : 0, quest.name, target, Math.min(current, target)),
      h("div", { class: "foot" },
        h("span", { class: "progress" }, quest.mode === "team" ? t("teamYourCount", { count: current })
          : t("questProgress", { current: Math.min(current, target), target })), when),
      quest.mode === "pair" ? this.pairing(quest, pair) : null,
      quest.mode === "team" ? h("div", { class: "muted" }, t("teamQuestHint")) : null,
      this._result?.quest === quest.id
        ? h("p", { class: `result ${this._result.kind}`, part: `result ${this._result.kind}` }, this._result.text) : null);
  }

  /** The partner line of a friend quest: who, your own share, and the controls. */
  pairing(quest, pair) {
    const t = this.t;
    if (pair === null || pair === undefined) return h("div", { class: "pair muted", part: "pair" }, t("pairUnknown"));
    const open = !quest.completed && quest.status !== "ended";
    if (pair.partner) {
      const name = this.nameOf(pair.partner);
      return h("div", { class: "pair", part: "pair paired", "data-partner": pair.partner },
        h("span", { class: "who" }, t("pairedWith", { name })),
        h("span", { class: "muted" }, t("pairYours", { count: quest.progress.current })),
        open ? this.button("unpair", t("unpair"), t("unpairNamed", { name, quest: quest.name }),
          () => this.act(quest, "DELETE", null)) : null);
    }
    if (!open) return null;
    if (this._picking !== quest.id) {
      return h("div", { class: "pair", part: "pair unpaired" },
        h("span", { class: "muted" }, t("pairInvite")),
        this.button("pick", t("pickPartner"), t("pickPartnerNamed", { quest: quest.name }), async () => {
          this._picking = quest.id;
          this._choice = null;
          this._result = null;
          await this.loadFriends();
          await this.refresh();
          this.shadowRoot.querySelector("select.partner")?.focus();
        }));
    }
    const friends = this._friends ?? [];
    if (!friends.length) {
      return h("div", { class: "pair", part: "pair picking" },
        h("span", { class: "muted" }, t("noMutualFriends")),
        this.button("cancel", t("cancel"), t("cancelPick", { quest: quest.name }), () => this.closePicker()));
    }
    const id = `partner-${quest.id}`;
    const choice = friends.some((f) => f.user_id === this._choice) ? this._choice : friends[0].user_id;
    const select = h("select", { id, class: "partner", part: "partner" },
      friends.map((f) => h("option", { value: f.user_id, selected: f.user_id === choice }, f.display_name ?? f.user_id)));
    select.value = choice;
    select.addEventListener("change", () => (this._choice = select.value));
    return h("div", { class: "pair", part: "pair picking" },
      h("label", { for: id }, t("partnerLabel")), select,
      this.button("pair-with", t("pairButton"), t("pairNamed", { quest: quest.name }),
        () => this.act(quest, "PUT", select.value)),
      this.button("cancel", t("cancel"), t("cancelPick", { quest: quest.name }), () => this.closePicker()));
  }

  button(kind, text, label, action) {
    return h("button", { type: "button", class: kind, part: "button", "aria-label": label,
      "aria-disabled": this._acting ? "true" : null,
      onclick: async () => {
        if (this._acting) return;
        await action();
      } }, text);
  }

  async closePicker() {
    this._picking = null;
    await this.refresh();
  }

  /** Pair (PUT) or end the pairing (DELETE); the server decides, a refusal is shown as text. */
  async act(quest, method, partner) {
    const t = this.t;
    const name = partner ? this.nameOf(partner) : this.nameOf(this._pairs.get(quest.id)?.partner ?? "");
    const path = `/v1/me/quests/${encodeURIComponent(quest.id)}/partner` + (partner ? `/${encodeURIComponent(partner)}` : "");
    this._acting = true;
    try {
      await this.api(method, path);
      this._result = { quest: quest.id, kind: "ok",
        text: t(partner ? "pairedOk" : "unpairedOk", { name, quest: quest.name }) };
      this._picking = null;
    } catch (error) {
      const message = PAIR_REFUSALS[error.code] ?? "pairFailed";
      this._result = { quest: quest.id, kind: "refused", text: t(message, { name, quest: quest.name, message: error.message }) };
    } finally {
      this._acting = false;
    }
    this.announce(this._result.text);
    const done = this._result.kind === "ok";
    await this.refresh();
    // The pressed button is gone after a change: the keyboard goes to the one that replaced it.
    if (done) this.shadowRoot.querySelector(`li[data-quest="${CSS.escape(quest.id)}"] .pair button`)?.focus();
  }
}
