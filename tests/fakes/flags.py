"""In-memory open flags: the list ``services.flags`` pages through (real:
``adapters.flag_list.FlagList``; the contract: tests/adapters/contracts/test_flags.py).

Like the real list, it holds exactly the profiles whose state has an open flag: it reads them
from the fake profiles, which the real list mirrors in each profile transaction.
"""

from __future__ import annotations

from gamification.adapters import keys
from gamification.adapters.flag_list import CURSOR
from gamification.domain.flags import FlaggedUser, FlagPage
from tests.fakes.profiles import FakeProfiles


class FakeFlagList:
    def __init__(self, profiles: FakeProfiles) -> None:
        self._profiles = profiles

    def page(self, limit: int, cursor: str | None = None) -> FlagPage:
        after = CURSOR.decode(cursor) if cursor is not None else ""
        flagged = sorted(
            (keys.flag_sk(u), FlaggedUser(u, s.state.flag))
            for u, s in self._profiles.stored.items()
            if s.state.flag is not None
        )
        rest = [(sk, f) for sk, f in flagged if sk > after]
        taken = rest[:limit]
        more = len(rest) > limit
        return FlagPage([f for _, f in taken], CURSOR.encode(taken[-1][0]) if more else None)
