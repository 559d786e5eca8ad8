"""Team quests (``mode: "team"`` in the quest language): a shared target in the quest's window,
the progress visible to every member, completion paying every member who contributed (``pay:
"contributors"``, the default) or every member (``"members"``), each notified once.

Exactly once, with no increment anywhere (the team boards' rule, ``domain.teams.TeamTally``):

- **Counting.** Each user's own count for the quest is counted by their transition, like a solo
  quest's (only activities that occurred in the window; a redelivered activity is deduplicated
  by the pipeline), but never completed there (``transition._complete_quests`` skips team
  quests). The team's progress is the sum of its current members' **absolute** counts, each only
  ever raised (``TeamQuestTally``): a redelivered or late profile image raises nothing, a leaver
  takes their count with them, a joiner brings their whole window's count (as a week does).
- **Paying.** A payment is a step on the payee's **own profile** (``pay_member``): it sets the
  ``completed_at`` of the user's progress entry for the quest and credits ``reward_xp`` and the
  notification in the same write, and does nothing when ``completed_at`` is already set. So a
  user is paid and notified at most once per quest, whichever team, however often the team's
  completion is seen (redelivered, reordered, two projector invocations racing: the profile's
  version condition lets one write win, the other re-reads and finds it paid).
- **Who.** Whenever a team's progress is at or past the target (``due``), every payee not yet
  paid is paid: the members who counted (``count > 0``) or all members. A member who counts
  after the completion (a late in-window activity, or a joiner) is paid when that count is seen:
  the outcome depends on the final state, never on the order of deliveries. A payment is never
  taken back (a member leaving after it keeps it; a target reached by a member who then leaves
  stays reached: ``reached_at`` is kept).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from gamification.domain.quests import QuestDefinition, QuestProgress

PayRule = Literal["contributors", "members"]
TEAM_QUEST_REWARD = "team_quest_reward"
"""The award key prefix of a team quest's XP (``<prefix>#<quest>``: one per user and quest)."""


@dataclass
class TeamQuestTally:
    """One team's progress on one team quest: each current member's absolute count."""

    members: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    reached_at: datetime | None = None
    """When the progress first reached the target (kept: a completion is never undone)."""

    def admit(self, user_id: str) -> None:
        self.members.add(user_id)

    def contribute(self, user_id: str, count: int) -> None:
        """Raise a member's count to ``count`` (ignored for non-members, never lowered)."""
        if user_id in self.members and count > self.counts.get(user_id, -1):
            self.counts[user_id] = count

    def leave(self, user_id: str) -> None:
        self.members.discard(user_id)
        self.counts.pop(user_id, None)

    @property
    def progress(self) -> int:
        return sum(self.counts.values())

    def settle(self, quest: QuestDefinition, now: datetime) -> None:
        """Record the first time the progress reached the target."""
        if self.reached_at is None and self.progress >= quest.target:
            self.reached_at = now


def payees(tally: TeamQuestTally, pay: PayRule) -> set[str]:
    """Who a completed team quest pays now: current members who counted, or all members."""
    if pay == "members":
        return set(tally.members)
    return {u for u in tally.members if tally.counts.get(u, 0) > 0}


def due(tally: TeamQuestTally, quest: QuestDefinition, paid: Collection[str]) -> list[str]:
    """The payees not yet paid once the target was reached (sorted; empty before)."""
    if tally.reached_at is None:
        return []
    return sorted(payees(tally, quest.pay) - set(paid))


def pay_member(
    progress: QuestProgress | None, quest: QuestDefinition, now: datetime
) -> tuple[QuestProgress, int]:
    """The payee's progress entry after the payment and the XP to credit: ``reward_xp`` the
    first time, 0 when the entry is already completed (a repeated payment is a no-op)."""
    held = progress or QuestProgress()
    if held.completed_at is not None:
        return held, 0
    return held.model_copy(update={"completed_at": now}), quest.reward_xp


def award_key(quest_id: str) -> str:
    return f"{TEAM_QUEST_REWARD}#{quest_id}"
