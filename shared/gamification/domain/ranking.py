"""SQL ``RANK()`` over a leaderboard slice: ties share a rank, the next one skips (1, 2, 2, 4)."""

from __future__ import annotations

from collections.abc import Sequence


def competition_ranks(xps: Sequence[float], start: int, higher_than_first: int) -> list[int]:
    """Ranks of a slice of a board sorted by XP (or any score: a team's average), descending.

    ``start`` is the 0-based position of the slice's first entry and ``higher_than_first`` the
    number of members with strictly more XP than it (it may share XP with the page before).
    """
    ranks: list[int] = []
    for i, xp in enumerate(xps):
        if i == 0:
            ranks.append(higher_than_first + 1)
        elif xp == xps[i - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(start + i + 1)
    return ranks
