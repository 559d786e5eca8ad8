""" "NAME passed you on the weekly board" as a rule (issue #29): who a rising friend overtook,
and who of them is told. Pure (no I/O, no clock of its own).

The overtaker ``F`` rose on the week's board from ``old`` to ``new`` (``boards.encode_score``:
negated, lower is better; ``None`` = not on the board). A user ``U`` whom ``F`` follows was
passed when the board's own order put ``U`` before ``F`` and now puts ``F`` before ``U``: the
order is (score, user id), so the board's tie rule (more XP, then the earlier second, then the
lower id) decides who passed whom, and the friend board shows exactly that swap.

Who is told: a passed user who follows ``F`` back (a mutual friend, checked by the service),
has the setting on (``friend_passed_notices``) and is not in the control group. At most one
notice per friend and recipient's local day: the notice's guard is named by both
(``FriendNotice`` of kind ``PASSED``; the ledger creates it only if absent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from gamification.domain import notifications
from gamification.domain.experiments import experience
from gamification.domain.friend_boards import Scored
from gamification.domain.friend_streak_notices import FriendNotice, NoticeKind
from gamification.domain.state import UserState
from gamification.domain.streaks import local_day


def passed(overtaker: str, old: int | None, new: int, others: Iterable[Scored]) -> list[str]:
    """The ids among ``others`` that were ahead of ``overtaker`` at ``old`` and are behind it at
    ``new`` (in the board's order: score, then user id), in board order."""
    before = (old, overtaker) if old is not None else None
    after = (new, overtaker)
    found = [
        s
        for s in others
        if s.user_id != overtaker
        and after < (s.score, s.user_id)
        and (before is None or (s.score, s.user_id) < before)
    ]
    return [s.user_id for s in sorted(found, key=lambda s: (s.score, s.user_id))]


def plan_passed_notices(
    overtaker: str, name: str | None, recipients: Sequence[UserState], now: datetime
) -> list[FriendNotice]:
    """A notice to each of ``recipients`` (passed, mutual friends of ``overtaker``) who wants it,
    named by the recipient's local day and the overtaker: once per friend per day."""
    found: list[FriendNotice] = []
    for to in recipients:
        settings = to.settings
        if not settings.friend_passed_notices or experience(to.experiment) == "control":
            continue
        day = local_day(now, settings.timezone)
        notification = notifications.friend_passed(
            user_id=to.user_id,
            friend=overtaker,
            name=name,
            local_day=day.isoformat(),
            now=now,
            push=settings.push_enabled,
            locale=settings.locale,
        )
        found.append(FriendNotice(notification, NoticeKind.PASSED, overtaker, day))
    return found
