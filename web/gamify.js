// gamify widgets: standard Web Components as ES modules (this file and the gamify/ folder next to
// it), no build step, no dependencies, nothing loaded from another host.
//
//   <script type="module">
//     import { configure } from "./gamify.js";
//     configure({ apiBase: "https://abc.execute-api.eu-west-1.amazonaws.com/prod",
//                 token: () => myAuth.idToken() });   // a string or a (async) function
//   </script>
//   <gamify-profile></gamify-profile>
//   <gamify-streak></gamify-streak>
//   <gamify-league></gamify-league>
//   <gamify-quests></gamify-quests>
//   <gamify-team-quests team="my-team"></gamify-team-quests>
//   <gamify-badge-grid></gamify-badge-grid>
//   <gamify-leaderboard period="weekly" limit="10"></gamify-leaderboard>
//   <gamify-friends-board period="weekly"></gamify-friends-board>
//   <gamify-friend-streaks></gamify-friend-streaks>
//   <gamify-notifications></gamify-notifications>
//   <gamify-wallet></gamify-wallet>
//
// Every element also takes `api-base` and `token` attributes or a `tokenProvider` property, which
// win over configure(). Language: the element's `lang` (or an ancestor's, or <html lang>); themes:
// the --gamify-* custom properties, ::part(), light and dark by prefers-color-scheme. Types:
// gamify.d.ts (the API's JSON: gamify-api.d.ts); app code without widgets: GamifyClient.

import { GamifyBadgeGrid } from "./gamify/badges.js";
import { GamifyFriendStreaks } from "./gamify/friend_streaks.js";
import { GamifyFriendsBoard } from "./gamify/friends.js";
import { GamifyLeaderboard } from "./gamify/leaderboard.js";
import { GamifyLeague } from "./gamify/league.js";
import { GamifyNotifications } from "./gamify/notifications.js";
import { GamifyProfile } from "./gamify/profile.js";
import { GamifyQuests } from "./gamify/quests.js";
import { GamifyStreak } from "./gamify/streak.js";
import { GamifyTeamQuests } from "./gamify/team_quests.js";
import { GamifyWallet } from "./gamify/wallet.js";

export { configure, refreshAll, GamifyElement, GamifyError, safeUrl } from "./gamify/core.js";
export { addMessages, languages } from "./gamify/i18n.js";
export { GamifyClient } from "./gamify/client.js";
export { GamifyBadgeGrid, GamifyFriendStreaks, GamifyFriendsBoard, GamifyLeaderboard, GamifyLeague, GamifyNotifications, GamifyProfile, GamifyQuests, GamifyStreak, GamifyTeamQuests, GamifyWallet };

export const ELEMENTS = {
  "gamify-profile": GamifyProfile,
  "gamify-streak": GamifyStreak,
  "gamify-league": GamifyLeague,
  "gamify-quests": GamifyQuests,
  "gamify-team-quests": GamifyTeamQuests,
  "gamify-badge-grid": GamifyBadgeGrid,
  "gamify-leaderboard": GamifyLeaderboard,
  "gamify-friends-board": GamifyFriendsBoard,
  "gamify-friend-streaks": GamifyFriendStreaks,
  "gamify-notifications": GamifyNotifications,
  "gamify-wallet": GamifyWallet,
};

for (const [name, element] of Object.entries(ELEMENTS)) {
  if (!customElements.get(name)) customElements.define(name, element);
}
