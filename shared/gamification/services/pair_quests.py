"""Friend quests (``mode: "pair"``, issue #29): pairing, and paying both partners once.

Pairing writes a link on both sides in one transaction, each created only if absent (one partner
per user and quest). Settlement runs after each commit of a user who holds an open pair quest
(the consumer's ``after_apply``; redelivered messages run it again) and when a pair is made: it
reads both links and both profiles, and when the pair's sum reaches the target it commits each
partner's completion to *their own* profile under its version guard: a solo quest's payment
(reward XP and badge, the notifications, the ``quest.completed`` and ``xp.awarded`` events in the
profile's outbox, hence the lake's rows). A partner already paid is skipped, so every order of
the two partners' commits, settlements and redeliveries pays each exactly once
(``domain.pair_quests``). A block ends a pairing (the graph's ``block``, in its transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from pydantic import Field

from gamification.domain.follows import BlockedError, Relation
from gamification.domain.game_rules import GameRules
from gamification.domain.pair_quests import (
    LINK_TTL,
    PairLink,
    PairQuestError,
    check_pairable,
    open_pair_quests,
    pair_count,
    settlement,
)
from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError
from gamification.domain.quests import QuestDefinition
from gamification.services.quest_completion import completion_change
from gamification.services.read_models import ReadModel

NOT_FRIENDS = "a pair quest needs you to follow each other"

# -- ports (adapters: FollowGraph, PairQuestLinks, UserRepository; fakes: tests/fakes) ---------


class Friendship(Protocol):
    def relation(self, owner: str, other: str) -> tuple[Relation, int]: ...


class Links(Protocol):
    def link(self, owner: str, quest_id: str) -> PairLink | None: ...

    def pair(self, a: str, b: str, quest_id: str, at: datetime, expires: datetime) -> bool:
        """Both sides, together, only if neither holds a link for the quest (else False) and
        neither blocks the other (else ``BlockedError``). A block ends the pairings between the
        two (the graph's ``block``, in its own transaction)."""
        ...

    def unpair(self, owner: str, quest_id: str, partner: str) -> None:
        """Delete both sides (a side that names another partner is left alone)."""
        ...


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def save(self, change: UserChange) -> StoredUser: ...


class PairOut(ReadModel):
    """A friend quest from the caller's side."""

    quest_id: str
    partner: str | None = Field(description="Your partner for this quest, if paired.")
    since: datetime | None = Field(description="When you paired.")
    count: int = Field(description="The pair's progress (both counts), or yours when unpaired.")
    target: int
    completed: bool = Field(description="You were paid this quest's reward (once).")


class PairQuests:
    def __init__(
        self,
        graph: Friendship,
        links: Links,
        users: Profiles,
        rules: Callable[[], GameRules],
        clock: Callable[[], datetime],
        *,
        max_attempts: int = 5,
    ) -> None:
        self._graph = graph
        self._links = links
        self._users = users
        self._rules = rules
        self._clock = clock
        self._max_attempts = max_attempts

    def pair(self, me: str, friend: str, quest_id: str) -> PairOut:
        """Pair ``me`` with ``friend`` for the quest (idempotent for the same partner)."""
        now = self._clock()
        if me == friend:
            raise PairQuestError("cannot_pair_self", "pair with a friend, not yourself")
        relation, _ = self._graph.relation(me, friend)
        if not relation.friends:
            raise PairQuestError("not_friends", NOT_FRIENDS)
        quest = check_pairable(
            self._quest(quest_id), self._users.load(me).state, self._users.load(friend).state, now
        )
        held = self._links.link(me, quest_id)
        fresh = held is None or held.partner != friend
        try:
            made = not fresh or self._links.pair(
                me, friend, quest_id, now, quest.ends_at + LINK_TTL
            )
        except BlockedError:  # a block landed after the friendship was read
            raise PairQuestError("not_friends", NOT_FRIENDS) from None
        if not made:
            raise PairQuestError("already_paired", "one of you is paired for this quest")
        self.settle(me, quest_id)
        return self.status(me, quest_id)

    def unpair(self, me: str, quest_id: str) -> None:
        held = self._links.link(me, quest_id)
        if held is not None:
            self._links.unpair(me, quest_id, held.partner)

    def status(self, me: str, quest_id: str) -> PairOut:
        quest = self._quest(quest_id)
        if quest is None or quest.mode != "pair":
            raise PairQuestError("quest_not_found", "no such pair quest")
        mine = self._users.load(me, consistent=False).state
        link = self._live_link(me, quest_id)
        partner = self._users.load(link.partner, consistent=False).state if link else None
        progress = mine.quests.get(quest_id)
        return PairOut(
            quest_id=quest_id,
            partner=link.partner if link else None,
            since=link.since if link else None,
            count=pair_count(mine, partner, quest)
            if partner
            else (progress.count if progress else 0),
            target=quest.target,
            completed=progress is not None and progress.completed_at is not None,
        )

    def after_apply(self, stored: StoredUser | None) -> int:
        """Settle each open pair quest of a user the consumer just handled (a duplicate too:
        a redelivery settles again). Returns the payments made."""
        catalog = self._rules().quests
        if stored is None or catalog is None:
            return 0
        by_id = {q.id: q for q in catalog}
        return sum(
            self.settle(stored.state.user_id, q) for q in open_pair_quests(stored.state, by_id)
        )

    def settle(self, user_id: str, quest_id: str) -> int:
        """Pay whichever partner the pair's sum now entitles and who was not paid yet."""
        quest = self._quest(quest_id)
        link = self._live_link(user_id, quest_id)
        if quest is None or quest.mode != "pair" or link is None:
            return 0
        return sum(
            self._pay(who, other, quest)
            for who, other in ((user_id, link.partner), (link.partner, user_id))
        )

    def _pay(self, who: str, other: str, quest: QuestDefinition) -> int:
        """Commit ``who``'s payment, if due, with its domain events (``xp.awarded`` of the
        ``quest_reward#<id>`` award, ``quest.completed``, any ``badge.earned`` and
        ``level.changed``: what a solo completion commits, with the same fact-derived ids) in the
        profile's outbox, so the bus, the webhooks and the history lake see it as any quest's."""
        for _ in range(self._max_attempts):
            mine, theirs = self._users.load(who), self._users.load(other)
            rules, now = self._rules(), self._clock()
            paid = settlement(quest, mine.state, theirs.state, rules, now)
            if paid is None:
                return 0
            change = completion_change(mine, paid, rules, now)
            try:
                self._users.save(change)
            except VersionConflictError:
                continue
            return 1
        raise RuntimeError(f"user {who} kept changing")

    def _live_link(self, owner: str, quest_id: str) -> PairLink | None:
        """The link, only when the partner's side names the owner back (a half-deleted pair,
        e.g. after an erasure, is no pair)."""
        link = self._links.link(owner, quest_id)
        if link is None:
            return None
        back = self._links.link(link.partner, quest_id)
        return link if back is not None and back.partner == owner else None

    def _quest(self, quest_id: str) -> QuestDefinition | None:
        catalog = self._rules().quests
        return catalog.get(quest_id) if catalog is not None else None
