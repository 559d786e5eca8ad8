"""Levelling curve: ``xp_for_level(L) = floor(100 * L**1.5)``, computed exactly with integers.

The seed computed the inverse with floats and showed users holding exactly a threshold one level
too low; here both directions are integer arithmetic, so they are true inverses.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isqrt


def xp_for_level(level: int) -> int:
    """XP needed to reach ``level``: ``floor(100 * level**1.5) == isqrt(10_000 * level**3)``."""
    if level < 0:
        raise ValueError("level must be >= 0")
    return isqrt(10_000 * level**3)


def _icbrt(n: int) -> int:
    """Largest ``c`` with ``c**3 <= n`` (exact for any size of ``n``)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return 0
    c = 1 << ((n.bit_length() + 2) // 3)  # an upper bound; Newton's method descends from it
    while True:
        nxt = (2 * c + n // (c * c)) // 3
        if nxt >= c:
            break
        c = nxt
    while c**3 > n:
        c -= 1
    while (c + 1) ** 3 <= n:
        c += 1
    return c


def level_from_xp(xp: int) -> int:
    """Largest ``L`` with ``xp_for_level(L) <= xp`` (0 below 100 XP).

    ``isqrt(10_000 L^3) <= xp`` holds exactly when ``10_000 L^3 < (xp + 1)^2``.
    """
    if xp < 0:
        raise ValueError("xp must be >= 0")
    return _icbrt(((xp + 1) ** 2 - 1) // 10_000)


@dataclass(frozen=True, slots=True)
class LevelProgress:
    """What a progress bar needs: XP earned inside the current level and the XP still to go."""

    level: int
    xp: int
    level_floor_xp: int
    next_level_xp: int

    @property
    def xp_into_level(self) -> int:
        return self.xp - self.level_floor_xp

    @property
    def xp_needed(self) -> int:
        """XP still missing to reach the next level."""
        return self.next_level_xp - self.xp

    @property
    def level_span(self) -> int:
        return self.next_level_xp - self.level_floor_xp

    @property
    def fraction(self) -> float:
        return self.xp_into_level / self.level_span


def level_progress(xp: int) -> LevelProgress:
    level = level_from_xp(xp)
    return LevelProgress(
        level=level,
        xp=xp,
        level_floor_xp=xp_for_level(level),
        next_level_xp=xp_for_level(level + 1),
    )
