"""Following, followers and blocks (issue #29): the rules of ``domain.follows`` over a graph
store and the profiles.

Identity always comes from the caller (the authorizer); every operation names the other user
by id, and answers the same for an id that does not exist as for one the caller may not
discover (``domain.follows``, "Discoverability").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from gamification.domain.domain_events import EventDraft, friend_followed
from gamification.domain.follows import (
    BlockedError,
    BlockLimitError,
    EdgePage,
    FollowLimitError,
    Refusal,
    Relation,
    Target,
    follow_refusal,
    shown_as_follower,
)
from gamification.domain.profile_records import StoredUser
from gamification.services.friend_models import FollowEntryOut, FollowListOut, RelationOut

# -- ports (adapter: adapters.follow_graph.FollowGraph; fake: tests/fakes/follows.py) -----------


class Graph(Protocol):
    def relation(self, owner: str, other: str) -> tuple[Relation, int]:
        """The relation from ``owner``'s side and how many users ``owner`` follows (consistent)."""
        ...

    def following(self, owner: str, cursor: str | None, limit: int) -> EdgePage: ...

    def followers(self, owner: str, cursor: str | None, limit: int) -> EdgePage: ...

    def blocked(self, owner: str, cursor: str | None, limit: int) -> EdgePage: ...

    def follows_many(self, owner: str, others: Iterable[str]) -> set[str]:
        """Which of ``others`` ``owner`` follows."""
        ...

    def followed_by_many(self, owner: str, others: Iterable[str]) -> set[str]:
        """Which of ``others`` follow ``owner``."""
        ...

    def follow(
        self, follower: str, followed: str, at: datetime, events: Sequence[EventDraft] = ()
    ) -> bool:
        """``False`` if it existed; ``FollowLimitError``, ``BlockedError`` from its guards.
        ``events`` commit with the edge into the follower's profile outbox (a follower with no
        profile: the edge alone)."""
        ...

    def unfollow(self, follower: str, followed: str) -> bool: ...

    def block(self, blocker: str, blocked: str, at: datetime) -> bool:
        """Removes both follows between the two; ``BlockLimitError`` at the limit."""
        ...

    def unblock(self, blocker: str, blocked: str) -> bool: ...


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def load_many(
        self, user_ids: Sequence[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...


class FollowRefusedError(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def _target(stored: StoredUser) -> Target:
    return Target(exists=stored.exists and not stored.tombstone, listed=stored.listed)


class FollowService:
    def __init__(self, graph: Graph, users: Profiles, clock: Callable[[], datetime]) -> None:
        self._graph = graph
        self._users = users
        self._clock = clock

    def follow(self, me: str, other: str) -> RelationOut:
        """Follow ``other`` (idempotent); ``FollowRefusedError`` says why not."""
        relation, count = self._graph.relation(me, other)
        target = _target(self._users.load(other, consistent=False))
        refusal = follow_refusal(
            me,
            other,
            target,
            already_following=relation.follows,
            i_block=relation.i_block,
            they_block=relation.they_block,
            following_count=count,
        )
        if refusal is not None:
            raise FollowRefusedError(refusal)
        if relation.follows:  # a repeat: nothing to write
            return _relation_out(other, relation)
        at = self._clock()
        event = friend_followed(other, relation.followed_by, at)
        try:
            self._graph.follow(me, other, at, (event,))
        except FollowLimitError as error:
            raise FollowRefusedError(Refusal.LIMIT) from error
        except BlockedError as error:  # a block landed meanwhile: re-read who made it
            now, _ = self._graph.relation(me, other)
            raise FollowRefusedError(
                Refusal.BLOCKED_BY_ME if now.i_block else Refusal.UNKNOWN
            ) from error
        return _relation_out(other, Relation(follows=True, followed_by=relation.followed_by))

    def unfollow(self, me: str, other: str) -> None:
        """Stop following ``other``; harmless when not following (nothing is revealed)."""
        self._graph.unfollow(me, other)

    def block(self, me: str, other: str) -> RelationOut:
        """Block ``other`` whether or not the id exists (so nothing is revealed): both follows
        between the two go and new ones are refused until it is lifted."""
        if me == other:
            raise FollowRefusedError(Refusal.SELF)
        try:
            self._graph.block(me, other, self._clock())
        except BlockLimitError as error:
            raise FollowRefusedError(Refusal.BLOCK_LIMIT) from error
        return _relation_out(other, Relation(i_block=True))

    def unblock(self, me: str, other: str) -> None:
        self._graph.unblock(me, other)

    def following(self, me: str, cursor: str | None, limit: int) -> FollowListOut:
        """Everyone ``me`` follows, hidden or not (following them is what lets them be seen)."""
        page = self._graph.following(me, cursor, limit)
        ids = [e.user_id for e in page.edges]
        profiles = self._users.load_many(ids)
        back = self._graph.followed_by_many(me, ids) if ids else set()
        return FollowListOut(
            entries=[
                FollowEntryOut(
                    user_id=e.user_id,
                    display_name=_name(profiles.get(e.user_id)),
                    since=e.since,
                    mutual=e.user_id in back,
                )
                for e in page.edges
            ],
            next_cursor=page.next_cursor,
        )

    def followers(self, me: str, cursor: str | None, limit: int) -> FollowListOut:
        """Those who follow ``me``, less the ones ``me`` may not discover (hidden, excluded or
        being erased, and not followed back)."""
        page = self._graph.followers(me, cursor, limit)
        ids = [e.user_id for e in page.edges]
        profiles = self._users.load_many(ids)
        followed = self._graph.follows_many(me, ids) if ids else set()
        entries = []
        for edge in page.edges:
            stored = profiles.get(edge.user_id)
            listed = stored is not None and _target(stored).exists and stored.listed
            if not shown_as_follower(listed, followed_back=edge.user_id in followed):
                continue
            entries.append(
                FollowEntryOut(
                    user_id=edge.user_id,
                    display_name=_name(stored),
                    since=edge.since,
                    mutual=edge.user_id in followed,
                )
            )
        return FollowListOut(entries=entries, next_cursor=page.next_cursor)

    def blocked(self, me: str, cursor: str | None, limit: int) -> FollowListOut:
        page = self._graph.blocked(me, cursor, limit)
        return FollowListOut(
            entries=[
                FollowEntryOut(user_id=e.user_id, display_name=None, since=e.since, mutual=False)
                for e in page.edges
            ],
            next_cursor=page.next_cursor,
        )


def _name(stored: StoredUser | None) -> str | None:
    return None if stored is None else stored.state.settings.display_name


def _relation_out(other: str, relation: Relation) -> RelationOut:
    return RelationOut(
        user_id=other,
        following=relation.follows,
        follows_you=relation.followed_by and relation.follows,
        friends=relation.friends,
        blocked=relation.i_block,
    )
