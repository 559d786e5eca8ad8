"""Friend streak notifications (issue #29): at risk, broken, milestones, each exactly once.

Run by the reminder worker on the users of each page it loads (``StreakReminders``), so it
rides the personal reminder's hourly schedule, shards and retries: for each loaded user, their
active friend streaks (one Query of their links, usually empty) and the partners' profiles,
then what ``domain.friend_streak_notices`` plans. Each notice commits with its guard item in
the recipient's partition (created only if absent, expiring after ``GUARD_TTL``), so a
redelivered unit, an overlapping run or the partner's own run writes nothing twice; an at-risk
reminder also checks that the recipient's profile is the one it was decided on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from aws_lambda_powertools import Logger

from gamification.domain.domain_events import EventDraft, friend_streak_event
from gamification.domain.friend_streak_notices import FriendNotice, plan_friend_notices
from gamification.domain.friend_streaks import LinkStatus, StreakLink
from gamification.domain.profile_records import StoredUser
from gamification.domain.reminders import ReminderOutcome

logger = Logger(child=True)

# -- ports (adapters: FollowGraph, UserRepository, FriendNoticeLedger; fakes: tests/fakes) -----


class Links(Protocol):
    def streak_links(self, owner: str) -> list[StreakLink]: ...


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def load_many(
        self, user_ids: Sequence[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...


class NoticeLedger(Protocol):
    def already_sent(self, notices: Sequence[FriendNotice]) -> list[bool]:
        """Whether each notice's guard exists (a read, cheaper than a cancelled transaction)."""
        ...

    def record(
        self, notice: FriendNotice, version: int | None, events: Sequence[EventDraft] = ()
    ) -> ReminderOutcome:
        """Commit the notice and its guard if the guard is absent (and, with ``version``, the
        recipient's profile is still at it); ``events`` go in the same transaction into the
        recipient's profile outbox (a profile that no longer exists gets the notice alone)."""
        ...


@dataclass
class FriendNoticeReport:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0


class FriendStreakNotices:
    def __init__(
        self,
        links: Links,
        users: Profiles,
        ledger: NoticeLedger,
        *,
        lead: timedelta,
        max_attempts: int = 3,
    ) -> None:
        self._links = links
        self._users = users
        self._ledger = ledger
        self._lead = lead
        self._max_attempts = max_attempts

    def run(self, loaded: Sequence[StoredUser], now: datetime) -> FriendNoticeReport:
        """Tell what the friend streaks of the ``loaded`` users call for at ``now``. A user whose
        notices failed counts in ``failed`` (the caller retries the unit; guards make it safe)."""
        report = FriendNoticeReport()
        for user in loaded:
            try:
                self._user(user, now, report)
            except Exception:
                logger.exception(
                    "friend streak notices failed", extra={"user_id": user.state.user_id}
                )
                report.failed += 1
        return report

    def _user(self, user: StoredUser, now: datetime, report: FriendNoticeReport) -> None:
        active = [
            link
            for link in self._links.streak_links(user.state.user_id)
            if link.status is LinkStatus.ACTIVE and link.started_on is not None
        ]
        if not active:
            return
        partners = self._users.load_many([link.user_id for link in active])
        for link in active:
            notices = self._plan(user, partners[link.user_id], link, now)
            seen = self._ledger.already_sent(notices)
            report.already_sent += sum(seen)
            for notice, done in zip(notices, seen, strict=True):
                if not done:
                    self._send(notice, user, partners[link.user_id], link, now=now, report=report)

    def _plan(
        self, user: StoredUser, partner: StoredUser, link: StreakLink, now: datetime
    ) -> list[FriendNotice]:
        assert link.started_on is not None
        return plan_friend_notices(user.state, partner.state, link.started_on, now, self._lead)

    def _send(
        self,
        notice: FriendNotice,
        user: StoredUser,
        partner: StoredUser,
        link: StreakLink,
        *,
        now: datetime,
        report: FriendNoticeReport,
    ) -> None:
        """Commit one notice; an at-risk reminder whose recipient changed is decided again."""
        for _ in range(self._max_attempts):
            version = user.version if notice.needs_same_profile else None
            event = friend_streak_event(notice, now)
            outcome = self._ledger.record(notice, version, () if event is None else (event,))
            if outcome is ReminderOutcome.RECORDED:
                report.sent += 1
                return
            if outcome is ReminderOutcome.ALREADY_REMINDED:
                report.already_sent += 1
                return
            user = self._users.load(user.state.user_id)
            again = [n for n in self._plan(user, partner, link, now) if n.kind is notice.kind]
            if not again:
                return
            notice = again[0]
        raise RuntimeError(f"user {user.state.user_id} kept changing")
