"""The read side: profiles, badge progress, leaderboards, the notification feed.

Reads never write anything. Levels, progress and streak status are computed from the stored XP
and streak runs with the domain's functions, not stored twice. Redis is a cache: when it is
down, leaderboards are served from the latest DynamoDB snapshot marked stale, and profiles show
``rank = None``; a read never fails because the cache did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from gamification.domain.badges import (
    BadgeCatalog,
    BadgeDefinition,
    Progress,
    UserStats,
    base_badge_id,
)
from gamification.domain.boards import (
    ALLTIME,
    Entry,
    LeaderboardUnavailableError,
    Page,
    Snapshot,
    weekly,
)
from gamification.domain.experiments import assign, experience
from gamification.domain.freezes import FreezeRules, freeze_status
from gamification.domain.game_rules import GameRules
from gamification.domain.levels import level_from_xp, level_progress
from gamification.domain.notifications import NotificationPage
from gamification.domain.periods import Period, iso_week
from gamification.domain.profile_records import StoredUser
from gamification.domain.quests import QuestCatalog, QuestDefinition, QuestProgress
from gamification.domain.ranking import competition_ranks
from gamification.domain.state import UserState
from gamification.domain.streaks import StreakStatus, streak_status
from gamification.services.applier import player_score
from gamification.services.league_queries import league_summary
from gamification.services.read_models import (
    AroundOut,
    BadgeLevelOut,
    DailyStreakOut,
    EntryOut,
    LeaderboardOut,
    LevelOut,
    ListedQuestOut,
    MyProfileOut,
    ProfileOut,
    ProgressOut,
    PublicFriendStreakOut,
    QuestCatalogOut,
    SettingsOut,
    StreakOut,
    UserBadgeOut,
    UserBadgesOut,
    UserQuestOut,
    UserQuestsOut,
)

# -- ports (adapters: UserRepository, Leaderboard, SnapshotRepository, NotificationRepository;
# in-memory fakes: tests/fakes) ----------------------------------------------------------------


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def load_many(
        self, user_ids: Sequence[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...


class Ranks(Protocol):
    """A player's rank on a board; ``LeaderboardUnavailableError`` while it cannot be read."""

    def rank(self, board: str, user_id: str) -> int | None: ...

    def rank_of_xp(self, board: str, xp: int) -> int | None: ...


class Boards(Protocol):
    """Pages of a board (``RANK()`` ranks); ``LeaderboardUnavailableError`` while it cannot be
    read (down, or not known complete)."""

    def page(self, board: str, offset: int, limit: int) -> Page: ...

    def around(self, board: str, user_id: str, radius: int) -> Page: ...


class Snapshots(Protocol):
    def load(self, board: str) -> Snapshot | None: ...


class Feed(Protocol):
    def page(
        self, user_id: str, *, limit: int, unread_only: bool = False, cursor: str | None = None
    ) -> NotificationPage: ...


class UnknownUserError(Exception):
    """No profile is stored for this user (they have never played or changed a setting)."""


class BoardUnavailableError(Exception):
    """Redis is down and no snapshot of this board exists yet."""


# -- profiles and badges ---------------------------------------------------------------------


class ProfileQueries:
    def __init__(
        self,
        users: Profiles,
        leaderboard: Ranks,
        rules: Callable[[], GameRules],
        clock: Callable[[], datetime],
        friend_streaks: Callable[[str], Sequence[PublicFriendStreakOut]] | None = None,
    ) -> None:
        """``friend_streaks``: a user's live friend streaks as profiles show them
        (``FriendStreakService.public``); without it profiles list none."""
        self._users = users
        self._leaderboard = leaderboard
        self._rules = rules
        self._clock = clock
        self._friend_streaks = friend_streaks

    def profile(self, user_id: str) -> ProfileOut:
        """Anyone's public profile: XP, level progress, streaks, all-time rank (``None`` when
        unranked, off the boards or while Redis is down), live friend streaks."""
        stored = self._load(user_id, must_exist=True)
        shown = list(self._friend_streaks(user_id)) if self._friend_streaks else []
        return ProfileOut(**self._profile(user_id, stored, own=False), friend_streaks=shown)

    def my_profile(self, user_id: str) -> MyProfileOut:
        """The caller's own profile (at zero XP before they play) with settings and league; off
        the boards (their choice, or excluded), it still shows where their XP would rank."""
        stored = self._load(user_id, must_exist=False)
        settings = stored.state.settings
        return MyProfileOut(
            **self._profile(user_id, stored, own=True),
            friend_streaks=list(self._friend_streaks(user_id)) if self._friend_streaks else [],
            settings=SettingsOut(
                display_name=settings.display_name,
                timezone=settings.timezone,
                push_enabled=settings.push_enabled,
                leaderboard_visible=settings.leaderboard_visible,
                locale=settings.locale,
            ),
            league=league_summary(stored.state.league, self._rules().leagues),
            # Before the first commit records it, the group the user would be drawn into.
            experience=experience(
                assign(user_id, self._rules().policy.control, stored.state.experiment)
                if self._rules().policy.control.running
                else stored.state.experiment
            ),
        )

    def _profile(self, user_id: str, stored: StoredUser, *, own: bool) -> dict[str, Any]:
        """The fields of ``ProfileOut``, which ``MyProfileOut`` extends."""
        state, now = stored.state, self._clock()
        zone = state.settings.timezone
        listed = state.settings.leaderboard_visible and stored.marks.exclusion is None
        try:
            if listed:
                rank = self._leaderboard.rank(ALLTIME, user_id)
            else:  # off the boards: the rank their XP would have, seen only by themselves
                rank = self._leaderboard.rank_of_xp(ALLTIME, state.xp) if own else None
            rank_available = True
        except LeaderboardUnavailableError:
            rank, rank_available = None, False
        progress = level_progress(state.xp)
        return {
            "user_id": user_id,
            "display_name": state.settings.display_name,
            "xp": state.xp,
            "level": progress.level,
            "progress": LevelOut(
                level=progress.level,
                xp_into_level=progress.xp_into_level,
                xp_to_next_level=progress.xp_needed,
                level_floor_xp=progress.level_floor_xp,
                next_level_xp=progress.next_level_xp,
                fraction=round(progress.fraction, 4),
            ),
            "weekly_xp": state.weekly_xp.get(iso_week(now), 0),
            "streak": _daily_streak(state, self._rules().policy.freezes, now),
            "challenge_streak": _streak(streak_status(state.challenge_streak, zone, now)),
            "rank": rank,
            "rank_available": rank_available,
            "badge_count": len({base_badge_id(e) for e in state.badges}),
        }

    def catalog(self) -> BadgeCatalog:
        return self._rules().badges

    def badges(self, user_id: str) -> UserBadgesOut:
        """Every badge with earned/earned_at and progress; earned badges whose definition was
        removed are listed as retired (earned badges are never taken away)."""
        state = self._load(user_id, must_exist=True).state
        stats = state.stats()
        catalog = self.catalog()
        views = [_badge_view(b, state.badges, stats) for b in catalog]
        # Levels (``id#n``) belong to their badge: retired only when the badge is.
        live = {b.id for b in catalog}
        retired = sorted(e for e in state.badges if base_badge_id(e) not in live)
        views.extend(
            UserBadgeOut(
                id=badge_id,
                name=None,
                description=None,
                icon=None,
                earned=True,
                earned_at=state.badges[badge_id],
                progress=None,
                retired=True,
            )
            for badge_id in retired
        )
        earned = len({base_badge_id(e) for e in state.badges})
        return UserBadgesOut(user_id=user_id, earned_count=earned, badges=views)

    def quests(self) -> QuestCatalogOut:
        """Active and upcoming quests, soonest ending first (from the cached catalog)."""
        now = self._clock()
        return QuestCatalogOut(
            quests=[ListedQuestOut(**_quest(q, now)) for q in self._quests().visible(now)]
        )

    def my_quests(self, user_id: str) -> UserQuestsOut:
        """Every active or upcoming quest with the user's progress, plus ended quests they
        completed while those are still in the catalog."""
        now = self._clock()
        state = self._load(user_id, must_exist=False).state
        quests = []
        for quest in sorted(self._quests(), key=lambda q: (q.ends_at, q.id)):
            progress = state.quests.get(quest.id, QuestProgress())
            if now >= quest.ends_at and progress.completed_at is None:
                continue
            shown = progress.progress(quest)
            quests.append(
                UserQuestOut(
                    **_quest(quest, now),
                    progress=ProgressOut(current=shown.current, target=shown.target),
                    completed=progress.completed_at is not None,
                    completed_at=progress.completed_at,
                )
            )
        return UserQuestsOut(user_id=user_id, quests=quests)

    def _quests(self) -> QuestCatalog:
        return self._rules().quests or QuestCatalog()

    def _load(self, user_id: str, *, must_exist: bool) -> StoredUser:
        stored = self._users.load(user_id, consistent=False)  # display only
        if must_exist and (not stored.exists or stored.tombstone):
            raise UnknownUserError(user_id)
        return stored


def _daily_streak(state: UserState, rules: FreezeRules, now: datetime) -> DailyStreakOut:
    """Freezes shape the daily streak: covered days keep it alive (domain.freezes)."""
    zone = state.settings.timezone
    plain = streak_status(state.streak, zone, now)
    status = freeze_status(state.streak, state.freezes, rules, zone, now)
    shown = rules.recent_shown
    return DailyStreakOut(
        current=status.current,
        longest=max(plain.longest, status.longest),
        active_today=plain.active_today,
        expires_at=status.expires_at,
        freezes=status.held,
        frozen_days=list(status.frozen[-shown:]) if shown else [],
    )


def _quest(quest: QuestDefinition, now: datetime) -> dict[str, Any]:
    """The fields of ``ListedQuestOut``, which ``UserQuestOut`` extends."""
    return {
        "id": quest.id,
        "name": quest.name,
        "description": quest.description,
        "starts_at": quest.starts_at,
        "ends_at": quest.ends_at,
        "criteria": quest.criteria,
        "reward_xp": quest.reward_xp,
        "reward_badge": quest.reward_badge,
        "mode": quest.mode,  # without it every quest read as the schema's default, solo
        "pay": quest.pay,
        "status": quest.status(now),
    }


def _streak(status: StreakStatus) -> StreakOut:
    return StreakOut(
        current=status.current,
        longest=status.longest,
        active_today=status.active_today,
        expires_at=status.expires_at,
    )


def _badge_view(
    badge: BadgeDefinition, earned: Mapping[str, datetime], stats: UserStats
) -> UserBadgeOut:
    earned_at = earned.get(badge.id)
    progress = badge.criteria.progress(stats)
    level = None
    if badge.levels is not None:
        held = badge.level_held(earned)
        toward = badge.levels[min(held, len(badge.levels) - 1)]
        current = min(badge.criteria.measure(stats), toward.target)
        progress = Progress(current=current, target=toward.target)
        level = BadgeLevelOut(
            held=held,
            name=badge.levels[held - 1].name if held else None,
            levels=len(badge.levels),
            next=badge.levels[held].name if held < len(badge.levels) else None,
        )
    return UserBadgeOut(
        id=badge.id,
        name=badge.name,
        description=badge.description,
        icon=badge.icon,
        earned=earned_at is not None,
        earned_at=earned_at,
        progress=ProgressOut(current=progress.current, target=progress.target),
        retired=False,
        level=level,
    )


# -- leaderboards ------------------------------------------------------------------------------


class LeaderboardQueries:
    def __init__(
        self,
        leaderboard: Boards,
        snapshots: Snapshots,
        users: Profiles,
        clock: Callable[[], datetime],
    ) -> None:
        self._leaderboard = leaderboard
        self._snapshots = snapshots
        self._users = users
        self._clock = clock

    def page(self, period: Period, offset: int, limit: int) -> LeaderboardOut:
        """Entries ``offset .. offset+limit-1`` ranked like SQL ``RANK()``; one Redis call."""
        board, week = self._board(period)
        entries, total, as_of = self._read(
            board,
            lambda: self._leaderboard.page(board, offset, limit),
            lambda snapshot: snapshot.entries[offset : offset + limit],
        )
        return LeaderboardOut(
            period=period,
            week=week,
            total=total,
            offset=offset,
            limit=limit,
            entries=[_entry(e) for e in entries],
            stale=as_of is not None,
            as_of=as_of,
        )

    def around(self, period: Period, user_id: str, radius: int) -> AroundOut:
        """The user's entry with ``radius`` entries either side; ``rank=None`` when unranked."""
        board, week = self._board(period)
        entries, total, as_of = self._read(
            board,
            lambda: self._leaderboard.around(board, user_id, radius),
            lambda snapshot: _around_in(snapshot.entries, user_id, radius),
        )
        return AroundOut(
            period=period,
            week=week,
            user_id=user_id,
            rank=_rank_of(entries, user_id),
            total=total,
            entries=[_entry(e) for e in entries],
            stale=as_of is not None,
            as_of=as_of,
        )

    def _read(
        self,
        board: str,
        live: Callable[[], Page],
        cached: Callable[[Snapshot], Sequence[Entry]],
    ) -> tuple[Sequence[Entry], int, datetime | None]:
        """Entries and total from Redis, or from the board's latest snapshot with the time it
        was taken (``as_of``, which marks the answer stale) while Redis is down."""
        try:
            page = live()
        except LeaderboardUnavailableError:
            snapshot = self._snapshot(board)
            return cached(snapshot), snapshot.total, snapshot.taken_at
        return page.entries, page.total, None

    def _board(self, period: Period) -> tuple[str, str | None]:
        if period is Period.WEEKLY:
            week = iso_week(self._clock())
            return weekly(week), week
        return ALLTIME, None

    def _snapshot(self, board: str) -> Snapshot:
        """The board's snapshot, holding only the players the live board would list now: a
        snapshot is taken every few minutes, so a player hidden, excluded or erased since then
        is dropped here by the live board's rule (``PlayerScore.listed_xp``), their profiles
        read in one BatchGetItem (≤ the snapshot's size, 100), and the rest re-ranked."""
        snapshot = self._snapshots.load(board)
        if snapshot is None:
            raise BoardUnavailableError(board)
        found = self._users.load_many([e.user_id for e in snapshot.entries])
        kept = [
            e
            for e in snapshot.entries
            if found[e.user_id].exists and player_score(found[e.user_id]).listed_xp(board)
        ]
        if len(kept) == len(snapshot.entries):
            return snapshot
        ranks = competition_ranks([e.xp for e in kept], 0, 0)
        return replace(
            snapshot,
            entries=[replace(e, rank=r) for e, r in zip(kept, ranks, strict=True)],
            total=max(len(kept), snapshot.total - (len(snapshot.entries) - len(kept))),
        )


def _entry(entry: Entry) -> EntryOut:
    return EntryOut(
        rank=entry.rank,
        user_id=entry.user_id,
        display_name=entry.display_name,
        xp=entry.xp,
        level=level_from_xp(entry.xp),
    )


def _rank_of(entries: Sequence[Entry], user_id: str) -> int | None:
    return next((e.rank for e in entries if e.user_id == user_id), None)


def _around_in(entries: Sequence[Entry], user_id: str, radius: int) -> list[Entry]:
    position = next((i for i, e in enumerate(entries) if e.user_id == user_id), None)
    if position is None:
        return []
    return list(entries[max(0, position - radius) : position + radius + 1])


# -- notifications -----------------------------------------------------------------------------


class FeedQueries:
    def __init__(self, notifications: Feed) -> None:
        self._notifications = notifications

    def feed(
        self, user_id: str, *, limit: int, unread_only: bool, cursor: str | None
    ) -> NotificationPage:
        """Newest first; raises ``InvalidCursorError`` for a cursor this API did not issue."""
        return self._notifications.page(
            user_id, limit=limit, unread_only=unread_only, cursor=cursor
        )
