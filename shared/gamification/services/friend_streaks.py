"""Friend streaks (issue #29): invite, accept, end, and the streaks as they stand.

The length is derived on read from the two personal streak tracks (``domain.friend_streaks``):
nothing is written per day, so a friend streak costs no write units a day, and it inherits the
personal streak's exactly-once and order independence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from gamification.domain.domain_events import EventDraft, friend_streak_started
from gamification.domain.follows import Refusal, Relation
from gamification.domain.friend_streaks import (
    FriendStreak,
    LinkStatus,
    StreakLimitError,
    StreakLink,
    friend_streak,
    pair_today,
)
from gamification.domain.profile_records import StoredUser
from gamification.domain.streaks import local_day
from gamification.services.follows import FollowRefusedError
from gamification.services.friend_models import FriendStreakOut, FriendStreaksOut
from gamification.services.read_models import PublicFriendStreakOut

# -- ports (adapter: adapters.follow_graph.FollowGraph; fake: tests/fakes/follows.py) -----------


class StreakLinks(Protocol):
    def relation(self, owner: str, other: str) -> tuple[Relation, int]: ...

    def streak_links(self, owner: str) -> list[StreakLink]: ...

    def streak_link(self, owner: str, other: str) -> StreakLink | None: ...

    def invite_streak(self, inviter: str, invitee: str, at: datetime) -> bool: ...

    def accept_streak(
        self,
        invitee: str,
        inviter: str,
        started_on: date,
        at: datetime,
        events: Mapping[str, Sequence[EventDraft]] | None = None,
    ) -> bool:
        """``StreakLimitError`` when either already has ``MAX_ACTIVE`` active. ``events`` (by
        user) commit in the same transaction into those users' profile outboxes (a user with
        no profile: none for them)."""
        ...

    def end_streak(self, owner: str, other: str) -> bool: ...


class Profiles(Protocol):
    def load_many(
        self, user_ids: Sequence[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...


class FriendStreakService:
    def __init__(self, graph: StreakLinks, users: Profiles, clock: Callable[[], datetime]) -> None:
        self._graph = graph
        self._users = users
        self._clock = clock

    def start(self, me: str, other: str) -> FriendStreakOut:
        """Invite ``other``, or accept their invitation (idempotent). Needs a mutual follow."""
        relation, _ = self._graph.relation(me, other)
        if me == other or not relation.friends:
            raise FollowRefusedError(Refusal.NOT_FRIENDS)
        link = self._graph.streak_link(me, other)
        now = self._clock()
        if link is None:
            self._graph.invite_streak(me, other, now)
        elif link.status is LinkStatus.INVITED_ME:
            profiles = self._users.load_many([me, other])
            started = pair_today(_today(profiles[me], now), _today(profiles[other], now))
            try:
                told = {
                    me: [friend_streak_started(other, started, now)],
                    other: [friend_streak_started(me, started, now)],
                }
                self._graph.accept_streak(me, other, started, now, told)
            except StreakLimitError as error:
                raise FollowRefusedError(Refusal.STREAK_LIMIT) from error
        found = self._graph.streak_link(me, other)
        if found is None:  # ended meanwhile by the other side
            raise FollowRefusedError(Refusal.NOT_FRIENDS)
        return self._view(me, [found])[0]

    def end(self, me: str, other: str) -> None:
        """Decline, withdraw or end (harmless when there is nothing)."""
        self._graph.end_streak(me, other)

    def streaks(self, me: str) -> FriendStreaksOut:
        return FriendStreaksOut(streaks=self._view(me, self._graph.streak_links(me)))

    def public(self, user_id: str) -> list[PublicFriendStreakOut]:
        """The user's live friend streaks as their public profile shows them: active, at least
        one day long, with a partner who is on the boards (a hidden, excluded or being-erased
        partner is left out, the discoverability rule), longest first."""
        links = [k for k in self._graph.streak_links(user_id) if k.status is LinkStatus.ACTIVE]
        if not links:
            return []
        listed = {
            u
            for u, stored in self._users.load_many([k.user_id for k in links]).items()
            if stored.listed and stored.exists
        }
        shown = [
            PublicFriendStreakOut(user_id=v.user_id, display_name=v.display_name, days=v.current)
            for v in self._view(user_id, [k for k in links if k.user_id in listed])
            if v.current > 0
        ]
        return sorted(shown, key=lambda v: (-v.days, v.user_id))

    def _view(self, me: str, links: list[StreakLink]) -> list[FriendStreakOut]:
        now = self._clock()
        profiles = self._users.load_many([me, *(link.user_id for link in links)])
        mine = profiles[me]
        views = []
        for link in links:
            partner = profiles[link.user_id]
            streak = FriendStreak(0, 0, None, False, False)
            if link.status is LinkStatus.ACTIVE and link.started_on is not None:
                streak = friend_streak(
                    mine.state.streak,
                    partner.state.streak,
                    link.started_on,
                    _today(mine, now),
                    _today(partner, now),
                )
            views.append(
                FriendStreakOut(
                    user_id=link.user_id,
                    display_name=partner.state.settings.display_name,
                    status=link.status.value,
                    since=link.since,
                    started_on=link.started_on,
                    current=streak.current,
                    longest=streak.longest,
                    both_active_today=streak.both_active_today,
                    at_risk=streak.at_risk,
                )
            )
        return views


def _today(stored: StoredUser, now: datetime) -> date:
    return local_day(now, stored.state.settings.timezone)
