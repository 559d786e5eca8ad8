"""Who the public boards and the leagues list: one rule for the profile item, the projector's
view of it, the consumer's league seating and the week's close."""

from __future__ import annotations


def on_the_boards(*, visible: bool, excluded: bool, erasing: bool) -> bool:
    """Listed when the user did not hide (``leaderboard_visible``), no operator excluded them,
    and no erasure is under way."""
    return visible and not excluded and not erasing
