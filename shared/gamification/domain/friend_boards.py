"""The friend board (issue #29): the caller and everyone they follow, ranked like the global
board, from their scores on it.

The score is the global board's (``boards.encode_score``: more XP, then the earlier second, then
the lower user id), so the friend board's order is the global board's order restricted to the
friends, and its ranks are SQL ``RANK()`` over XP among them (ties share a rank, the next
skips), the same tie rule as the global board. No board is kept per user: the scores are read
from the global boards when asked (``ZMSCORE``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gamification.domain.boards import SCALE, Entry
from gamification.domain.ranking import competition_ranks


@dataclass(frozen=True, slots=True)
class Scored:
    """A member of a global board as the friend board reads it."""

    user_id: str
    score: int
    """``encode_score(xp, xp_at)``: lower is better."""
    display_name: str | None = None


def xp_of(score: int) -> int:
    """The XP an encoded score holds (the inverse of ``encode_score``'s high bits)."""
    return (-score) // SCALE


def friend_board(scored: Iterable[Scored]) -> list[Entry]:
    """The entries in board order with ``RANK()`` ranks (1 for the best)."""
    ordered = sorted(scored, key=lambda s: (s.score, s.user_id))
    xps = [xp_of(s.score) for s in ordered]
    ranks = competition_ranks(xps, 0, 0)
    return [
        Entry(rank=r, user_id=s.user_id, xp=xp, display_name=s.display_name)
        for r, s, xp in zip(ranks, ordered, xps, strict=True)
    ]
