"""Team quests (``mode: "team"`` in the quest language): a shared target in the quest's window,
the progress visible to every member, completion paying every member who contributed (``pay:
"contributors"``, the default) or, besides them, every member (``"members"``), each once.

Exactly once, with no increment anyone could repeat (docs/teams.md#team-quests):

- **Counting.** Each user's own count for the quest is counted by their transition, like a solo
  quest's (only activities that occurred in the window; a redelivered activity is deduplicated
  by the pipeline), but never completed there (``transition._complete_quests`` skips team
  quests). After each commit the consumer raises the user's **absolute** count in each team they
  are a member of (``TeamContribution``: only ever raised, and only while the membership item
  exists, checked in the same atomic write). The team's progress is the sum of its
  contributions, kept beside them and changed by exactly the raise: a redelivered or late
  commit raises nothing.
- **Leaving** (a decision): a leaver's contribution **stays** in the team's progress (what they
  did for the team while in it is done, as a closed week keeps their XP on the team boards);
  it stops growing, and it counts again from where it was if they rejoin (absolute counts: never
  twice). A contributor who left is still paid when the team completes (they contributed).
- **Paying.** A payment is a step on the payee's **own profile** (``payment``): the same
  completion as a solo or a pair quest's (``transition.complete_quest``: ``completed_at``, the
  reward XP and badge, the badges and level-up it unlocks, the wallet's credits, the
  notifications) in one version-guarded write, and nothing when ``completed_at`` is already
  set. So a user is paid, credited and notified at most once per quest, whichever team and
  however often the team's completion is seen.
- **Who.** Once the progress reached the target (``reached_at``, recorded once, never undone),
  every payee not paid yet is paid: the contributors (``count > 0``), plus every current member
  for ``pay: "members"``. A member who counts after that (a late in-window activity, a joiner)
  is paid by their own commit's settlement.
- **Bounded payout.** The walk of the payees goes a page at a time (``PAYOUT_STEP``), in a fixed
  order (the contributions, then for ``members`` the members), from a ``PayoutCursor`` kept on
  the team's state and moved only from the position read (compare and set): a page paid twice
  by two racing walkers pays nobody twice (the profile's entry decides), and a walk that stops
  anywhere goes on from the cursor, by the next member's commit or the sweep.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from gamification.domain.game_rules import GameRules
from gamification.domain.quests import QuestDefinition
from gamification.domain.state import UserState
from gamification.domain.transition import Transition, complete_quest

PayRule = Literal["contributors", "members"]


@dataclass(frozen=True, slots=True)
class TeamContribution:
    """One member's absolute count for one team quest, and whether this team paid them."""

    user_id: str
    count: int
    paid: bool = False


PAYOUT_STEP = 100
"""Payees a walk step examines at most (each a profile read and at most one payment: 3-4
requests, ≈ 25 ms on DynamoDB; benchmarks in docs/teams.md#team-quests). A member's commit runs
at most one step (``COMMIT_STEP`` of it), the sweep steps until its time is up."""
COMMIT_STEP = 20
"""Payees one commit's settlements walk at most, besides the committer: a consumer batch holds
≤ 10 users, so ≤ 200 payments a batch, a few seconds of the consumer's 30."""


@dataclass(frozen=True, slots=True)
class PayoutCursor:
    """How far a team's payout walk got: the phase (``contributors``, then ``members`` for
    ``pay: "members"``) and the position inside it (opaque: the store's or the roster's)."""

    phase: Literal["contributors", "members"] = "contributors"
    after: str | None = None


@dataclass(frozen=True, slots=True)
class TeamQuestStanding:
    """One team's progress on one team quest (what every member sees)."""

    progress: int = 0
    contributors: int = 0
    reached_at: datetime | None = None
    settled: bool = False
    """Every payee known when the target was reached was paid (later ones pay themselves)."""
    cursor: PayoutCursor = PayoutCursor()
    """Where the payout walk goes on (while not ``settled``)."""

    def reached(self, quest: QuestDefinition) -> bool:
        return self.reached_at is not None or self.progress >= quest.target


def raise_to(held: int | None, count: int) -> int:
    """How much a member's contribution grows when their count ``count`` is seen: the raise,
    0 for a repeated or older count (never negative: a contribution is never lowered)."""
    return max(0, count - (held or 0))


def open_counts(
    user: UserState, quests: Iterable[QuestDefinition]
) -> list[tuple[QuestDefinition, int]]:
    """The team quests ``user`` has counted towards (``count > 0``), with their count: the only
    ones a commit of theirs can move (no I/O for everyone else)."""
    found = []
    for quest in quests:
        entry = user.quests.get(quest.id)
        if quest.mode == "team" and entry is not None and entry.count > 0:
            found.append((quest, entry.count))
    return sorted(found, key=lambda pair: pair[0].id)


def pays(user_id: str, count: int, is_member: bool, pay: PayRule) -> bool:
    """Whether a completed team quest pays ``user_id`` (who contributed ``count``)."""
    return count > 0 or (pay == "members" and is_member)


def payment(
    quest: QuestDefinition, user: UserState, rules: GameRules, now: datetime
) -> Transition | None:
    """``user``'s transition once paid for their team's completion, or ``None`` when their entry
    is already completed (paid by this team, another team, or never: a repeat is a no-op).

    The payment is a solo quest's completion (``transition.complete_quest``, as a pair's):
    ``completed_at``, the reward XP (award ``quest_reward#<quest>``) and reward badge, the badges
    and level the XP unlocks, the wallet's ``quest``/``badge``/``level`` credits and the
    notifications; the caller derives the events (``domain_events.derive``) and commits it all
    in one version-guarded write of the payee's profile, so the completion is stored with what
    it paid, hence once."""
    entry = user.quests.get(quest.id)
    if entry is not None and entry.completed_at is not None:
        return None
    return complete_quest(user, quest, rules, now)
