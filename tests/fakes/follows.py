"""An in-memory follow graph: the ``Graph`` port of ``services.follows`` (real:
``adapters.follow_graph.FollowGraph``; tests/adapters/contracts/test_follow_graph.py holds them
equal). Lists are in id order, as the table's sort keys order them; cursors are the real ones'."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from gamification.adapters.follow_graph import cursor_for
from gamification.domain.domain_events import EventDraft
from gamification.domain.follows import (
    MAX_BLOCKED,
    MAX_FOLLOWING,
    BlockedError,
    BlockLimitError,
    Edge,
    EdgePage,
    FollowLimitError,
    Relation,
)
from gamification.domain.friend_streaks import (
    MAX_ACTIVE,
    LinkStatus,
    StreakLimitError,
    StreakLink,
)
from tests.fakes.pair_quests import FakePairLinks


class FakeGraph:
    def __init__(
        self, *, max_following: int = MAX_FOLLOWING, max_blocked: int = MAX_BLOCKED
    ) -> None:
        self.max_following, self.max_blocked = max_following, max_blocked
        self.follows: dict[tuple[str, str], datetime] = {}
        """(follower, followed) -> since."""
        self.blocks: dict[tuple[str, str], datetime] = {}
        """(blocker, blocked) -> since."""
        self.links: dict[tuple[str, str], StreakLink] = {}
        """(owner, partner) -> the friend streak from the owner's side."""
        self.events: list[tuple[str, EventDraft]] = []
        """(follower, event) committed with a follow into the follower's profile outbox."""
        self.pair_links = FakePairLinks(self.blocks)
        """The friend quest pairings (one table in the real store): a block ends them."""

    def relation(self, owner: str, other: str) -> tuple[Relation, int]:
        relation = Relation(
            follows=(owner, other) in self.follows,
            followed_by=(other, owner) in self.follows,
            i_block=(owner, other) in self.blocks,
            they_block=(other, owner) in self.blocks,
        )
        return relation, sum(1 for a, _ in self.follows if a == owner)

    def following(self, owner: str, cursor: str | None, limit: int) -> EdgePage:
        edges = {b: at for (a, b), at in self.follows.items() if a == owner}
        return _page(edges, "OUT#", cursor, limit)

    def followers(self, owner: str, cursor: str | None, limit: int) -> EdgePage:
        edges = {a: at for (a, b), at in self.follows.items() if b == owner}
        return _page(edges, "IN#", cursor, limit)

    def blocked(self, owner: str, cursor: str | None, limit: int) -> EdgePage:
        edges = {b: at for (a, b), at in self.blocks.items() if a == owner}
        return _page(edges, "BLOCK#", cursor, limit)

    def followed_ids(self, owner: str) -> list[str]:
        return sorted(b for a, b in self.follows if a == owner)

    def follows_many(self, owner: str, others: Iterable[str]) -> set[str]:
        return {o for o in others if (owner, o) in self.follows}

    def followed_by_many(self, owner: str, others: Iterable[str]) -> set[str]:
        return {o for o in others if (o, owner) in self.follows}

    def follow(
        self, follower: str, followed: str, at: datetime, events: Sequence[EventDraft] = ()
    ) -> bool:
        if (follower, followed) in self.follows:
            return False
        if sum(1 for a, _ in self.follows if a == follower) >= self.max_following:
            raise FollowLimitError(follower)
        if (follower, followed) in self.blocks or (followed, follower) in self.blocks:
            raise BlockedError(followed)
        self.follows[(follower, followed)] = at
        self.events += [(follower, e) for e in events]
        return True

    def unfollow(self, follower: str, followed: str) -> bool:
        return self.follows.pop((follower, followed), None) is not None

    def block(self, blocker: str, blocked: str, at: datetime) -> bool:
        if (blocker, blocked) in self.blocks:
            return False
        if sum(1 for a, _ in self.blocks if a == blocker) >= self.max_blocked:
            raise BlockLimitError(blocker)
        self.blocks[(blocker, blocked)] = at
        self.follows.pop((blocker, blocked), None)
        self.follows.pop((blocked, blocker), None)
        self.links.pop((blocker, blocked), None)
        self.links.pop((blocked, blocker), None)
        self.pair_links.end_pairings(blocker, blocked)
        return True

    def unblock(self, blocker: str, blocked: str) -> bool:
        return self.blocks.pop((blocker, blocked), None) is not None

    def streak_links(self, owner: str) -> list[StreakLink]:
        return [link for (a, _), link in sorted(self.links.items()) if a == owner]

    def streak_link(self, owner: str, other: str) -> StreakLink | None:
        return self.links.get((owner, other))

    def invite_streak(self, inviter: str, invitee: str, at: datetime) -> bool:
        if (inviter, invitee) in self.links:
            return False
        self.links[(inviter, invitee)] = StreakLink(invitee, LinkStatus.INVITED, at)
        self.links[(invitee, inviter)] = StreakLink(inviter, LinkStatus.INVITED_ME, at)
        return True

    def accept_streak(
        self,
        invitee: str,
        inviter: str,
        started_on: date,
        at: datetime,
        events: Mapping[str, Sequence[EventDraft]] | None = None,
    ) -> bool:
        link = self.links.get((invitee, inviter))
        if link is None or link.status is not LinkStatus.INVITED_ME:
            return False
        if any(self._active(u) >= MAX_ACTIVE for u in (invitee, inviter)):
            raise StreakLimitError(invitee)
        self.links[(invitee, inviter)] = StreakLink(inviter, LinkStatus.ACTIVE, at, started_on)
        self.links[(inviter, invitee)] = StreakLink(invitee, LinkStatus.ACTIVE, at, started_on)
        self.events += [(u, e) for u, drafts in (events or {}).items() for e in drafts]
        return True

    def end_streak(self, owner: str, other: str) -> bool:
        self.links.pop((other, owner), None)
        return self.links.pop((owner, other), None) is not None

    def _active(self, owner: str) -> int:
        return sum(1 for k in self.streak_links(owner) if k.status is LinkStatus.ACTIVE)

    def erase(self, user_id: str) -> None:
        """What the erasure walk does to the graph: every edge and block touching the user."""
        self.follows = {k: v for k, v in self.follows.items() if user_id not in k}
        self.blocks = {k: v for k, v in self.blocks.items() if user_id not in k}
        self.links = {k: v for k, v in self.links.items() if user_id not in k}


def _page(edges: dict[str, datetime], prefix: str, cursor: str | None, limit: int) -> EdgePage:
    after = cursor_for(prefix).decode(cursor).removeprefix(prefix) if cursor else None
    ids = [i for i in sorted(edges) if after is None or i > after]
    shown = ids[:limit]
    more = len(ids) > limit
    return EdgePage(
        [Edge(user_id=i, since=edges[i]) for i in shown],
        cursor_for(prefix).encode(f"{prefix}{shown[-1]}") if more and shown else None,
    )
