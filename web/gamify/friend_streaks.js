// <gamify-friend-streaks>: your streaks with friends (days you were both active), invitations to
// accept or decline, and yours to withdraw. Every action is a native button.
import { GamifyElement, h } from "./core.js";

export class GamifyFriendStreaks extends GamifyElement {
  static css = `
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; }
    li { display: flex; justify-content: space-between; align-items: center; gap: .5rem; flex-wrap: wrap;
         border: 1px solid var(--_border); border-radius: calc(var(--gamify-radius, 10px) * .8); padding: .5rem .7rem; }
    li.at-risk { border-color: var(--_danger); }
    .who { font-weight: 600; }
    .actions { display: flex; gap: .4rem; }
  `;

  async load() {
    const { data } = await this.api("GET", "/v1/me/friend-streaks");
    const t = this.t;
    this.render([
      h("h2", { id: "friend-streaks-title", part: "title" }, t("friendStreaksTitle")),
      data.streaks.length
        ? h("ul", { "aria-labelledby": "friend-streaks-title", part: "list" }, data.streaks.map((s) => this.item(s)))
        : h("p", { class: "muted", part: "empty" }, t("noFriendStreaks")),
    ]);
  }

  item(streak) {
    const t = this.t;
    const name = streak.display_name ?? streak.user_id;
    let state;
    let actions;
    if (streak.status === "invited_me") {
      state = t("friendInvitedMe");
      actions = [this.button(t("accept"), t("acceptNamed", { name }), "PUT", streak.user_id),
        this.button(t("decline"), t("declineNamed", { name }), "DELETE", streak.user_id)];
    } else if (streak.status === "invited") {
      state = t("friendInvited");
      actions = [this.button(t("withdraw"), t("withdrawNamed", { name }), "DELETE", streak.user_id)];
    } else {
      state = streak.at_risk ? t("friendAtRisk", { count: streak.current })
        : t("friendStreakDays", { count: streak.current });
      actions = [];
    }
    const kind = streak.status === "active" && streak.at_risk ? "at-risk" : streak.status;
    return h("li", { class: kind, part: `streak ${kind}`, "data-user": streak.user_id, "data-status": streak.status },
      h("span", {}, h("span", { class: "who" }, name), h("br"), h("span", { class: "muted state" }, state)),
      actions.length ? h("span", { class: "actions" }, actions) : null);
  }

  button(text, label, method, user) {
    return h("button", { class: `action ${method.toLowerCase()}`, part: "button", "aria-label": label,
      onclick: async () => {
        await this.api(method, `/v1/me/friend-streaks/${encodeURIComponent(user)}`);
        await this.refresh();
      } }, text);
  }
}
