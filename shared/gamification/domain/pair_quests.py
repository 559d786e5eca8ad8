"""Friend quests (issue #29): a quest with ``mode: "pair"`` that two mutual friends do together.

* A user pairs with **one** mutual friend per quest (both sides hold the link; ``PairLink``),
  while the quest is live and neither has completed it.
* Each partner's own count stays in their profile as for any quest (the transition counts the
  window's activities and never completes a pair quest on one count: ``_complete_quests``).
* The pair's progress is the **sum** of the two counts; when it reaches the target, each partner
  is paid the quest's reward and told, **once**: the payment is the completion stored in that
  partner's own profile (``QuestProgress.completed_at``), committed under the profile's version
  guard, so a repeated, concurrent or reordered settlement finds it done and pays nothing.

Pure: ``settlement`` says what one partner's profile becomes (the same payment as a solo
quest's: ``transition.complete_quest``); the service commits it with its events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gamification.domain.game_rules import GameRules
from gamification.domain.quests import QuestDefinition
from gamification.domain.state import UserState
from gamification.domain.transition import Transition, complete_quest

LINK_TTL = timedelta(days=30)
"""A pair link outlives its quest's end by this much, then expires (DynamoDB TTL)."""


class PairQuestError(Exception):
    """A pairing the rules refuse; ``code`` names it for the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class PairLink:
    """One side of a pairing: ``owner`` does ``quest_id`` with ``partner``."""

    owner: str
    quest_id: str
    partner: str
    since: datetime


def check_pairable(
    quest: QuestDefinition | None, me: UserState, friend: UserState, now: datetime
) -> QuestDefinition:
    """The quest, if ``me`` may pair with ``friend`` for it now (friendship is checked by the
    service, against the graph)."""
    if quest is None:
        raise PairQuestError("quest_not_found", "no such quest")
    if quest.mode != "pair":
        raise PairQuestError("not_a_pair_quest", "this quest is not done in pairs")
    if now >= quest.ends_at:
        raise PairQuestError("quest_ended", "this quest has ended")
    for user in (me, friend):
        if completed(user, quest.id):
            raise PairQuestError("quest_completed", f"{user.user_id} already completed it")
    return quest


def completed(user: UserState, quest_id: str) -> bool:
    progress = user.quests.get(quest_id)
    return progress is not None and progress.completed_at is not None


def count(user: UserState, quest_id: str) -> int:
    progress = user.quests.get(quest_id)
    return progress.count if progress is not None else 0


def pair_count(me: UserState, partner: UserState, quest: QuestDefinition) -> int:
    """The pair's progress: both partners' counts in the quest's window."""
    return count(me, quest.id) + count(partner, quest.id)


def settlement(
    quest: QuestDefinition, me: UserState, partner: UserState, rules: GameRules, now: datetime
) -> Transition | None:
    """``me``'s transition once paid for the pair's completion, or ``None`` (not reached yet,
    or ``me`` was already paid: completion is stored, hence once). The payment is a solo
    quest's (``transition.complete_quest``): reward XP, reward badge, the badges and level it
    unlocks, currency credits and the notifications; the caller derives its events."""
    if completed(me, quest.id) or pair_count(me, partner, quest) < quest.target:
        return None
    return complete_quest(me, quest, rules, now)


def open_pair_quests(user: UserState, quests: dict[str, QuestDefinition]) -> list[str]:
    """The pair quests ``user`` has counted towards and not completed: the only ones a commit
    of theirs can complete (no I/O, so users without any cost nothing)."""
    return sorted(
        q
        for q, progress in user.quests.items()
        if progress.completed_at is None
        and progress.count > 0
        and (quest := quests.get(q)) is not None
        and quest.mode == "pair"
    )
