"""XP bounds: every XP value the engine keeps (a user's total, each week's) stays inside
``MAX_XP``, which is what the leaderboards' score can hold exactly (see docs/data-model.md).

Sources are bounded where they are defined (an event type's ``base_xp``, a quest's
``reward_xp``: at most ``MAX_AWARD_XP``; a boost multiplies by at most 10), and the transition
adds every award with ``add_xp``, which stops at ``MAX_XP``. Every award the transition adds to
the total is ≥ 0 (a daily-cap slot changes hands only to a better activity), and a saturating
sum of non-negative terms does not depend on their order or grouping, so the cap keeps the
transition's order independence.
"""

from __future__ import annotations

MAX_XP = (1 << 23) - 1
"""8,388,607: at the default catalog's client daily caps (1,300 XP a day, plus a 50 XP
milestone a week) a user needs ≈ 17.6 years of maxed days to reach it."""
MAX_AWARD_XP = 1_000_000
"""The most one event type or one quest can award (before a boost)."""


def add_xp(held: int, gained: int) -> int:
    """``held + gained``, stopping at ``MAX_XP`` (never lowering a value already past it, e.g.
    one stored before the cap existed; a negative ``gained`` is a plain subtraction)."""
    total = held + gained
    if gained <= 0:
        return total
    return max(held, min(total, MAX_XP))
