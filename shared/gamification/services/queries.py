"""The read side: profiles, badge progress, leaderboards, the notification feed, health.

Reads never write anything. Levels, progress and streak status are computed from the stored XP
and streak runs with the domain's functions, not stored twice. Redis is a cache: when it is
down, leaderboards are served from the latest DynamoDB snapshot marked stale, and profiles show
``rank = None``; a read never fails because the cache did.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from gamification.adapters.board_schema import Entry, LeaderboardUnavailableError, Page
from gamification.adapters.notification_repository import NotificationPage, NotificationRepository
from gamification.adapters.player_score import ALLTIME, weekly
from gamification.adapters.snapshot_repository import Snapshot, SnapshotRepository
from gamification.adapters.user_repository import StoredUser, UserRepository
from gamification.domain.badges import BadgeCatalog, BadgeDefinition, UserStats
from gamification.domain.freezes import FreezeRules, freeze_status
from gamification.domain.levels import level_from_xp, level_progress
from gamification.domain.periods import Period, iso_week
from gamification.domain.quests import QuestCatalog, QuestDefinition, QuestProgress
from gamification.domain.ruleset import Ruleset
from gamification.domain.state import UserState
from gamification.domain.streaks import StreakStatus, streak_status

if TYPE_CHECKING:  # the client loads with the first Redis read, not with this module
    from gamification.adapters.leaderboard import Leaderboard


@dataclass(frozen=True, slots=True)
class QuestView:
    id: str
    name: str
    description: str
    starts_at: datetime
    ends_at: datetime
    criteria: object
    reward_xp: int
    reward_badge: str | None
    status: str


@dataclass(frozen=True, slots=True)
class UserQuestView(QuestView):
    progress: ProgressView
    completed: bool
    completed_at: datetime | None


class UnknownUserError(Exception):
    """No profile is stored for this user (they have never played or changed a setting)."""


class BoardUnavailableError(Exception):
    """Redis is down and no snapshot of this board exists yet."""


# -- views -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelView:
    level: int
    xp_into_level: int
    xp_to_next_level: int
    level_floor_xp: int
    next_level_xp: int
    fraction: float


@dataclass(frozen=True, slots=True)
class StreakView:
    current: int
    longest: int
    active_today: bool
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class DailyStreakView(StreakView):
    """The daily streak, which freezes protect."""

    freezes: int
    frozen_days: list[date]


@dataclass(frozen=True, slots=True)
class SettingsView:
    display_name: str | None
    timezone: str
    push_enabled: bool


@dataclass(frozen=True, slots=True)
class ProfileView:
    user_id: str
    display_name: str | None
    xp: int
    level: int
    progress: LevelView
    weekly_xp: int
    streak: DailyStreakView
    challenge_streak: StreakView
    rank: int | None
    rank_available: bool
    badge_count: int
    settings: SettingsView


@dataclass(frozen=True, slots=True)
class ProgressView:
    current: int
    target: int


@dataclass(frozen=True, slots=True)
class UserBadgeView:
    id: str
    name: str | None
    description: str | None
    icon: str | None
    earned: bool
    earned_at: datetime | None
    progress: ProgressView | None
    retired: bool


@dataclass(frozen=True, slots=True)
class UserBadgesView:
    user_id: str
    earned_count: int
    badges: list[UserBadgeView]


@dataclass(frozen=True, slots=True)
class EntryView:
    rank: int
    user_id: str
    display_name: str | None
    xp: int
    level: int


@dataclass(frozen=True, slots=True)
class BoardView:
    period: Period
    week: str | None
    total: int
    offset: int
    limit: int
    entries: list[EntryView]
    stale: bool
    as_of: datetime | None


@dataclass(frozen=True, slots=True)
class AroundView:
    period: Period
    week: str | None
    user_id: str
    rank: int | None
    total: int
    entries: list[EntryView]
    stale: bool
    as_of: datetime | None


@dataclass(frozen=True, slots=True)
class CheckView:
    ok: bool
    latency_ms: float
    error: str | None


@dataclass(frozen=True, slots=True)
class HealthView:
    status: str
    dynamodb: CheckView
    redis: CheckView


# -- profiles and badges ---------------------------------------------------------------------


class ProfileQueries:
    def __init__(
        self,
        users: UserRepository,
        leaderboard: Leaderboard,
        rules: Callable[[], Ruleset],
        clock: Callable[[], datetime],
    ) -> None:
        self._users = users
        self._leaderboard = leaderboard
        self._rules = rules
        self._clock = clock

    def profile(self, user_id: str, *, must_exist: bool) -> ProfileView:
        """XP, level progress, streaks, all-time rank (``None`` when unranked or Redis is down)."""
        stored = self._load(user_id, must_exist=must_exist)
        state, now = stored.state, self._clock()
        zone = state.settings.timezone
        try:
            rank, rank_available = self._leaderboard.rank(ALLTIME, user_id), True
        except LeaderboardUnavailableError:
            rank, rank_available = None, False
        progress = level_progress(state.xp)
        return ProfileView(
            user_id=user_id,
            display_name=state.settings.display_name,
            xp=state.xp,
            level=progress.level,
            progress=LevelView(
                level=progress.level,
                xp_into_level=progress.xp_into_level,
                xp_to_next_level=progress.xp_needed,
                level_floor_xp=progress.level_floor_xp,
                next_level_xp=progress.next_level_xp,
                fraction=round(progress.fraction, 4),
            ),
            weekly_xp=state.weekly_xp.get(iso_week(now), 0),
            streak=_daily_streak(state, self._rules().policy.freezes, now),
            challenge_streak=_streak(streak_status(state.challenge_streak, zone, now)),
            rank=rank,
            rank_available=rank_available,
            badge_count=len(state.badges),
            settings=SettingsView(
                display_name=state.settings.display_name,
                timezone=zone,
                push_enabled=state.settings.push_enabled,
            ),
        )

    def catalog(self) -> BadgeCatalog:
        return self._rules().badges

    def badges(self, user_id: str) -> UserBadgesView:
        """Every badge with earned/earned_at and progress; earned badges whose definition was
        removed are listed as retired (earned badges are never taken away)."""
        state = self._load(user_id, must_exist=True).state
        stats = state.stats()
        catalog = self.catalog()
        views = [_badge_view(b, state.badges.get(b.id), stats) for b in catalog]
        retired = sorted(set(state.badges) - {b.id for b in catalog})
        views.extend(
            UserBadgeView(
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
        return UserBadgesView(user_id=user_id, earned_count=len(state.badges), badges=views)

    def quests(self) -> list[QuestView]:
        """Active and upcoming quests, soonest ending first (from the cached catalog)."""
        now = self._clock()
        return [_quest_view(q, now) for q in self._quests().visible(now)]

    def my_quests(self, user_id: str) -> list[UserQuestView]:
        """Every active or upcoming quest with the user's progress, plus ended quests they
        completed while those are still in the catalog."""
        now = self._clock()
        state = self._load(user_id, must_exist=False).state
        views = []
        for quest in sorted(self._quests(), key=lambda q: (q.ends_at, q.id)):
            progress = state.quests.get(quest.id, QuestProgress())
            if now >= quest.ends_at and progress.completed_at is None:
                continue
            shown = progress.progress(quest)
            views.append(
                UserQuestView(
                    id=quest.id,
                    name=quest.name,
                    description=quest.description,
                    starts_at=quest.starts_at,
                    ends_at=quest.ends_at,
                    criteria=quest.criteria,
                    reward_xp=quest.reward_xp,
                    reward_badge=quest.reward_badge,
                    status=quest.status(now),
                    progress=ProgressView(current=shown.current, target=shown.target),
                    completed=progress.completed_at is not None,
                    completed_at=progress.completed_at,
                )
            )
        return views

    def _quests(self) -> QuestCatalog:
        return self._rules().quests or QuestCatalog()

    def _load(self, user_id: str, *, must_exist: bool) -> StoredUser:
        stored = self._users.load(user_id, consistent=False)  # display only
        if must_exist and not stored.exists:
            raise UnknownUserError(user_id)
        return stored


def _daily_streak(state: UserState, rules: FreezeRules, now: datetime) -> DailyStreakView:
    """Freezes shape the daily streak: covered days keep it alive (domain.freezes)."""
    zone = state.settings.timezone
    plain = streak_status(state.streak, zone, now)
    status = freeze_status(state.streak, state.freezes, rules, zone, now)
    shown = rules.recent_shown
    return DailyStreakView(
        current=status.current,
        longest=max(plain.longest, status.longest),
        active_today=plain.active_today,
        expires_at=status.expires_at,
        freezes=status.held,
        frozen_days=list(status.frozen[-shown:]) if shown else [],
    )


def _quest_view(quest: QuestDefinition, now: datetime) -> QuestView:
    return QuestView(
        id=quest.id,
        name=quest.name,
        description=quest.description,
        starts_at=quest.starts_at,
        ends_at=quest.ends_at,
        criteria=quest.criteria,
        reward_xp=quest.reward_xp,
        reward_badge=quest.reward_badge,
        status=quest.status(now),
    )


def _streak(status: StreakStatus) -> StreakView:
    return StreakView(
        current=status.current,
        longest=status.longest,
        active_today=status.active_today,
        expires_at=status.expires_at,
    )


def _badge_view(
    badge: BadgeDefinition, earned_at: datetime | None, stats: UserStats
) -> UserBadgeView:
    progress = badge.criteria.progress(stats)
    return UserBadgeView(
        id=badge.id,
        name=badge.name,
        description=badge.description,
        icon=badge.icon,
        earned=earned_at is not None,
        earned_at=earned_at,
        progress=ProgressView(current=progress.current, target=progress.target),
        retired=False,
    )


# -- leaderboards ------------------------------------------------------------------------------


class LeaderboardQueries:
    def __init__(
        self,
        leaderboard: Leaderboard,
        snapshots: SnapshotRepository,
        clock: Callable[[], datetime],
    ) -> None:
        self._leaderboard = leaderboard
        self._snapshots = snapshots
        self._clock = clock

    def page(self, period: Period, offset: int, limit: int) -> BoardView:
        """Entries ``offset .. offset+limit-1`` ranked like SQL ``RANK()``; one Redis call."""
        board, week = self._board(period)
        try:
            page = self._leaderboard.page(board, offset, limit)
        except LeaderboardUnavailableError:
            snapshot = self._snapshot(board)
            return BoardView(
                period=period,
                week=week,
                total=snapshot.total,
                offset=offset,
                limit=limit,
                entries=[_entry(e) for e in snapshot.entries[offset : offset + limit]],
                stale=True,
                as_of=snapshot.taken_at,
            )
        return BoardView(
            period=period,
            week=week,
            total=page.total,
            offset=offset,
            limit=limit,
            entries=[_entry(e) for e in page.entries],
            stale=False,
            as_of=None,
        )

    def around(self, period: Period, user_id: str, radius: int) -> AroundView:
        """The user's entry with ``radius`` entries either side; ``rank=None`` when unranked."""
        board, week = self._board(period)
        try:
            page = self._leaderboard.around(board, user_id, radius)
        except LeaderboardUnavailableError:
            snapshot = self._snapshot(board)
            entries = _around_in(snapshot.entries, user_id, radius)
            return AroundView(
                period=period,
                week=week,
                user_id=user_id,
                rank=_rank_of(entries, user_id),
                total=snapshot.total,
                entries=[_entry(e) for e in entries],
                stale=True,
                as_of=snapshot.taken_at,
            )
        return _around_view(period, week, user_id, page)

    def _board(self, period: Period) -> tuple[str, str | None]:
        if period is Period.WEEKLY:
            week = iso_week(self._clock())
            return weekly(week), week
        return ALLTIME, None

    def _snapshot(self, board: str) -> Snapshot:
        snapshot = self._snapshots.load(board)
        if snapshot is None:
            raise BoardUnavailableError(board)
        return snapshot


def _entry(entry: Entry) -> EntryView:
    return EntryView(
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


def _around_view(period: Period, week: str | None, user_id: str, page: Page) -> AroundView:
    return AroundView(
        period=period,
        week=week,
        user_id=user_id,
        rank=_rank_of(page.entries, user_id),
        total=page.total,
        entries=[_entry(e) for e in page.entries],
        stale=False,
        as_of=None,
    )


# -- notifications -----------------------------------------------------------------------------


class FeedQueries:
    def __init__(self, notifications: NotificationRepository) -> None:
        self._notifications = notifications

    def feed(
        self, user_id: str, *, limit: int, unread_only: bool, cursor: str | None
    ) -> NotificationPage:
        """Newest first; raises ``InvalidCursorError`` for a cursor this API did not issue."""
        return self._notifications.page(
            user_id, limit=limit, unread_only=unread_only, cursor=cursor
        )


# -- health ----------------------------------------------------------------------------------


class HealthQueries:
    """Liveness with reachability: the function answers even when a dependency does not."""

    def __init__(self, probes: dict[str, Callable[[], object]]) -> None:
        self._probes = probes

    def check(self) -> HealthView:
        results = {name: _probe(call) for name, call in self._probes.items()}
        status = "ok" if all(r.ok for r in results.values()) else "degraded"
        return HealthView(status=status, dynamodb=results["dynamodb"], redis=results["redis"])


def _probe(call: Callable[[], object]) -> CheckView:
    started = time.perf_counter()
    try:
        call()
    except Exception as error:
        return CheckView(ok=False, latency_ms=_elapsed_ms(started), error=type(error).__name__)
    return CheckView(ok=True, latency_ms=_elapsed_ms(started), error=None)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
