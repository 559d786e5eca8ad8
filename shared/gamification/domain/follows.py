"""The follow graph's rules (issue #29), with no storage in sight.

Following is one-way and needs no consent; *friends* are two users who follow each other.
A block (either way) removes both follows between the two and refuses new ones until lifted.
A user follows at most ``MAX_FOLLOWING`` others and blocks at most ``MAX_BLOCKED``; followers
are unbounded (a celebrity's are only ever read a page at a time).

**Discoverability.** The graph routes name users by id, so they must not reveal a user who is
off the public boards: a user who is *hidden* (``leaderboard_visible`` off), *excluded* by an
operator or being *erased* is found through these routes only by someone who already follows
them. Concretely: following them is refused as an unknown user (404, the answer an id that was
never used gets) unless the caller already follows them (a repeat is harmless); they are left
out of other users' follower lists unless the list's owner follows them back; they stay in the
lists of those who follow them. A block by the *other* user also reads as an unknown user, so
a block is never revealed to the one blocked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

MAX_FOLLOWING = 1000
"""Users one user may follow: bounds the friend board (one ``ZMSCORE`` of ≤ 1,001 ids)."""
MAX_BLOCKED = 1000
"""Users one user may block: bounds the export's block list like the following list."""


class FollowLimitError(Exception):
    """The follower already follows ``MAX_FOLLOWING`` users (found by the store's guard)."""


class BlockLimitError(Exception):
    """The user already blocks ``MAX_BLOCKED`` users."""


class BlockedError(Exception):
    """A block between the two users appeared while the follow was being written."""


class GraphBusyError(Exception):
    """The relation kept changing under the writes; the request may be repeated."""


class Refusal(enum.Enum):
    """Why a follow is refused (each maps to one HTTP answer)."""

    SELF = "cannot_follow_self"
    UNKNOWN = "user_not_found"
    """No such user, erased, not discoverable, or they blocked the caller (never told apart)."""
    BLOCKED_BY_ME = "blocked"
    """The caller blocks them: unblock first (the caller knows, so it is said)."""
    LIMIT = "following_limit"
    BLOCK_LIMIT = "blocking_limit"
    NOT_FRIENDS = "not_friends"
    """A friend streak needs a mutual follow (and no block)."""
    STREAK_LIMIT = "friend_streak_limit"


@dataclass(frozen=True, slots=True)
class Target:
    """What the follow rules need to know about the user to be followed."""

    exists: bool
    """A profile is stored and is not an erasure tombstone."""
    listed: bool
    """On the public boards (``StoredUser.listed``)."""


def discoverable(target: Target, *, already_following: bool) -> bool:
    """Whether the caller may find ``target`` by id through the graph routes (module docstring)."""
    return target.exists and (target.listed or already_following)


def follow_refusal(
    follower: str,
    followed: str,
    target: Target,
    *,
    already_following: bool,
    i_block: bool,
    they_block: bool,
    following_count: int,
) -> Refusal | None:
    """The reason ``follower`` may not follow ``followed`` now, or ``None``. A repeat of a
    follow that exists is no refusal (the request is idempotent)."""
    if follower == followed:
        return Refusal.SELF
    if they_block or not discoverable(target, already_following=already_following):
        return Refusal.UNKNOWN
    if i_block:
        return Refusal.BLOCKED_BY_ME
    if not already_following and following_count >= MAX_FOLLOWING:
        return Refusal.LIMIT
    return None


def shown_as_follower(follower_listed: bool, *, followed_back: bool) -> bool:
    """A follower appears in the owner's follower list if discoverable to the owner."""
    return follower_listed or followed_back


@dataclass(frozen=True, slots=True)
class Edge:
    """One side of a relation as its owner sees it: ``user_id`` is the other user."""

    user_id: str
    since: datetime


@dataclass(frozen=True, slots=True)
class EdgePage:
    edges: list[Edge]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Relation:
    """Everything stored between ``owner`` and ``other``, from ``owner``'s side."""

    follows: bool = False
    followed_by: bool = False
    i_block: bool = False
    they_block: bool = False

    @property
    def friends(self) -> bool:
        return self.follows and self.followed_by
